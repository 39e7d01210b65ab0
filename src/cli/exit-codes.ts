import type { StressReport } from '../runner/stress.js';

/** The process's exit codes, as DESIGN §6 fixes them. */
export const ExitCode = {
  /** Every run passed. */
  Passed: 0,
  /** At least one run failed. */
  Failed: 1,
  /** Bad usage: unknown test, bad number, bad path; or, when no run failed, logs or reports that could not be written. */
  Usage: 2,
  /** Stopped by SIGHUP (128 + 1), after the partial table. */
  HungUp: 129,
  /** Interrupted by Ctrl-C (128 + SIGINT), after the partial table. */
  Interrupted: 130,
  /** Stopped by SIGTERM (128 + 15): a CI cancel, `timeout`, `docker stop`; after the partial table. */
  Terminated: 143,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The signals that stop a stress run gracefully, and the exit code each ends it with (128 + its number, as a shell reports it). */
export const STOP_SIGNALS = { SIGINT: ExitCode.Interrupted, SIGTERM: ExitCode.Terminated, SIGHUP: ExitCode.HungUp } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * How a stress run ends: a signal's own code when one stopped it; else 1 if
 * any run failed, whatever else went wrong (a write error must not hide a
 * failure); else 2 if a log or report could not be written; else 0.
 */
export function exitCodeFor(report: Pick<StressReport, 'interrupted' | 'interruptedBy' | 'failedRuns'>, writeFailed = false): ExitCode {
  if (report.interrupted) return STOP_SIGNALS[report.interruptedBy as StopSignal] ?? ExitCode.Interrupted;
  if (report.failedRuns > 0) return ExitCode.Failed;
  return writeFailed ? ExitCode.Usage : ExitCode.Passed;
}
