import { describe, expect, it } from 'vitest';
import { mergeReports, MergeError } from '../../src/runner/merge.js';
import { buildReport, type JsonReport, type RunRecord } from '../../src/runner/report-json.js';

function run(test: string, k: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return { test, k, seed: 100 + k, passed: true, wallMs: 10, simMs: 3000, raftMs: 2, saves: 4, savedBytes: 120, error: null, log: null, ...overrides };
}

function report(runs: RunRecord[], overrides: Partial<JsonReport> = {}): JsonReport {
  const header = { seed: 100, mode: 'sim' as const, workers: 2, startedAt: '2025-06-07T08:09:10.000Z', wallMs: 50 };
  return { ...buildReport(header, ['TestA', 'TestB'], runs), ...overrides };
}

describe('mergeReports', () => {
  it('joins the runs of the shards into the report one machine would have written', () => {
    const one = report([run('TestA', 0), run('TestB', 0, { passed: false, error: 'x' })], { startedAt: '2025-06-07T08:09:12.000Z', wallMs: 70 });
    const two = report([run('TestA', 1, { wallMs: 30 }), run('TestB', 1)], { workers: 4 });
    const merged = mergeReports([
      { file: 'one.json', report: one },
      { file: 'two.json', report: two },
    ]);
    const whole = buildReport({ seed: 100, mode: 'sim', workers: 6, startedAt: '2025-06-07T08:09:10.000Z', wallMs: 70 }, ['TestA', 'TestB'], [
      ...one.runs,
      ...two.runs,
    ]);
    expect(merged).toEqual(whole);
    expect(merged.tests.map((t) => [t.name, t.runs, t.failed, t.meanMs])).toEqual([
      ['TestA', 2, 0, 20],
      ['TestB', 2, 1, 10],
    ]);
  });

  it('keeps the runs each shard had cut off, apart from the counts', () => {
    const cut = { test: 'TestB', k: 1, seed: 101, wallMs: 4, reason: 'cut off by SIGTERM after 0.00s', log: 'out/TestB_1.log' };
    const one = report([run('TestA', 0)]);
    const two = { ...report([run('TestA', 1)]), interrupted: [cut] };
    const merged = mergeReports([
      { file: 'one.json', report: one },
      { file: 'two.json', report: two },
    ]);
    expect(merged.interrupted).toEqual([cut]);
    expect(merged.tests.map((t) => [t.name, t.runs])).toEqual([
      ['TestA', 2],
      ['TestB', 0],
    ]);
  });

  it('keeps the shards\' command lines, one per line, each once', () => {
    const shard = (k: number, command: string | null) => ({ file: `${k}.json`, report: report([run('TestA', k)], { command }) });
    expect(mergeReports([shard(0, 'raft-dstest 2A --shard auto'), shard(1, 'raft-dstest 2A --shard auto')]).command).toBe('raft-dstest 2A --shard auto');
    expect(mergeReports([shard(0, 'raft-dstest 2A --shard 1/2'), shard(1, null), shard(2, 'raft-dstest 2A --shard 2/2')]).command).toBe(
      'raft-dstest 2A --shard 1/2\nraft-dstest 2A --shard 2/2',
    );
    expect(mergeReports([shard(0, null), shard(1, null)]).command).toBeNull();
  });

  it('refuses reports of another seed base or mode, naming the file', () => {
    const base = { file: 'a.json', report: report([run('TestA', 0)]) };
    expect(() => mergeReports([base, { file: 'b.json', report: report([run('TestA', 1)], { seed: 5 }) }])).toThrow(
      new MergeError('b.json has seed 5 but a.json has seed 100; only shards run with the same --seed merge'),
    );
    expect(() => mergeReports([base, { file: 'b.json', report: report([run('TestA', 1)], { mode: 'realtime' }) }])).toThrow(/^b\.json was run in mode realtime/);
  });

  it('refuses a run that two reports both have', () => {
    const a = { file: 'a.json', report: report([run('TestA', 0), run('TestA', 1)]) };
    const b = { file: 'b.json', report: report([run('TestA', 1)]) };
    expect(() => mergeReports([a, b])).toThrow('b.json repeats run TestA #1, already in a.json');
  });

  it('needs at least one report', () => {
    expect(() => mergeReports([])).toThrow(MergeError);
  });
});
