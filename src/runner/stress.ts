/**
 * The stress engine: runs every planned run on the pool, keeps per-test
 * statistics, writes the logs worth keeping, and reports progress as runs
 * finish. It can be cancelled (Ctrl-C, a signal): it then starts no new run
 * and cuts off the runs in flight, which count as neither passed nor failed
 * but keep their logs so far; what finished is reported as usual. With
 * maxFailures it stops starting runs after that many failures and lets the
 * runs in flight finish (they are already paid for, and their results count).
 */
import { performance } from 'node:perf_hooks';
import { LogWriter, type LogOutcome } from './logs.js';
import type { OutputFiles } from './output-files.js';
import { planRuns, plannedRunCount } from './plan.js';
import { createExecPool } from './exec.js';
import { createPool, RunCancelledError, SEPARATE_MODULES_WORKER, type PoolOptions, type RunLogSink, type RunPool } from './pool.js';
import type { RunResult, RunTask } from './protocol.js';
import { runMode, type RunMode, type RunSettings } from './settings.js';
import { RunningStats } from './stats.js';
import { replayTimeline, TimelineCapture } from './timeline-capture.js';

export interface StressOptions {
  /** Exact registry names, in the order the table lists them. */
  tests: readonly string[];
  iterations: number;
  workers: number;
  sequential: boolean;
  seedBase: number;
  /** Run only runs firstK … firstK + iterations - 1 of each test (a shard or a loop round); 0 by default. */
  firstK?: number;
  /** How every run is done, and what its replay line repeats. */
  settings: RunSettings;
  /** Keep the logs of passing runs too. */
  archive: boolean;
  outputDir: string;
  /** Wall-clock limit per run; none when absent or 0. */
  timeoutMs?: number;
  /** Stop starting runs once this many have failed. */
  maxFailures?: number;
  /** Each worker thread's heap limit in MB. */
  heapLimitMb?: number;
}

/** Where a log no one keeps goes. */
const DISCARDED_LOG: RunLogSink = { write: async () => {} };

export interface StressProgress {
  done: number;
  failed: number;
  total: number;
}

export interface RunFinished {
  /** A finished run, or one cut off in flight (result.interrupted). */
  result: RunResult;
  /** Where its log was written whole, when it was kept. */
  logPath?: string;
  /** A log that was to be kept but could not be written: where it was going, and why. */
  logFailure?: { path: string; error: Error };
  progress: StressProgress;
}

export interface StressDeps {
  createPool?: (options: PoolOptions) => RunPool;
  /** The worker module lab runs are done in; the built worker by default (tests give one with fixture tests). */
  workerFile?: URL;
  /** Where logs are written; the real file system unless given (tests give a full disk). */
  logFiles?: OutputFiles;
  /** Aborting it cancels the stress run; its reason (e.g. 'SIGTERM') says what cut the runs off. */
  signal?: AbortSignal;
  /** Called as each run starts (not its replay for a timeline). */
  onRunStarted?: (task: RunTask) => void;
  /** Called as each run finishes, in the order they finish. */
  onRunFinished?: (event: RunFinished) => void;
  /** The wall clock, for the total time taken. */
  wallClockMs?: () => number;
}

export interface TestSummary {
  test: string;
  /** Runs of this test that finished, passed or failed. */
  total: number;
  failed: number;
  /** Wall seconds per run. */
  wallSeconds: RunningStats;
  /** Virtual seconds per run; empty in realtime mode. */
  simSeconds: RunningStats;
  /** Wall seconds per run spent inside the Raft; empty for --exec runs. */
  raftSeconds: RunningStats;
  /** The Raft's saves per run, and the bytes they held; empty for --exec runs (absent where nothing counted them). */
  saves?: RunningStats;
  savedBytes?: RunningStats;
}

export interface StressReport {
  /** One per test, in the order of options.tests. */
  summaries: TestSummary[];
  plannedRuns: number;
  /** Runs that finished, passed or failed. */
  completedRuns: number;
  failedRuns: number;
  /** Runs cut off in flight by a cancel: neither passed nor failed, their logs kept. */
  interruptedRuns: number;
  /** Runs planned but never started, because the stress run was cancelled or stopped early. */
  unstartedRuns: number;
  interrupted: boolean;
  /** What cancelled the stress run (the abort reason, e.g. 'SIGINT'), when it was. */
  interruptedBy?: string;
  /** Whether it stopped starting runs because maxFailures runs had failed. */
  stoppedEarly: boolean;
  wallMs: number;
  /** True when runs have no virtual time: realtime and exec modes. */
  realtime: boolean;
  mode: RunMode;
  /** The logs written whole, in the order their runs ended. */
  logPaths: readonly string[];
  /** The logs that were to be kept but could not be written, with why. */
  logFailures: ReadonlyArray<{ path: string; error: Error }>;
}

