/**
 * The summary table, as dstest prints it: per test, failed and total runs
 * and the wall time per run as mean ± population stddev; in simulation also
 * the virtual time, which should match the Go lab's wall time. For lab runs
 * (not --exec) it also shows the wall time spent inside the Raft, so that a
 * Raft that burns CPU stands out even where virtual time hides it.
 */
import Table from 'cli-table3';
import { spreadOf, type RunningStats } from '../runner/stats.js';
import { formatBytes } from '../runner/save-report.js';
import type { StressReport, TestSummary } from '../runner/stress.js';
import { red } from './color.js';

export interface TableOptions {
  color: boolean;
  /**
   * With -t: each test's wall seconds per run, which add the Min, p50, p95
   * and Max columns (percentiles by nearest rank, see spreadOf), and for lab
   * runs the Saves and Saved columns: the Raft's saves per run and the bytes
   * they held, as means.
   */
  timing?: ReadonlyMap<string, readonly number[]>;
}

/** `mean ± stddev` to `digits` decimals (two, as dstest prints), or `-` when no run finished. */
export function formatMeanStddev(stats: RunningStats, digits = 2): string {
  if (stats.count === 0) return '-';
  return `${stats.mean.toFixed(digits)} ± ${stats.stddev.toFixed(digits)}`;
}

export function renderTable(report: Pick<StressReport, 'summaries' | 'realtime'>, options: TableOptions): string {
  const showSim = !report.realtime;
  const showRaft = report.summaries.some((summary) => summary.raftSeconds.count > 0);
  // A simulated run takes milliseconds of wall time: two decimals would read 0.00.
  const wallDigits = showSim ? 3 : 2;
  const { timing } = options;
  // With -t, what the Raft saved per run: a save that grows with the log shows here first.
  const showSaves = timing !== undefined && report.summaries.some((summary) => (summary.saves?.count ?? 0) > 0);
  const head = [
    'Test',
    'Failed',
    'Total',
    'Time',
    ...(timing ? ['Min', 'p50', 'p95', 'Max'] : []),
    ...(showRaft ? ['In Raft'] : []),
    ...(showSaves ? ['Saves', 'Saved'] : []),
    ...(showSim ? ['Sim time'] : []),
  ];
  const table = new Table({
    head,
    colAligns: ['left', ...head.slice(1).map(() => 'right' as const)],
    // No rule between body rows, as dstest prints it: the rows stay scannable when there are many.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    // cli-table3 colours the header and border by default; colour is ours to decide.
    style: { head: [], border: [] },
  });
  for (const summary of report.summaries) {
    const failed = String(summary.failed);
    table.push([
      summary.test,
      options.color && summary.failed > 0 ? red(failed) : failed,
      String(summary.total),
      formatMeanStddev(summary.wallSeconds, wallDigits),
      ...(timing ? spreadCells(timing.get(summary.test) ?? [], wallDigits) : []),
      ...(showRaft ? [formatMeanStddev(summary.raftSeconds, wallDigits)] : []),
      ...(showSaves ? saveCells(summary) : []),
      ...(showSim ? [formatMeanStddev(summary.simSeconds)] : []),
    ]);
  }
  return table.toString();
}

/** The mean saves per run and the mean bytes they held, or `-` where no run counted any. */
function saveCells(summary: TestSummary): string[] {
  const { saves, savedBytes } = summary;
  if (saves === undefined || savedBytes === undefined || saves.count === 0) return ['-', '-'];
  return [String(Math.round(saves.mean)), formatBytes(Math.round(savedBytes.mean))];
}

function spreadCells(samples: readonly number[], digits: number): string[] {
  if (samples.length === 0) return ['-', '-', '-', '-'];
  const { min, p50, p95, max } = spreadOf(samples);
  return [min, p50, p95, max].map((seconds) => seconds.toFixed(digits));
}
