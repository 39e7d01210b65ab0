/**
 * The summary table, as dstest prints it: per test, failed and total runs
 * and the wall time per run as mean ± population stddev; in simulation also
 * the virtual time, which should match the Go lab's wall time.
 */
import Table from 'cli-table3';
import type { RunningStats } from '../runner/stats.js';
import type { StressReport } from '../runner/stress.js';
import { red } from './color.js';

export interface TableOptions {
  color: boolean;
}

/** `mean ± stddev` to `digits` decimals (two, as dstest prints), or `-` when no run finished. */
export function formatMeanStddev(stats: RunningStats, digits = 2): string {
  if (stats.count === 0) return '-';
  return `${stats.mean.toFixed(digits)} ± ${stats.stddev.toFixed(digits)}`;
}

export function renderTable(report: Pick<StressReport, 'summaries' | 'realtime'>, options: TableOptions): string {
  const showSim = !report.realtime;
  const head = ['Test', 'Failed', 'Total', 'Time', ...(showSim ? ['Sim time'] : [])];
  const table = new Table({
    head,
    colAligns: ['left', 'right', 'right', 'right', 'right'],
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
      // A simulated run takes milliseconds of wall time: two decimals would read 0.00.
      formatMeanStddev(summary.wallSeconds, showSim ? 3 : 2),
      ...(showSim ? [formatMeanStddev(summary.simSeconds)] : []),
    ]);
  }
  return table.toString();
}
