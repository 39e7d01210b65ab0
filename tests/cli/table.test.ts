import { describe, expect, it } from 'vitest';
import { formatMeanStddev, renderTable } from '../../src/cli/table.js';
import { RunningStats } from '../../src/runner/stats.js';
import type { TestSummary } from '../../src/runner/stress.js';
import { hasEscapeCodes } from './helpers.js';

function stats(values: number[]): RunningStats {
  const s = new RunningStats();
  for (const v of values) s.add(v);
  return s;
}

function summary(test: string, failed: number, wall: number[], sim: number[], raft: number[] = []): TestSummary {
  return { test, failed, total: wall.length, wallSeconds: stats(wall), simSeconds: stats(sim), raftSeconds: stats(raft) };
}

const summaries = [
  summary('TestInitialElection2A', 0, [0.01, 0.03], [3.1, 3.3]),
  summary('TestReElection2A', 2, [1, 2, 3], [5, 5, 5]),
];

/** The table's body rows, as arrays of trimmed cells. */
function rows(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
}

describe('formatMeanStddev', () => {
  it('prints mean ± population stddev to two decimals', () => {
    expect(formatMeanStddev(stats([1, 2, 3]))).toBe('2.00 ± 0.82');
    expect(formatMeanStddev(stats([3.14159]))).toBe('3.14 ± 0.00');
  });

  it('prints - when no run finished', () => {
    expect(formatMeanStddev(new RunningStats())).toBe('-');
  });
});

describe('renderTable', () => {
  it('has Test, Failed, Total, Time and, in simulation, Sim time', () => {
    const table = renderTable({ summaries, realtime: false }, { color: false });
    expect(rows(table)).toEqual([
      ['Test', 'Failed', 'Total', 'Time', 'Sim time'],
      ['TestInitialElection2A', '0', '2', '0.020 ± 0.010', '3.20 ± 0.10'],
      ['TestReElection2A', '2', '3', '2.000 ± 0.816', '5.00 ± 0.00'],
    ]);
  });

  it('shows the wall time spent inside the Raft when the runs report it (lab runs, not --exec)', () => {
    const measured = [summary('TestInitialElection2A', 0, [0.01, 0.03], [3.1, 3.3], [0.004, 0.006]), summary('TestReElection2A', 2, [1, 2, 3], [5, 5, 5], [0.5, 1, 1.5])];
    expect(rows(renderTable({ summaries: measured, realtime: false }, { color: false }))).toEqual([
      ['Test', 'Failed', 'Total', 'Time', 'In Raft', 'Sim time'],
      ['TestInitialElection2A', '0', '2', '0.020 ± 0.010', '0.005 ± 0.001', '3.20 ± 0.10'],
      ['TestReElection2A', '2', '3', '2.000 ± 0.816', '1.000 ± 0.408', '5.00 ± 0.00'],
    ]);
    expect(rows(renderTable({ summaries: measured, realtime: true }, { color: false }))[0]).toEqual(['Test', 'Failed', 'Total', 'Time', 'In Raft']);
  });

  it('has no Sim time column in realtime', () => {
    const table = renderTable({ summaries, realtime: true }, { color: false });
    expect(rows(table)[0]).toEqual(['Test', 'Failed', 'Total', 'Time']);
    expect(table).not.toContain('Sim time');
  });

  it('has no escape codes at all without colour', () => {
    expect(hasEscapeCodes(renderTable({ summaries, realtime: false }, { color: false }))).toBe(false);
  });

  it('colours a failed count above 0 red, and only that cell', () => {
    const table = renderTable({ summaries, realtime: false }, { color: true });
    expect(table).toContain('\u001b[31m2\u001b[39m');
    expect(table.split('\u001b[31m')).toHaveLength(2);
  });
});