export async function stress(options: StressOptions, deps: StressDeps = {}): Promise<StressReport> {
  const wallClockMs = deps.wallClockMs ?? (() => performance.now());
  const startedMs = wallClockMs();
  const { signal } = deps;
  const planOptions = {
    tests: options.tests,
    iterations: options.iterations,
    seedBase: options.seedBase,
    sequential: options.sequential,
    ...(options.firstK === undefined ? {} : { firstK: options.firstK }),
  };
  const total = plannedRunCount(planOptions);
  const runs = planRuns(planOptions);
  const summaries = new Map<string, TestSummary>(
    options.tests.map((test) => [
      test,
      { test, total: 0, failed: 0, wallSeconds: new RunningStats(), simSeconds: new RunningStats(), raftSeconds: new RunningStats(), saves: new RunningStats(), savedBytes: new RunningStats() },
    ]),
  );
  const { settings } = options;
  const logs = new LogWriter({ ...options, ...(deps.logFiles === undefined ? {} : { files: deps.logFiles }) });
  const timelines = new TimelineCapture(runMode(options.settings), options.settings.chargeCpu);
  const progress: StressProgress = { done: 0, failed: 0, total };
  let interruptedRuns = 0;

  /** Counts a run the moment it ends (so that -x stops at once), returning the progress it makes. */
  const count = (result: RunResult): StressProgress => {
    const summary = summaries.get(result.test);
    if (summary === undefined) throw new Error(`a worker reported a run of ${result.test}, which was not planned`);
    if (result.interrupted !== undefined) {
      interruptedRuns += 1;
      return { ...progress };
    }
    summary.total += 1;
    summary.wallSeconds.add(result.wallMs / 1000);
    if (result.simMs !== undefined) summary.simSeconds.add(result.simMs / 1000);
    if (result.raftMs !== undefined) summary.raftSeconds.add(result.raftMs / 1000);
    if (result.saves !== undefined) {
      summary.saves?.add(result.saves.count);
      summary.savedBytes?.add(result.saves.bytes);
    }
    progress.done += 1;
    if (!result.passed) {
      summary.failed += 1;
      progress.failed += 1;
    }
    return { ...progress };
  };
  /** Announces a run once its log is written (or could not be). */
  const announce = (result: RunResult, progressThen: StressProgress, log: LogOutcome) => {
    const event: RunFinished = { result, progress: progressThen };
    if (log.path !== undefined) event.logPath = log.path;
    if (log.failure !== undefined) event.logFailure = log.failure;
    deps.onRunFinished?.(event);
  };

  // Each lane keeps one run in flight and takes the next planned run when it
  // finishes, so runs start in plan order and cancelling stops at once.
  const failedEnough = () => options.maxFailures !== undefined && progress.failed >= options.maxFailures;
  const lane = async (pool: RunPool, worker: number) => {
    for (;;) {
      if (signal?.aborted || failedEnough()) return;
      const next = runs.next();
      if (next.done) return;
      const task: RunTask = { ...next.value, settings, worker };
      const log = logs.open(task);
      deps.onRunStarted?.(task);
      const result = await runUnlessCancelled(pool, task, log);
      if (result === undefined) {
        // Never started: nothing to keep.
        await log.finish({ passed: true });
        return;
      }
      const progressThen = count(result);
      const kept = await log.finish(result);
      announce(result, progressThen, kept);
      // Announced first, then replayed for its timeline: the replay is the same run, recorded.
      if (kept.path !== undefined && result.interrupted === undefined && timelines.take(result, true)) {
        // The replay's log goes into its timeline, not to the host.
        const replay = await runUnlessCancelled(pool, { ...task, timeline: true }, DISCARDED_LOG);
        if (replay === undefined || replay.interrupted !== undefined) return;
        const timeline = replayTimeline(result, replay);
        if (timeline !== undefined) await logs.writeTimeline(kept.path, timeline);
      }
    }
  };
  /** The task's result (cut off if cancelled while it ran), or undefined when cancelled before it started. */
  const runUnlessCancelled = async (pool: RunPool, task: RunTask, log: RunLogSink): Promise<RunResult | undefined> => {
    try {
      return await pool.run(task, log, signal);
    } catch (error) {
      if (error instanceof RunCancelledError) return undefined;
      throw error;
    }
  };

  const lanes = Math.max(0, Math.min(options.workers, total));
  if (lanes > 0 && !signal?.aborted) {
    const poolOptions: PoolOptions = { workers: lanes };
    if (options.timeoutMs !== undefined) poolOptions.timeoutMs = options.timeoutMs;
    if (options.heapLimitMb !== undefined) poolOptions.heapLimitMb = options.heapLimitMb;
    if (settings.exec !== undefined) poolOptions.exec = settings.exec;
    if (deps.workerFile !== undefined) poolOptions.workerFile = deps.workerFile;
    else if (settings.cpuProfileDir !== undefined) poolOptions.workerFile = SEPARATE_MODULES_WORKER;
    const create = deps.createPool ?? (settings.exec === undefined ? createPool : createExecPool);
    const pool = create(poolOptions);
    try {
      await Promise.all(Array.from({ length: lanes }, (_, worker) => lane(pool, worker)));
    } finally {
      await pool.destroy();
    }
  }

  const interrupted = signal?.aborted ?? false;
  const report: StressReport = {
    summaries: [...summaries.values()],
    plannedRuns: total,
    completedRuns: progress.done,
    failedRuns: progress.failed,
    interruptedRuns,
    unstartedRuns: total - progress.done - interruptedRuns,
    interrupted,
    stoppedEarly: !interrupted && failedEnough() && progress.done < total,
    wallMs: wallClockMs() - startedMs,
    realtime: runMode(settings) !== 'sim',
    mode: runMode(settings),
    logPaths: logs.paths,
    logFailures: logs.failures,
  };
  if (interrupted && typeof signal?.reason === 'string') report.interruptedBy = signal.reason;
  return report;
}
