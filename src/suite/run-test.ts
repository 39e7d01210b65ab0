import { DivergenceError, type EventTrace, TraceComparer, TraceRecorder } from '../harness/event-trace.js';
import { FirstLog, LogComparer } from '../harness/log-comparison.js';
import { RaftMeter } from '../harness/raft-meter.js';
import { SaveMeter, type SaveTotals } from '../harness/save-meter.js';
import { TestFailure, type TestContext } from '../harness/test-context.js';
import type { Timeline } from '../harness/timeline.js';
import { TimelineRecorder } from '../harness/timeline-trace.js';
import { reference } from '../raft/index.js';
import type { RaftFactory } from '../raft/types.js';
import { CaptureLog, type LogLevel } from '../sim/log.js';
import { makeRandom, type Random } from '../sim/random.js';
import { guardRun, hostWallMs, RealWorld, yieldToHost } from '../sim/real-clock.js';
import { SimWorld } from '../sim/sim-world.js';
import type { World, WorldOutcome } from '../sim/world.js';
import { findTest, REGISTRY, type LabTest } from './registry.js';

/**
 * The settings that shape a lab run and its log. The runner's RunSettings
 * (runner/settings.ts) extends them and hands them here whole, so a new lab
 * setting is a field here and its use in runOnce below.
 */
export interface LabSettings {
  /** Run on the wall clock instead of the simulator. */
  realtime: boolean;
  logLevel: LogLevel;
  /** Strict mode: check the Raft invariants after every event. */
  strict: boolean;
  /** Run twice with the seed and fail where the two runs' events diverge (simulation only). */
  checkDeterminism: boolean;
  /**
   * Add the wall time each call into the Raft takes to the virtual clock
   * (simulation only, `--charge-cpu`): a slow Raft then misses deadlines as
   * in Go, but the run no longer replays exactly from its seed.
   */
  chargeCpu: boolean;
}

export interface RunRequest extends Partial<LabSettings> {
  /** The test's exact name, as the registry lists it. */
  test: string;
  /** Seeds the world's single random stream: one seed, one run. */
  seed: number;
  /** The Raft under test; the reference implementation by default. */
  raft?: RaftFactory;
  /**
   * Receives each log line as it is written, e.g. to stream a run live. The
   * outcome's log is then empty: a log may be larger than memory.
   */
  onLogLine?: (line: string) => void;
  /** The wall clock the Raft's time is measured on; the host's by default. */
  wallClockMs?: () => number;
  /** Record the run's timeline (role, term, RPCs... of every peer over time) for the HTML report. */
  timeline?: boolean;
  /** The most characters of log a timeline keeps; TIMELINE_LOG_CHARS_MAX unless given (tests make it small). */
  timelineLogCharsMax?: number;
}

/**
 * The most of its log a timeline keeps, in characters. A timeline holds its
 * log in memory, in the worker and then in the host, and goes to disk as one
 * JSON text: a peer that logs gigabytes would otherwise fill both threads'
 * memory and end the whole runner. The log file itself has no such limit.
 */
export const TIMELINE_LOG_CHARS_MAX = 16 * 1024 * 1024;

export interface RunOutcome {
  test: string;
  seed: number;
  passed: boolean;
  /** The failure message (and stack, for errors that are not test checks). */
  error?: string;
  /** World time the run took: virtual ms in simulation, wall ms in realtime. */
  elapsedMs: number;
  /** Wall ms spent inside the Raft under test (its timers, handlers, reply callbacks, Start). */
  raftMs: number;
  /** The peers' saves: how many, their bytes, and at most how long they took. */
  saves: SaveTotals;
  /** The run's log, one line per entry (no trailing newlines); empty when the lines went to onLogLine. */
  log: string[];
  /** The run's timeline, when the request asked for it. */
  timeline?: Timeline;
}

export class UnknownTestError extends Error {
  override name = 'UnknownTestError';
}

/**
 * Runs one lab test once, in a fresh world seeded with `seed`, and reports
 * how it ended with the log it wrote. Never throws for a failing test: the
 * failure is in the outcome.
 */
