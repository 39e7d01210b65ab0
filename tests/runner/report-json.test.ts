import { describe, expect, it } from 'vitest';
import { buildReport, formatJsonReport, parseJsonReport, ReportFormatError, runRecord, summariesOf, type RunRecord } from '../../src/runner/report-json.js';
import type { RunResult } from '../../src/runner/protocol.js';

const header = { seed: 100, mode: 'sim' as const, workers: 2, startedAt: '2025-06-07T08:09:10.000Z', wallMs: 50 };

function run(test: string, k: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return { test, k, seed: 100 + k, passed: true, wallMs: 10, simMs: 3000, raftMs: 2, saves: 4, savedBytes: 120, error: null, log: null, ...overrides };
}

describe('runRecord', () => {
  it('keeps a run\'s outcome, with null for what it has not', () => {
    const passed: RunResult = { test: 'TestA', k: 3, seed: 103, passed: true, wallMs: 4, log: ['x'] };
    expect(runRecord(passed, undefined)).toEqual({ test: 'TestA', k: 3, seed: 103, passed: true, wallMs: 4, simMs: null, raftMs: null, saves: null, savedBytes: null, error: null, log: null });
    const failed: RunResult = { ...passed, passed: false, error: 'no leader', simMs: 5000, raftMs: 1.5, saves: { count: 12, bytes: 340, ms: 0.5 } };
    expect(runRecord(failed, 'out/TestA_3.log')).toEqual({
      ...runRecord(passed, undefined),
      passed: false,
      simMs: 5000,
      raftMs: 1.5,
      saves: 12,
      savedBytes: 340,
      error: 'no leader',
      log: 'out/TestA_3.log',
    });
  });
});

describe('buildReport', () => {
  it('has exactly the version-1 fields, tests in the given order and runs sorted by test then k', () => {
    const runs = [run('TestB', 1), run('TestA', 1, { wallMs: 30, simMs: 5000, raftMs: 4 }), run('TestB', 0, { passed: false, error: 'x' }), run('TestA', 0)];
    const report = buildReport(header, ['TestA', 'TestB', 'TestC'], runs);
    expect(Object.keys(report)).toEqual(['version', 'seed', 'mode', 'workers', 'startedAt', 'wallMs', 'command', 'tests', 'runs', 'interrupted']);
    expect(report.command).toBeNull();
    expect(buildReport({ ...header, command: 'raft-dstest 2A' }, [], []).command).toBe('raft-dstest 2A');
    expect(report.version).toBe(1);
    expect(report.runs.map((r) => `${r.test}#${r.k}`)).toEqual(['TestA#0', 'TestA#1', 'TestB#0', 'TestB#1']);
    expect(report.tests).toEqual([
      { name: 'TestA', runs: 2, failed: 0, meanMs: 20, stdMs: 10, meanSimMs: 4000, stdSimMs: 1000, meanRaftMs: 3, stdRaftMs: 1 },
      { name: 'TestB', runs: 2, failed: 1, meanMs: 10, stdMs: 0, meanSimMs: 3000, stdSimMs: 0, meanRaftMs: 2, stdRaftMs: 0 },
      { name: 'TestC', runs: 0, failed: 0, meanMs: null, stdMs: null, meanSimMs: null, stdSimMs: null, meanRaftMs: null, stdRaftMs: null },
    ]);
  });

  it('has null virtual times outside the simulator', () => {
    const report = buildReport({ ...header, mode: 'realtime' }, ['TestA'], [run('TestA', 0, { simMs: null })]);
    expect(report.tests[0]).toMatchObject({ meanMs: 10, meanSimMs: null, stdSimMs: null });
  });

  it('gives the table the same counts and seconds', () => {
    const report = buildReport(header, ['TestA'], [run('TestA', 0, { wallMs: 1000 }), run('TestA', 1, { wallMs: 3000, passed: false, error: 'e' })]);
    const [summary] = summariesOf(report);
    expect(summary).toMatchObject({ test: 'TestA', total: 2, failed: 1 });
    expect(summary!.wallSeconds.mean).toBe(2);
    expect(summary!.simSeconds.mean).toBe(3);
  });
});

describe('parseJsonReport', () => {
  it('reads a report written before runs could be cut off as having none, and checks the entries of one that has them', () => {
    const report = buildReport({ seed: 1, mode: 'sim', workers: 1, startedAt: '2025-06-07T08:09:10.000Z', wallMs: 5 }, ['TestA'], []);
    const { interrupted: _none, ...older } = report;
    expect(parseJsonReport(JSON.stringify(older)).interrupted).toEqual([]);
    const cut = { test: 'TestA', k: 0, seed: 1, wallMs: 3, reason: 'cut off by SIGINT after 0.00s', log: null };
    expect(parseJsonReport(JSON.stringify({ ...report, interrupted: [cut] })).interrupted).toEqual([cut]);
    expect(() => parseJsonReport(JSON.stringify({ ...report, interrupted: [{ ...cut, reason: 7 }] }))).toThrow('interrupted[0].reason is the wrong kind of value (7)');
  });

  const good = buildReport(header, ['TestA'], [run('TestA', 0), run('TestA', 1, { passed: false, error: 'boom', log: 'out/TestA_1.log' })]);

  it('reads back what formatJsonReport wrote', () => {
    expect(parseJsonReport(formatJsonReport(good))).toEqual(good);
    const withCommand = { ...good, command: 'raft-dstest 2A -n 2' };
    expect(parseJsonReport(formatJsonReport(withCommand))).toEqual(withCommand);
  });

  it('reads a report written before reports had a command as having none', () => {
    const { command: _, ...older } = good;
    expect(parseJsonReport(JSON.stringify(older))).toEqual({ ...good, command: null });
    expect(() => parseJsonReport(JSON.stringify({ ...good, command: 5 }))).toThrow('the report.command is the wrong kind of value (5)');
  });

  it.each([
    ['not JSON', 'not json', /^not JSON/],
    ['another version', JSON.stringify({ ...good, version: 2 }), 'version is 2, expected 1'],
    ['a package.json', '{"name": "x", "version": "1.0.0"}', 'version is "1.0.0", expected 1'],
    ['an array', '[]', 'the report is not an object'],
    ['an object without a version', '{"name": "x"}', 'version is missing, expected 1'],
    ['a bad mode', JSON.stringify({ ...good, mode: 'go' }), 'mode is "go", expected one of sim, realtime, exec'],
    ['runs missing', JSON.stringify({ ...good, runs: undefined }), 'runs is not an array'],
    ['a run without k', JSON.stringify({ ...good, runs: [{ ...good.runs[0], k: undefined }] }), 'runs[0].k is missing'],
    ['a negative seed', JSON.stringify({ ...good, seed: -1 }), 'the report.seed is the wrong kind of value (-1)'],
  ])('rejects %s, saying why', (_, text, message) => {
    expect(() => parseJsonReport(text)).toThrow(ReportFormatError);
    expect(() => parseJsonReport(text)).toThrow(message);
  });
});
