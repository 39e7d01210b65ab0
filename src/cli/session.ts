/**
 * What a stress command does around the engine: which windows of the plan
 * it runs (--shard, --loop), the per-run records it keeps for the -t columns
 * and for the --json and --junit reports, and writing those reports.
 * Per-run data comes from stress()'s onRunFinished events.
 */
import { runWindows, seedsFit, type RunWindow, type Shard } from '../runner/plan.js';
import { buildReport, formatJsonReport, interruptedRecord, runRecord, wallSecondsByTest, type InterruptedRecord, type RunRecord } from '../runner/report-json.js';
import { renderJUnit } from '../runner/report-junit.js';
import type { OutputFiles } from '../runner/output-files.js';
import { checkReportPath, writeReportFile } from '../runner/report-files.js';
import { replayCommand } from '../runner/replay.js';
import type { RunMode, RunSettings } from '../runner/settings.js';
import type { RunFinished, StressOptions } from '../runner/stress.js';
import { findTest } from '../suite/registry.js';
import { checkHtmlPath, writeHtmlReport } from './html-output.js';

export interface SessionOptions {
  /** Run only this shard of each round's runs. */
  shard?: Shard;
  /** Where --shard auto found the shard (`CI_NODE_INDEX=2, CI_NODE_TOTAL=4`), to say so. */
  shardSource?: string;
  /** With --loop: the factor iterations grow by after each round. Absent: one round. */
  growth?: number;
  json?: string;
  junit?: string;
  html?: string;
  /** The command line, for the HTML report. */
  command?: string;
  /** Add Min, p50, p95 and Max columns to the table. */
  timing: boolean;
  /** -p was not given: the workers are the machine's available parallelism, which the run says. */
  defaultWorkers?: true;
}

/** A report that could not be written: which, where, and why. */
export interface ReportFailure {
  flag: '--json' | '--junit' | '--html';
  path: string;
  error: Error;
}

export interface SessionPlan {
  tests: readonly string[];
  iterations: number;
  seedBase: number;
  workers: number;
  mode: RunMode;
  /** What shapes each run, for the HTML report's replay commands. */
  settings: RunSettings;
}

export class Session {
  /** Every finished run, kept only when a report needs them. */
  private readonly runs: RunRecord[] = [];
  /** Every run cut off in flight, likewise. */
  private readonly interrupted: InterruptedRecord[] = [];
  private roundRuns: RunRecord[] = [];

  constructor(
    readonly options: SessionOptions,
    private readonly plan: SessionPlan,
    private readonly startedAt: Date,
  ) {}

  get loops(): boolean {
    return this.options.growth !== undefined;
  }

  private get writesReports(): boolean {
    return this.options.json !== undefined || this.options.junit !== undefined || this.options.html !== undefined;
  }

  /** Throws ReportPathError for a report path that cannot be written; creates nothing. */
  async checkPaths(): Promise<void> {
    if (this.options.json !== undefined) await checkReportPath(this.options.json, '--json');
    if (this.options.junit !== undefined) await checkReportPath(this.options.junit, '--junit');
    if (this.options.html !== undefined) await checkHtmlPath(this.options.html);
  }

  /** The windows to run in turn; a loop ends early only if its seeds would pass the largest seed. */
  *windows(): Generator<RunWindow> {
    const windows = runWindows({
      iterations: this.plan.iterations,
      ...(this.options.growth === undefined ? {} : { growth: this.options.growth }),
      ...(this.options.shard === undefined ? {} : { shard: this.options.shard }),
    });
    for (const window of windows) {
      if (!seedsFit({ seedBase: this.plan.seedBase + window.first, iterations: window.size })) return;
      yield window;
    }
  }

  startRound(): void {
    this.roundRuns = [];
  }

  record({ result, logPath }: RunFinished): void {
    if (result.interrupted !== undefined) {
      if (this.writesReports) this.interrupted.push(interruptedRecord({ ...result, interrupted: result.interrupted }, logPath));
      return;
    }
    if (!this.writesReports && !this.options.timing) return;
    const record = runRecord(result, logPath);
    if (this.writesReports) this.runs.push(record);
    if (this.options.timing) this.roundRuns.push(record);
  }

  /** The -t samples of the round so far, or undefined without -t. */
  roundTiming(): Map<string, number[]> | undefined {
    return this.options.timing ? wallSecondsByTest(this.roundRuns) : undefined;
  }

  /**
   * Writes the reports asked for, with every run so far; called after each
   * round, so an interrupted loop keeps its data. Each report is written
   * whether or not the other could be; returns those that could not, and why.
   */
  async writeReports(wallMs: number, files?: OutputFiles): Promise<ReportFailure[]> {
    if (!this.writesReports) return [];
    const { seedBase, mode, workers, tests } = this.plan;
    const header = { seed: seedBase, mode, workers, startedAt: this.startedAt.toISOString(), wallMs, command: this.options.command ?? null };
    const report = buildReport(header, tests, this.runs, this.interrupted);
    const { settings } = this.plan;
    const wanted: Array<[ReportFailure['flag'], string | undefined, (path: string) => Promise<unknown>]> = [
      ['--json', this.options.json, (path) => writeReportFile(path, formatJsonReport(report), files)],
      ['--junit', this.options.junit, (path) => writeReportFile(path, renderJUnit(report, partOf), files)],
      ['--html', this.options.html, (path) => writeHtmlReport(path, report, { replayFor: (run) => replayCommand(settings, run.test, run.seed), ...(files === undefined ? {} : { files }) })],
    ];
    const failures: ReportFailure[] = [];
    for (const [flag, path, write] of wanted) {
      if (path === undefined) continue;
      await write(path).catch((error: unknown) => failures.push({ flag, path, error: error instanceof Error ? error : new Error(String(error)) }));
    }
    return failures;
  }
}

/** A registry test's part; none for a test the registry does not know (--exec). */
export function partOf(test: string): string | undefined {
  return findTest(test)?.part;
}

/** The engine's options for one window: its runs of the whole plan, with their k and seeds. */
export function windowOptions(options: StressOptions, window: RunWindow): StressOptions {
  return { ...options, firstK: window.first, iterations: window.size };
}

/** What a loop round or a shard says before it starts; nothing for a plain run. */
export function windowLine(window: RunWindow, options: SessionOptions): string | undefined {
  const runs = window.size === 0 ? 'no runs' : `runs ${window.first}–${window.first + window.size - 1} of each test`;
  const source = options.shardSource === undefined ? '' : ` (from ${options.shardSource})`;
  const shard = options.shard === undefined ? '' : `shard ${options.shard.index}/${options.shard.count}${source}: `;
  if (options.growth !== undefined) return `round ${window.round + 1}: ${window.roundIterations} iterations; ${shard}${runs}`;
  return options.shard === undefined ? undefined : `${shard}${runs}`;
}
