import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalSource } from '../../src/cli/stress-command.js';
import type { JsonReport } from '../../src/runner/report-json.js';
import { elementsNamed, parseXml } from '../runner/report-xml-check.js';
import { expectUsageError, runCli, tableRows } from './report-cli-helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-report-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as JsonReport;

describe('--json', () => {
  it('writes every run and per-test figures that match the table', async () => {
    const out = join(root, 'out');
    const json = join(root, 'reports', 'run.json');
    const { code, stdout } = await runCli(['2A', '-n', '3', '-p', '2', '--seed', '40', '-o', out, '--json', json], (task) => ({
      wallMs: 10 + task.k * 10,
      ...(task.test === 'TestReElection2A' && task.k === 2 ? { passed: false, error: 'no leader\ndetail' } : {}),
    }));
    expect(code).toBe(1);
    const report = await readJson(json);
    expect(report).toMatchObject({ version: 1, seed: 40, mode: 'sim', workers: 2, startedAt: new Date(2025, 5, 7, 8, 9, 10).toISOString() });
    expect(typeof report.wallMs).toBe('number');
    expect(report.runs).toHaveLength(9);
    expect(report.runs.slice(0, 3).map((r) => [r.test, r.k, r.seed])).toEqual([
      ['TestInitialElection2A', 0, 40],
      ['TestInitialElection2A', 1, 41],
      ['TestInitialElection2A', 2, 42],
    ]);
    const failed = report.runs.filter((r) => !r.passed);
    expect(failed).toEqual([
      { test: 'TestReElection2A', k: 2, seed: 42, passed: false, wallMs: 30, simMs: 3000, raftMs: null, saves: null, savedBytes: null, error: 'no leader\ndetail', log: join(out, 'TestReElection2A_2.log') },
    ]);
    expect(report.runs.filter((r) => r.passed).every((r) => r.error === null && r.log === null)).toBe(true);
    // The table's rows and the report's tests agree: counts exactly, times to the table's precision.
    const rows = tableRows(stdout).slice(1);
    expect(rows.map((row) => [row[0], row[1], row[2], row[3]])).toEqual(
      report.tests.map((t) => [t.name, String(t.failed), String(t.runs), `${(t.meanMs! / 1000).toFixed(3)} ± ${(t.stdMs! / 1000).toFixed(3)}`]),
    );
    expect(report.tests[1]).toMatchObject({ name: 'TestReElection2A', runs: 3, failed: 1, meanMs: 20, meanSimMs: 3000, stdSimMs: 0 });
  });

  it('has null virtual times in realtime mode', async () => {
    const json = join(root, 'r.json');
    await runCli(['TestReElection2A', '-n', '1', '--realtime', '-o', root, '--json', json]);
    const report = await readJson(json);
    expect(report.mode).toBe('realtime');
    expect(report.runs[0]!.simMs).toBeNull();
    expect(report.tests[0]).toMatchObject({ meanSimMs: null, stdSimMs: null });
  });

  it('is written on Ctrl-C too, with the runs that finished', async () => {
    const signals = new EventEmitter();
    const json = join(root, 'r.json');
    let started = 0;
    const { code } = await runCli(
      ['TestReElection2A', '-n', '10', '-p', '1', '--seed', '1', '-o', root, '--json', json],
      () => {
        started += 1;
        if (started === 3) signals.emit('SIGINT');
        return {};
      },
      { signals: signals as SignalSource },
    );
    expect(code).toBe(130);
    const report = await readJson(json);
    // The third run was in flight: cut off, listed apart, counted in neither.
    expect(report.runs.map((r) => r.k)).toEqual([0, 1]);
    expect(report.interrupted).toEqual([{ test: 'TestReElection2A', k: 2, seed: 3, wallMs: 10, reason: 'cut off by SIGINT after 0.01s', log: join(root, 'TestReElection2A_2.log') }]);
    expect(report.tests[0]).toMatchObject({ runs: 2, failed: 0 });
  });
});

describe('--junit', () => {
  it('writes well-formed JUnit XML with one testcase per run and each failure with its log', async () => {
    const out = join(root, 'out');
    const junit = join(root, 'junit.xml');
    const { code } = await runCli(['TestInitialElection2A', 'TestBasicAgree2B', '-n', '2', '--seed', '9', '-o', out, '--junit', junit], (task) =>
      task.test === 'TestBasicAgree2B' && task.k === 1 ? { passed: false, error: 'agreement <failed> & "x"\u0001' } : {},
    );
    expect(code).toBe(1);
    const xml = parseXml(await readFile(junit, 'utf8'));
    expect(elementsNamed(xml, 'testcase').map((c) => `${c.attrs.classname} ${c.attrs.name}`)).toEqual([
      'raft-dstest.2A TestInitialElection2A #0 (seed 9)',
      'raft-dstest.2A TestInitialElection2A #1 (seed 10)',
      'raft-dstest.2B TestBasicAgree2B #0 (seed 9)',
      'raft-dstest.2B TestBasicAgree2B #1 (seed 10)',
    ]);
    const failures = elementsNamed(xml, 'failure');
    expect(failures.map((f) => [f.attrs.message, f.text])).toEqual([
      ['agreement <failed> & "x"', `agreement <failed> & "x"\nlog: ${join(out, 'TestBasicAgree2B_1.log')}`],
    ]);
  });
});