export async function runLabTest(request: RunRequest, tests: readonly LabTest[] = REGISTRY): Promise<RunOutcome> {
  const test = findTest(request.test, tests);
  if (test === undefined) throw new UnknownTestError(`unknown test ${request.test}`);
  if (request.checkDeterminism && request.realtime) throw new RangeError('the determinism check needs the simulator: the wall clock never repeats a run');
  if (request.chargeCpu && request.realtime) throw new RangeError('charging CPU time needs the simulator: on the wall clock it is already spent');
  if (request.chargeCpu && request.checkDeterminism) throw new RangeError('the determinism check cannot charge CPU time: charged runs depend on the machine');
  if (request.checkDeterminism && request.timeline) throw new RangeError('a timeline is taken of one run; the determinism check does two');
  let run: Run;
  if (request.checkDeterminism) {
    // The first run is only a reference to compare against: its log is not streamed, and kept only as FirstLog keeps it.
    const recorder = new TraceRecorder();
    const firstLog = new FirstLog();
    const first = await runOnce(test, { ...request, onLogLine: undefined }, recorder, { recordLog: firstLog });
    const comparer = new TraceComparer(recorder);
    // The second run's lines are compared with the first's as they are written.
    const logs = new LogComparer(firstLog);
    run = await runOnce(test, request, comparer, { compareLog: logs });
    if (!(run.error instanceof DivergenceError)) {
      const divergence = finalDivergence(comparer, first, run, logs);
      if (divergence !== undefined) run.error = divergence;
    }
  } else {
    run = await runOnce(test, request, undefined, request.timeline ? { timeline: new TimelineRecorder() } : {});
  }
  const { log, elapsedMs, raftMs, saves } = run;
  const seconds = (elapsedMs / 1000).toFixed(2);
  const outcome: RunOutcome = { test: test.name, seed: request.seed, passed: run.error === undefined, elapsedMs, raftMs, saves, log: log.lines };
  if (run.error === undefined) {
    log.test(`--- PASS: ${test.name} (${seconds}s)`);
  } else {
    outcome.error = describe(run.error);
    for (const line of outcome.error.split('\n')) log.test(`    ${line}`);
    log.test(`--- FAIL: ${test.name} (${seconds}s)`);
  }
  if (run.timeline !== undefined) {
    const failure = outcome.error === undefined ? null : { atMs: elapsedMs, message: outcome.error };
    outcome.timeline = run.timeline.finish({ test: test.name, seed: request.seed, endMs: elapsedMs, failure, log: log.lines });
    const dropped = run.droppedLogLines();
    if (dropped > 0) {
      const keptMb = ((request.timelineLogCharsMax ?? TIMELINE_LOG_CHARS_MAX) / (1024 * 1024)).toFixed(1);
      outcome.timeline.note = `The timeline keeps the first ${keptMb} M characters of the run's trace log (${log.lines.length} lines); the ${dropped} lines after them are left out.`;
    }
  }
  return outcome;
}

interface Run {
  error: Error | undefined;
  elapsedMs: number;
  raftMs: number;
  saves: SaveTotals;
  log: CaptureLog;
  /** Lines written so far but not kept, past the timeline's share of the log (the closing PASS or FAIL line comes after the run). */
  droppedLogLines: () => number;
  timeline?: TimelineRecorder;
}

/** What a run keeps besides its outcome: its log recorded or compared for the determinism check, or its timeline. */
interface RunOptions {
  recordLog?: FirstLog;
  compareLog?: LogComparer;
  timeline?: TimelineRecorder;
}

/** The run's log as it is written: the capture, once the world has made it, and the lines let go past a timeline's budget. */
interface RunLog {
  capture: CaptureLog | undefined;
  droppedLines: number;
}

/** A world the run can be started in. */
type RunnableWorld = World & { run(script: (world: World) => Promise<void>): Promise<WorldOutcome> };

/** A run made ready to start: its world, what the test is handed, and what the outcome reports. */
interface PreparedRun {
  world: RunnableWorld;
  context: Omit<TestContext, 'world'>;
  meter: RaftMeter;
  saves: SaveMeter;
  runLog: RunLog;
}

/**
 * One run of a test in a fresh world, without the closing PASS or FAIL line.
 * Kept short, its parts in functions of their own: V8 counts a function's
 * size each time it runs (and each time it awaits) towards optimising it, and
 * a long one was compiled, at a cost, in the middle of a pass for code that
 * runs once a run.
 */
async function runOnce(test: LabTest, request: RunRequest, trace?: EventTrace, options: RunOptions = {}): Promise<Run> {
  const run = prepareRun(request, trace, options);
  // What the run's code does outside its world (an unhandled rejection, a host timer in simulation) fails the run too.
  const guard = guardRun({ trapHost: !request.realtime, onEscape: (error) => run.world.fail(error) });
  let outcome: WorldOutcome;
  let escaped: Error | undefined;
  try {
    outcome = await run.world.run((w) => test.run({ world: w, ...run.context }));
  } finally {
    escaped = await guard.release();
  }
  return finishRun(run, outcome, escaped, options.timeline);
}

