/**
 * The stress command: runs the selected tests, shows progress, prints the
 * table, writes the reports, and says how the process should exit. The
 * first Ctrl-C, SIGTERM or SIGHUP stops it gracefully: runs in flight are cut
 * off (their logs kept), the partial table is printed, the reports written,
 * and it exits 128 + the signal's number; a second signal exits at once.
 */
import type { OutputFiles } from '../runner/output-files.js';
import type { PoolOptions, RunPool } from '../runner/pool.js';
import { checkOutputDir } from '../runner/output-dir.js';
import { goRaceOn } from '../runner/exec-go.js';
import { verboseValue } from '../runner/exec.js';
import { savingHint } from '../runner/save-report.js';
import { runMode, type RunSettings } from '../runner/settings.js';
import { shellWord } from '../runner/shell-words.js';
import { stress, type RunFinished, type StressOptions, type StressReport } from '../runner/stress.js';
import { ExitCode, exitCodeFor, STOP_SIGNALS, type StopSignal } from './exit-codes.js';
import { createProgressReporter, formatElapsed, formatFailure, type Every } from './progress.js';
import { Session, windowLine, windowOptions, type ReportFailure, type SessionOptions } from './session.js';
import { renderTable } from './table.js';

/** Where Ctrl-C and the other stop signals come from: the process by default, an emitter in tests. */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
}

export interface StressCommandDeps {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether stdout is a terminal a spinner can be drawn on; plain lines otherwise. */
  animate: boolean;
  color: boolean;
  nowMs: () => number;
  signals: SignalSource;
  /** Ends the process at once; used only for a second stop signal. */
  exit: (code: number) => void;
  plainProgressIntervalMs: number;
  every?: Every;
  createPool?: (options: PoolOptions) => RunPool;
  /** The worker module for lab runs; the built one by default. */
  workerFile?: URL;
  /** Where logs and reports are written; the real file system unless given (tests give a full disk). */
  outputFiles?: OutputFiles;
  /** The local time, for the reports' startedAt. */
  now?: () => Date;
}

/** Runs the stress command; bad output paths throw BadInputError before any run starts. */
export async function stressCommand(options: StressOptions, deps: StressCommandDeps, sessionOptions: SessionOptions = { timing: false }): Promise<ExitCode> {
  await checkOutputDir(options.outputDir);
  if (options.settings.cpuProfileDir !== undefined) await checkOutputDir(options.settings.cpuProfileDir, '--cpu-prof directory');
  const { tests, iterations, seedBase, workers } = options;
  const session = new Session(sessionOptions, { tests, iterations, seedBase, workers, mode: runMode(options.settings), settings: options.settings }, deps.now?.() ?? new Date());
  await session.checkPaths();
  const cancel = new AbortController();
  // Listen before saying anything, so that a signal after the first line is always graceful.
  const listeners = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((signal) => {
    const listener = () => {
      if (cancel.signal.aborted) deps.exit(STOP_SIGNALS[signal]);
      else cancel.abort(signal);
    };
    deps.signals.on(signal, listener);
    return { signal, listener };
  });
  try {
    return await runRounds(options, deps, session, sessionOptions, cancel.signal);
  } finally {
    for (const { signal, listener } of listeners) deps.signals.off(signal, listener);
  }
}

/** Round after round (one without --loop): progress, table, summary, reports; then the exit code. */
async function runRounds(options: StressOptions, deps: StressCommandDeps, session: Session, sessionOptions: SessionOptions, signal: AbortSignal): Promise<ExitCode> {
  deps.stdout.write(`seed base: ${options.seedBase}\n`);
  if (sessionOptions.defaultWorkers) deps.stdout.write(`workers: ${options.workers}, the machine's available parallelism (-p to choose)\n`);
  for (const line of checkLines(options.settings)) deps.stdout.write(`${line}\n`);

  const reporter = await createProgressReporter({
    stream: deps.stdout,
    animate: deps.animate,
    color: deps.color,
    nowMs: deps.nowMs,
    plainIntervalMs: deps.plainProgressIntervalMs,
    ...(deps.every === undefined ? {} : { every: deps.every }),
  });
  // One window without --shard or --loop; a shard of it, or round after round of them.
  const startedMs = deps.nowMs();
  let report: StressReport | undefined;
  let failedRuns = 0;
  const logFailures: Array<{ path: string; error: Error }> = [];
  let reportFailures: ReportFailure[] = [];
  // The saving hint is said once per test: the first run it fits stands for the rest.
  const hinted = new Set<string>();
  for (const window of session.windows()) {
    const line = windowLine(window, sessionOptions);
    if (line !== undefined) deps.stdout.write(`${line}\n`);
    session.startRound();
    reporter.start(options.tests.length * window.size);
    try {
      report = await stress(windowOptions(options, window), {
        signal,
        wallClockMs: deps.nowMs,
        onRunStarted: (task) => reporter.runStarted?.(task),
        onRunFinished: (event) => {
          session.record(event);
          reporter.runFinished(event.progress, linesOf(announcement(event), hintOnce(event.result, hinted)), event.result);
        },
        ...(deps.createPool === undefined ? {} : { createPool: deps.createPool }),
        ...(deps.workerFile === undefined ? {} : { workerFile: deps.workerFile }),
        ...(deps.outputFiles === undefined ? {} : { logFiles: deps.outputFiles }),
      });
    } finally {
      reporter.stop();
    }
    failedRuns += report.failedRuns;
    logFailures.push(...report.logFailures);
    // Until the table is out, a second signal still means "quit at once".
    deps.stdout.write(`${renderTable(report, { color: deps.color, ...timingOf(session) })}\n`);
    deps.stdout.write(`${summaryLine(report, options.outputDir)}\n`);
    // Written after every round, so that a loop ended any way leaves its reports.
    reportFailures = await session.writeReports(deps.nowMs() - startedMs, deps.outputFiles);
    if (!session.loops || report.interrupted || report.stoppedEarly || report.logFailures.length > 0 || reportFailures.length > 0) break;
  }
  if (report === undefined) return ExitCode.Passed;
  for (const failure of reportFailures) {
    deps.stderr.write(`raft-dstest: could not write ${failure.flag} report "${failure.path}": ${failure.error.message}\n`);
  }
  if (logFailures.length > 0) deps.stderr.write(`${logFailuresLine(logFailures)}\n`);
  return exitCodeFor({ ...report, failedRuns }, logFailures.length > 0 || reportFailures.length > 0);
}

