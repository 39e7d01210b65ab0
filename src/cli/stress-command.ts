/**
 * The stress command: runs the selected tests, shows progress, prints the
 * table, and says how the process should exit. The first Ctrl-C stops it
 * gracefully (partial table, logs flushed, exit 130); a second one exits at once.
 */
import type { PoolOptions, RunPool } from '../runner/pool.js';
import { checkOutputDir } from '../runner/output-dir.js';
import { runMode, type RunSettings } from '../runner/settings.js';
import { stress, type StressOptions, type StressReport } from '../runner/stress.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { createProgressReporter, formatElapsed, formatFailure, type Every } from './progress.js';
import { Session, windowLine, windowOptions, type SessionOptions } from './session.js';
import { renderTable } from './table.js';

/** Where Ctrl-C comes from: the process by default, an emitter in tests. */
export interface SignalSource {
  on(signal: 'SIGINT', listener: () => void): unknown;
  off(signal: 'SIGINT', listener: () => void): unknown;
}

export interface StressCommandDeps {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether stdout is a terminal a spinner can be drawn on; plain lines otherwise. */
  animate: boolean;
  color: boolean;
  nowMs: () => number;
  signals: SignalSource;
  /** Ends the process at once; used only for a second Ctrl-C. */
  exit: (code: number) => void;
  plainProgressIntervalMs: number;
  every?: Every;
  createPool?: (options: PoolOptions) => RunPool;
  /** The worker module for lab runs; the built one by default. */
  workerFile?: URL;
  /** The local time, for the reports' startedAt. */
  now?: () => Date;
}

/** Runs the stress command; bad output paths throw BadInputError before any run starts. */
export async function stressCommand(options: StressOptions, deps: StressCommandDeps, sessionOptions: SessionOptions = { timing: false }): Promise<ExitCode> {
  await checkOutputDir(options.outputDir);
  const { tests, iterations, seedBase, workers } = options;
  const session = new Session(sessionOptions, { tests, iterations, seedBase, workers, mode: runMode(options.settings), settings: options.settings }, deps.now?.() ?? new Date());
  await session.checkPaths();
  const cancel = new AbortController();
  const onInterrupt = () => {
    if (cancel.signal.aborted) deps.exit(ExitCode.Interrupted);
    else cancel.abort();
  };
  // Listen before saying anything, so that a Ctrl-C after the first line is always graceful.
  deps.signals.on('SIGINT', onInterrupt);
  try {
    return await runRounds(options, deps, session, sessionOptions, cancel.signal);
  } finally {
    deps.signals.off('SIGINT', onInterrupt);
  }
}

/** Round after round (one without --loop): progress, table, summary, reports; then the exit code. */
async function runRounds(options: StressOptions, deps: StressCommandDeps, session: Session, sessionOptions: SessionOptions, signal: AbortSignal): Promise<ExitCode> {
  deps.stdout.write(`seed base: ${options.seedBase}\n`);
  for (const line of checkLines(options.settings)) deps.stdout.write(`${line}\n`);

  const reporter = createProgressReporter({
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
  let reportError: unknown;
  for (const window of session.windows()) {
    const line = windowLine(window, sessionOptions);
    if (line !== undefined) deps.stdout.write(`${line}\n`);
    session.startRound();
    reporter.start(options.tests.length * window.size);
    try {
      report = await stress(windowOptions(options, window), {
        signal,
        wallClockMs: deps.nowMs,
        onRunFinished: (event) => {
          session.record(event);
          const { result, logPath, progress } = event;
          reporter.runFinished(progress, result.passed ? undefined : formatFailure(result, logPath));
        },
        ...(deps.createPool === undefined ? {} : { createPool: deps.createPool }),
        ...(deps.workerFile === undefined ? {} : { workerFile: deps.workerFile }),
      });
    } finally {
      reporter.stop();
    }
    failedRuns += report.failedRuns;
    // Until the table is out, a second Ctrl-C still means "quit at once".
    deps.stdout.write(`${renderTable(report, { color: deps.color, ...timingOf(session) })}\n`);
    deps.stdout.write(`${summaryLine(report, options.outputDir)}\n`);
    // Written after every round, so that a loop ended any way leaves its reports.
    reportError = await session.writeReports(deps.nowMs() - startedMs).then(() => undefined, (error: unknown) => error);
    if (!session.loops || report.interrupted || report.stoppedEarly || report.logError !== undefined || reportError !== undefined) break;
  }
  if (report === undefined) return ExitCode.Passed;
  if (reportError !== undefined) {
    deps.stderr.write(`raft-dstest: could not write a report: ${reportError instanceof Error ? reportError.message : String(reportError)}\n`);
    return ExitCode.Usage;
  }
  if (report.logError !== undefined) {
    const reason = report.logError instanceof Error ? report.logError.message : String(report.logError);
    deps.stderr.write(`raft-dstest: could not write logs to "${options.outputDir}": ${reason}\n`);
  }
  return exitCodeFor({ ...report, failedRuns });
}

/** Says up front which extra checks are on, since they change what a failure means. */
export function checkLines(options: Pick<RunSettings, 'strict' | 'checkDeterminism' | 'chargeCpu'>): string[] {
  const lines: string[] = [];
  if (options.strict) lines.push('strict mode on (-r): Raft invariants are checked after every event');
  if (options.checkDeterminism) lines.push('determinism check on: each run is done twice with its seed and must repeat event for event');
  if (options.chargeCpu) lines.push('CPU charged (--charge-cpu): wall time inside the Raft is added to virtual time, so runs no longer replay exactly');
  return lines;
}

function timingOf(session: Session): { timing?: Map<string, number[]> } {
  const timing = session.roundTiming();
  return timing === undefined ? {} : { timing };
}

/** `150/150 runs, 1 failed, 3.2s; 1 log in reports/…`, or how far an interrupted one got. */
export function summaryLine(report: StressReport, outputDir: string): string {
  const kept = report.logPaths.length;
  const logs = kept === 0 ? '' : `; ${kept} ${kept === 1 ? 'log' : 'logs'} in ${outputDir}`;
  const counts = `${report.completedRuns}/${report.plannedRuns} runs, ${report.failedRuns} failed, ${formatElapsed(report.wallMs)}${logs}`;
  if (report.interrupted) return `interrupted: ${counts}; ${report.cutOffRuns} runs cut off`;
  if (report.stoppedEarly) return `stopped after ${report.failedRuns} failed (-x/--max-failures): ${counts}; ${report.cutOffRuns} runs not started`;
  return counts;
}