describe('-t/--timing', () => {
  it('adds min, p50, p95 and max of the wall seconds per run', async () => {
    const { stdout } = await runCli(['TestReElection2A', '-n', '20', '-o', root, '-t'], (task) => ({ wallMs: (task.k + 1) * 100 }));
    const [head, row] = tableRows(stdout);
    expect(head).toEqual(['Test', 'Failed', 'Total', 'Time', 'Min', 'p50', 'p95', 'Max', 'Sim time']);
    // 0.1 … 2.0 s: nearest-rank p50 is the 10th (1.0), p95 the 19th (1.9).
    expect(row!.slice(4, 8)).toEqual(['0.100', '1.000', '1.900', '2.000']);
  });

  it('is off by default', async () => {
    const { stdout } = await runCli(['TestReElection2A', '-n', '1', '-o', root]);
    expect(tableRows(stdout)[0]).not.toContain('p95');
  });
});

describe('selection by pattern', () => {
  it('runs the tests a regular expression matches, in registry order', async () => {
    const { code, pool } = await runCli(['Persist.2C', 'Figure8', '-n', '1', '-o', root]);
    expect(code).toBe(0);
    expect(pool.started.map((t) => t.test)).toEqual(['TestPersist12C', 'TestPersist22C', 'TestPersist32C', 'TestFigure82C', 'TestFigure8Unreliable2C']);
  });

  it('lists only the tests the patterns select, with their parts', async () => {
    const { code, stdout } = await runCli(['--list', 'Figure8', '2A']);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n').map((line) => line.split(/\s+/))).toEqual([
      ['TestInitialElection2A', '2A'],
      ['TestReElection2A', '2A'],
      ['TestManyElections2A', '2A'],
      ['TestFigure82C', '2C'],
      ['TestFigure8Unreliable2C', '2C'],
    ]);
  });
});

describe('--shard', () => {
  it('runs its block of each test\'s runs with the unsharded seeds, naming logs by the run\'s k in the whole plan', async () => {
    const out = join(root, 'out');
    const { code, stdout, pool } = await runCli(['TestReElection2A', 'TestBasicAgree2B', '-n', '5', '--seed', '100', '--shard', '2/2', '-o', out], (task) => ({
      passed: task.k !== 3,
    }));
    expect(code).toBe(1);
    expect(stdout).toContain('shard 2/2: runs 2–4 of each test\n');
    expect(pool.started.map((t) => `${t.test}#${t.k}@${t.seed}`)).toEqual([
      'TestReElection2A#2@102',
      'TestBasicAgree2B#2@102',
      'TestReElection2A#3@103',
      'TestBasicAgree2B#3@103',
      'TestReElection2A#4@104',
      'TestBasicAgree2B#4@104',
    ]);
    expect(stdout).toContain(`FAIL TestReElection2A #3 (seed 103)`);
    expect((await readdir(out)).sort()).toEqual(['TestBasicAgree2B_3.log', 'TestReElection2A_3.log']);
  });

  it('together, the shards run exactly the unsharded plan', async () => {
    const whole = (await runCli(['2A', '-n', '7', '--seed', '3', '-o', root])).pool.started.map((t) => `${t.test}#${t.k}@${t.seed}`);
    const shards: string[] = [];
    for (const i of [1, 2, 3]) {
      shards.push(...(await runCli(['2A', '-n', '7', '--seed', '3', '--shard', `${i}/3`, '-o', root])).pool.started.map((t) => `${t.test}#${t.k}@${t.seed}`));
    }
    expect(shards.sort()).toEqual(whole.sort());
    expect(new Set(shards).size).toBe(21);
  });
});

describe('bad input for selection, reports and shards', () => {
  const rejects = (argv: string[], message: string) => expectUsageError(argv, message, join(root, 'never'));

  it('rejects a pattern that matches nothing', () => rejects(['2A', 'Foo'], 'no test matches "Foo"; give test names (see --list), a part (2A, 2B, 2C, 2D), "all" or a regular expression'));
  it('rejects a near-miss name, suggesting the test', () =>
    rejects(['TestBasicAgre2B'], 'no test matches "TestBasicAgre2B" (did you mean TestBasicAgree2B?)'));
  it('rejects an invalid regular expression', () =>
    rejects(['Test('], 'no test matches "Test(": not a test name, a part (2A, 2B, 2C, 2D), "all" or a valid regular expression (Invalid regular expression: /Test(/: Unterminated group)'));
  it('rejects --list with a pattern that matches nothing', () => rejects(['--list', 'Nope'], 'no test matches "Nope"; give test names (see --list), a part (2A, 2B, 2C, 2D), "all" or a regular expression'));
  it.each(['3/2', '0/2', 'a/b', '1/0', '2', '1/2/3', '-1/2', ''])('rejects --shard %j', (value) =>
    rejects(['2A', '--seed', '1', '--shard', value], `--shard must be <i>/<n> with whole numbers 1 ≤ i ≤ n (e.g. 2/4), or auto, got "${value}"`),
  );
  it('rejects --shard without --seed', () => rejects(['2A', '--shard', '1/2'], '--shard needs --seed so every shard plans the same runs'));
  it.each(['0', 'x', '1.5'])('rejects -g %j', (value) => rejects(['2A', '-l', '-g', value], `-g/--growth must be a whole number of at least 1, got "${value}"`));

  it('rejects a --json path through a file, and a --junit path that is a directory, creating nothing', async () => {
    const file = join(root, 'file');
    await writeFile(file, '');
    await rejects(['2A', '--json', join(file, 'r.json')], `cannot write --json report "${join(file, 'r.json')}": ${file} is not a directory`);
    await mkdir(join(root, 'dir'));
    await rejects(['2A', '--junit', join(root, 'dir')], `cannot write --junit report "${join(root, 'dir')}": it is a directory`);
    expect((await readdir(root)).sort()).toEqual(['dir', 'file']);
  });
});