/** What a finished run says on a line of its own, if anything: a failure, a cut-off run, or a log that could not be written. */
export function announcement({ result, logPath, logFailure }: RunFinished): string | undefined {
  if (result.interrupted !== undefined) {
    const where = logPath !== undefined ? ` — log: ${logPath}` : logFailure !== undefined ? ` — log not written (${logFailure.path}: ${logFailure.error.message})` : '';
    return `CUT OFF ${shellWord(result.test)} #${result.k} (seed ${result.seed}): ${result.interrupted}${where}`;
  }
  if (!result.passed) return formatFailure(result, logPath, logFailure);
  if (logFailure !== undefined) return `log not written: ${logFailure.path}: ${logFailure.error.message}`;
  return undefined;
}

/** The saving hint for a finished run, unless one was already given for its test. */
export function hintOnce(result: RunFinished['result'], hinted: Set<string>): string | undefined {
  if (result.interrupted !== undefined || hinted.has(result.test)) return undefined;
  const hint = savingHint(result);
  if (hint === undefined) return undefined;
  hinted.add(result.test);
  return `hint: ${shellWord(result.test)} #${result.k} (seed ${result.seed}): ${hint}`;
}

function linesOf(...lines: Array<string | undefined>): string | undefined {
  const present = lines.filter((line) => line !== undefined);
  return present.length === 0 ? undefined : present.join('\n');
}

/** One line on stderr for logs that could not be written: how many, the first path and why. */
export function logFailuresLine(failures: ReadonlyArray<{ path: string; error: Error }>): string {
  const [first] = failures;
  const count = failures.length === 1 ? '1 log' : `${failures.length} logs`;
  const more = failures.length === 1 ? '' : `; the lines above name each one`;
  return `raft-dstest: ${count} could not be written, e.g. ${first!.path}: ${first!.error.message}${more}`;
}

/** Says up front which extra checks are on, since they change what a failure means. */
export function checkLines(options: Pick<RunSettings, 'strict' | 'checkDeterminism' | 'chargeCpu' | 'cpuProfileDir' | 'spotCheck' | 'exec' | 'logLevel'>): string[] {
  const lines: string[] = [];
  if (options.exec !== undefined && goRaceOn(options.exec)) lines.push('race detector on (-r): each run is go test -race');
  const verbose = options.exec === undefined ? undefined : verboseValue(options.logLevel);
  if (verbose !== undefined) lines.push(`verbosity level ${verbose}: each command runs with VERBOSE=${verbose}`);
  if (options.strict) lines.push('strict mode on (-r): Raft invariants are checked after every event');
  if (options.checkDeterminism) lines.push('determinism check on: each run is done twice with its seed and must repeat event for event');
  if (options.spotCheck) lines.push('determinism spot-check on (--raft): the first run of each test is done twice and must repeat event for event (--no-spot-check to skip)');
  if (options.chargeCpu) lines.push('CPU charged (--charge-cpu): wall time inside the Raft is added to virtual time, so runs no longer replay exactly');
  if (options.cpuProfileDir !== undefined) lines.push(`CPU profiles (--cpu-prof): each run writes ${options.cpuProfileDir}/<Test>_<k>.cpuprofile (Chrome DevTools, Performance panel: Load profile; or speedscope)`);
  return lines;
}

function timingOf(session: Session): { timing?: Map<string, number[]> } {
  const timing = session.roundTiming();
  return timing === undefined ? {} : { timing };
}

/**
 * `150/150 runs, 1 failed, 3.2s; 1 log in reports/…`, with the logs that
 * could not be written, and how far an interrupted or stopped one got.
 */
export function summaryLine(report: StressReport, outputDir: string): string {
  const kept = report.logPaths.length;
  const unwritten = report.logFailures.length;
  const logs = (kept === 0 ? '' : `; ${plural(kept, 'log')} in ${outputDir}`) + (unwritten === 0 ? '' : `; ${plural(unwritten, 'log')} could not be written`);
  const counts = `${report.completedRuns}/${report.plannedRuns} runs, ${report.failedRuns} failed, ${formatElapsed(report.wallMs)}${logs}`;
  if (report.interrupted) {
    const by = report.interruptedBy === undefined ? '' : ` by ${report.interruptedBy}`;
    const cut = report.interruptedRuns === 0 ? '' : `${plural(report.interruptedRuns, 'run')} cut off in flight (logs kept; counted neither passed nor failed), `;
    return `interrupted${by}: ${counts}; ${cut}${plural(report.unstartedRuns, 'run')} not started`;
  }
  if (report.stoppedEarly) return `stopped after ${report.failedRuns} failed (-x/--max-failures): ${counts}; ${plural(report.unstartedRuns, 'run')} not started`;
  return counts;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
