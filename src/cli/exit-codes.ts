import type { StressReport } from '../runner/stress.js';

/** The process's exit codes, as DESIGN §6 fixes them. */
export const ExitCode = {
  /** Every run passed. */
  Passed: 0,
  /** At least one run failed. */
  Failed: 1,
  /** Bad usage: unknown test, bad number, bad path. */
  Usage: 2,
  /** Interrupted by Ctrl-C (128 + SIGINT), after the partial table. */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(report: Pick<StressReport, 'interrupted' | 'failedRuns' | 'logError'>): ExitCode {
  if (report.interrupted) return ExitCode.Interrupted;
  // Logs that could not be written are the tool failing its job: a bad path.
  if (report.logError !== undefined) return ExitCode.Usage;
  return report.failedRuns > 0 ? ExitCode.Failed : ExitCode.Passed;
}