/** A fresh world for a run of the request, with its meters and its log. */
function prepareRun(request: RunRequest, trace: EventTrace | undefined, options: RunOptions): PreparedRun {
  const runLog: RunLog = { capture: undefined, droppedLines: 0 };
  const tap = lineTap(request, options, runLog);
  const common = {
    random: makeRandom(request.seed),
    makeLog: (clock: World['clock']) => (runLog.capture = new CaptureLog(clock, request.logLevel ?? 'none', tap)),
  };
  const readWallMs = request.wallClockMs ?? hostWallMs;
  const { world, meter } = makeWorld(request, common, readWallMs);
  const saves = new SaveMeter(readWallMs, meter);
  const context = {
    raft: request.raft ?? reference,
    strict: request.strict === true,
    meter,
    saves,
    ...(trace === undefined ? {} : { trace }),
    ...(options.timeline === undefined ? {} : { timeline: options.timeline }),
  };
  return { world, context, meter, saves, runLog };
}

/** What a run that ended with `outcome` reports; `escaped` is what its code did outside its world. */
function finishRun(run: PreparedRun, outcome: WorldOutcome, escaped: Error | undefined, timeline: TimelineRecorder | undefined): Run {
  const { runLog } = run;
  return {
    error: outcome.error ?? escaped,
    elapsedMs: outcome.elapsedMs,
    raftMs: run.meter.totalMs,
    saves: run.saves.result,
    log: runLog.capture!,
    droppedLogLines: () => runLog.droppedLines,
    ...(timeline === undefined ? {} : { timeline }),
  };
}

/** What is done with each log line as it is written, besides capturing it; undefined when nothing is. */
function lineTap(request: RunRequest, options: RunOptions, runLog: RunLog): ((line: string) => void) | undefined {
  const { recordLog, compareLog, timeline } = options;
  const stream = request.onLogLine;
  if (recordLog !== undefined) {
    // The determinism check's first run: its lines go to the record, not the capture.
    return (line) => {
      recordLog.add(line);
      runLog.capture!.lines.length = 0;
    };
  }
  if (compareLog !== undefined) {
    // Its second run: compared line by line, and then streamed, or kept as a run's log is when nothing streams it.
    return (line) => {
      compareLog.next(line);
      if (stream === undefined) return;
      stream(line);
      runLog.capture!.lines.length = 0;
    };
  }
  if (stream !== undefined) {
    // A streamed line is not kept as well: the capture then never holds more than the line being written.
    return (line) => {
      stream(line);
      runLog.capture!.lines.length = 0;
    };
  }
  if (timeline !== undefined) {
    // A timeline keeps its log in memory, so only the first of it: every line after the budget is let go as it comes.
    const charsMax = request.timelineLogCharsMax ?? TIMELINE_LOG_CHARS_MAX;
    let chars = 0;
    return (line) => {
      chars += line.length + 1;
      if (chars <= charsMax) return;
      runLog.capture!.lines.pop();
      runLog.droppedLines += 1;
    };
  }
  return undefined;
}

/** The run's world, on the simulator or the wall clock, and the meter of the time spent inside the Raft. */
function makeWorld(
  request: RunRequest,
  common: { random: Random; makeLog: (clock: World['clock']) => CaptureLog },
  readWallMs: () => number,
): { world: RunnableWorld; meter: RaftMeter } {
  if (request.realtime) return { world: new RealWorld(common), meter: new RaftMeter(readWallMs) };
  const simWorld = new SimWorld({ ...common, yieldToHost });
  return { world: simWorld, meter: new RaftMeter(readWallMs, request.chargeCpu ? (ms) => simWorld.clock.advance(ms) : undefined) };
}

/**
 * What the event-by-event comparison cannot see: the second run stopping
 * early, a different ending, or a different log (a peer that logs the wall
 * clock, say).
 */
function finalDivergence(comparer: TraceComparer, first: Run, second: Run, logs: LogComparer): DivergenceError | undefined {
  try {
    comparer.finish();
  } catch (error) {
    return error as DivergenceError;
  }
  const firstEnd = first.error?.message;
  const secondEnd = second.error?.message;
  if (firstEnd !== secondEnd) {
    return new DivergenceError(`determinism check: the two runs of this seed end differently: first ${firstEnd ?? 'passed'}; second ${secondEnd ?? 'passed'}`);
  }
  return logs.finish();
}

/** A check's failure is its message alone; anything else is a bug, so keep its stack. */
function describe(error: Error): string {
  if (error instanceof TestFailure) return error.message;
  return error.stack ?? `${error.name}: ${error.message}`;
}
