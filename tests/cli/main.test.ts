import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalSource } from '../../src/cli/stress-command.js';
import { hasEscapeCodes, hasSpinnerFrames } from './helpers.js';
import { runCli } from './report-cli-helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-cli-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs the command line in-process, on a pool without threads and streams that are not terminals. */
const cli = runCli;

describe('raft-dstest (in process)', () => {
  it('runs the named tests, prints the seed base and a table, and exits 0 when all pass', async () => {
    const out = join(root, 'out');
    const { code, stdout, stderr, pool } = await cli(['2A', '-n', '2', '-p', '2', '--seed', '0x10', '-o', out]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe('seed base: 16');
    for (const test of ['TestInitialElection2A', 'TestReElection2A', 'TestManyElections2A']) {
      expect(stdout).toMatch(new RegExp(`│ ${test} +│ +0 │ +2 │ +0\\.010 ± 0\\.000 │ +3\\.00 ± 0\\.00 │`));
    }
    expect(pool.started.map((t) => t.seed)).toEqual([16, 16, 16, 17, 17, 17]);
    expect(stdout).toContain('6/6 runs, 0 failed');
    expect(hasEscapeCodes(stdout)).toBe(false);
    expect(hasSpinnerFrames(stdout)).toBe(false);
    // Nothing failed, nothing archived: no directory.
    expect(existsSync(out)).toBe(false);
  });

  it('announces each failure with its log, writes the log, and exits 1', async () => {
    const out = join(root, 'out');
    const { code, stdout } = await cli(['TestReElection2A', '-n', '3', '--seed', '100', '-o', out], (task) =>
      task.k === 1 ? { passed: false, error: 'expected one leader, got none\nmore detail' } : {},
    );
    expect(code).toBe(1);
    const logPath = join(out, 'TestReElection2A_1.log');
    expect(stdout).toContain(`FAIL TestReElection2A #1 (seed 101): expected one leader, got none — log: ${logPath}\n`);
    expect(stdout).toMatch(/│ TestReElection2A +│ +1 │ +3 │/);
    expect(stdout).toContain(`3/3 runs, 1 failed`);
    expect(stdout).toContain(`1 log in ${out}`);
    expect(await readdir(out)).toEqual(['TestReElection2A_1.log']);
    expect((await readFile(logPath, 'utf8')).split('\n').slice(0, 3)).toEqual([
      '# test: TestReElection2A',
      '# seed: 101',
      '# replay: npx raft-dstest TestReElection2A --seed 101 -n 1',
    ]);
  });

  it('says up front that strict mode and the determinism check are on, and hands them to every run and replay command', async () => {
    const out = join(root, 'out');
    const { code, stdout, pool } = await cli(['TestReElection2A', '-n', '2', '-p', '1', '--seed', '5', '-r', '--check-determinism', '-o', out], (task) =>
      task.k === 0 ? { passed: false, error: 'strict mode: election safety violated at 1.0000s: S0 and S1 were both leader of term 2' } : {},
    );
    expect(code).toBe(1);
    expect(stdout.split('\n').slice(0, 3)).toEqual([
      'seed base: 5',
      'strict mode on (-r): Raft invariants are checked after every event',
      'determinism check on: each run is done twice with its seed and must repeat event for event',
    ]);
    expect(pool.started.map((t) => [t.settings.strict, t.settings.checkDeterminism])).toEqual([
      [true, true],
      [true, true],
    ]);
    const log = await readFile(join(out, 'TestReElection2A_0.log'), 'utf8');
    expect(log.split('\n')[2]).toBe('# replay: npx raft-dstest TestReElection2A --seed 5 -n 1 -r --check-determinism');
  });

  it('--charge-cpu says so up front and reaches every run and replay command', async () => {
    const out = join(root, 'out');
    const { stdout, pool } = await cli(['TestReElection2A', '-n', '2', '-p', '1', '--seed', '5', '--charge-cpu', '-o', out], (task) =>
      task.k === 1 ? { passed: false, error: 'expected one leader, got none' } : {},
    );
    expect(stdout.split('\n')[1]).toBe('CPU charged (--charge-cpu): wall time inside the Raft is added to virtual time, so runs no longer replay exactly');
    expect(pool.started.map((t) => t.settings.chargeCpu)).toEqual([true, true]);
    const log = await readFile(join(out, 'TestReElection2A_1.log'), 'utf8');
    expect(log.split('\n')[2]).toBe('# replay: npx raft-dstest TestReElection2A --seed 6 -n 1 --charge-cpu');
  });

  it('-R turns strict mode back off, and neither is on by default', async () => {
    for (const argv of [['2A', '-r', '-R'], ['2A']]) {
      const { stdout, pool } = await cli([...argv, '-n', '1', '-o', join(root, 'out')]);
      expect(stdout).not.toContain('strict mode');
      expect(pool.started.every((t) => !t.settings.strict && !t.settings.checkDeterminism)).toBe(true);
    }
  });

  it('keeps every log with -a and puts -v into the replay command', async () => {
    const out = join(root, 'out');
    const { code, pool } = await cli(['TestInitialElection2A', '-n', '2', '-a', '-v', '--seed', '7', '-o', out]);
    expect(code).toBe(0);
    expect(pool.started.every((t) => t.settings.logLevel === 'debug')).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['TestInitialElection2A_0.log', 'TestInitialElection2A_1.log']);
    expect(await readFile(join(out, 'TestInitialElection2A_1.log'), 'utf8')).toContain('# replay: npx raft-dstest TestInitialElection2A --seed 8 -n 1 -v\n');
  });

  it('draws a random seed base when --seed is absent, and names the default output after the local time', async () => {
    const { stdout, pool } = await cli(['TestInitialElection2A', '-n', '1'], () => ({ passed: false, error: 'x' }), { randomSeedBase: () => 777 });
    expect(stdout).toContain('seed base: 777\n');
    expect(pool.started[0]!.seed).toBe(777);
    expect(stdout).toContain('log: reports/20250607_080910/TestInitialElection2A_0.log');
    await rm('reports/20250607_080910', { recursive: true, force: true });
  });

  it('honours RAFT_LOG when -v is absent, and -vv over it', async () => {
    expect((await cli(['2A', '-n', '1', '-o', root], undefined, { env: { RAFT_LOG: 'trace' } })).pool.started[0]!.settings.logLevel).toBe('trace');
    expect((await cli(['2A', '-n', '1', '-o', root], undefined, { env: { RAFT_LOG: 'debug' } })).pool.started[0]!.settings.logLevel).toBe('debug');
    expect((await cli(['2A', '-n', '1', '-vv', '-o', root], undefined, { env: { RAFT_LOG: 'debug' } })).pool.started[0]!.settings.logLevel).toBe('trace');
    expect((await cli(['2A', '-n', '1', '-o', root])).pool.started[0]!.settings.logLevel).toBe('none');
  });

  it('groups runs per test with -s and runs in realtime with --realtime (no Sim time column)', async () => {
    const { stdout, pool } = await cli(['2A', '-n', '2', '-s', '--realtime', '-o', root]);
    expect(pool.started.map((t) => `${t.test}#${t.k}`).slice(0, 2)).toEqual(['TestInitialElection2A#0', 'TestInitialElection2A#1']);
    expect(pool.started.every((t) => t.settings.realtime)).toBe(true);
    expect(stdout).not.toContain('Sim time');
  });

  it('lists the tests with their parts', async () => {
    const { code, stdout, pool } = await cli(['--list']);
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(0, 3).map((l) => l.split(/\s+/))).toEqual([
      ['TestInitialElection2A', '2A'],
      ['TestReElection2A', '2A'],
      ['TestManyElections2A', '2A'],
    ]);
    expect(pool.started).toHaveLength(0);
  });

  it('marks in --list the two tests the course file has under other names', async () => {
    const { stdout } = await cli(['--list', 'Failure2B']);
    expect(stdout.trimEnd().split('\n')).toEqual([
      "TestFollowerFailure2B  2B  (For2023TestFollowerFailure2B in the course's 2022 test_test.go, which go test does not run)",
      "TestLeaderFailure2B    2B  (For2023TestLeaderFailure2B in the course's 2022 test_test.go, which go test does not run)",
    ]);
    const marked = (await cli(['--list'])).stdout.split('\n').filter((line) => line.includes('course'));
    expect(marked).toHaveLength(2);
  });

  it('prints help and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: raft-dstest [options] [tests...]');
  });
});

describe('raft-dstest bad input', () => {
  async function rejects(argv: string[], message: string, env: NodeJS.ProcessEnv = {}) {
    const out = join(root, 'never');
    const { code, stdout, stderr, pool } = await cli([...argv, '-o', out], undefined, { env });
    expect(code).toBe(2);
    expect(stderr).toBe(`raft-dstest: ${message}\n`);
    expect(stdout).toBe('');
    expect(pool.started).toHaveLength(0);
    // Bad input never leaves a partial output directory.
    expect(existsSync(out)).toBe(false);
  }

  it('rejects an unknown test, naming the closest known one', () =>
    rejects(['2A', 'TestReElection2X'], 'no test matches "TestReElection2X" (did you mean TestReElection2A?)'));
  it('rejects -n 0', () => rejects(['2A', '-n', '0'], '-n/--iter must be a whole number of at least 1, got "0"'));
  it('rejects -p abc', () => rejects(['2A', '-p', 'abc'], '-p/--workers must be a whole number from 1 to 256, got "abc"'));
  it('rejects --seed -1', () =>
    rejects(['2A', '--seed', '-1'], '--seed must be a whole number from 0 to 9007199254740991 (decimal or 0x-hex), got "-1"'));
  it('rejects --seed 2^53', () =>
    rejects(['2A', '--seed', '9007199254740992'], '--seed must be a whole number from 0 to 9007199254740991 (decimal or 0x-hex), got "9007199254740992"'));
  it('rejects seeds that would run past 2^53 - 1', () =>
    rejects(['2A', '--seed', '9007199254740991', '-n', '2'], '--seed 9007199254740991 with -n 2 would need seeds up to 9007199254740992, above the largest seed 9007199254740991'));
  it('rejects a bad RAFT_LOG', () =>
    rejects(['2A'], 'RAFT_LOG=loud is not a log level; expected one of none, debug, trace', { RAFT_LOG: 'loud' }));
  it('rejects no tests at all', () => rejects([], 'no tests named; give test names, a part (2A, 2B, 2C, 2D) or "all" (see --list)'));
  it('rejects an unknown option in one line', () => rejects(['2A', '--iterr', '3'], "unknown option '--iterr' (Did you mean --iter?)"));

  it('rejects an output path through a file', async () => {
    const file = join(root, 'file');
    await writeFile(file, '');
    const { code, stderr, pool } = await cli(['2A', '-o', join(file, 'out')]);
    expect(code).toBe(2);
    expect(stderr).toBe(`raft-dstest: cannot use output directory "${join(file, 'out')}": ${file} is not a directory\n`);
    expect(pool.started).toHaveLength(0);
  });
});

describe('raft-dstest workers', () => {
  // Issue 14, item 12: -p defaulted to 1, like dstest.py, and most users want every core.
  it.each([
    [6, 6],
    [1000, 256],
  ])('defaults -p to the available parallelism (%d), at most 256, and says so', async (cores, workers) => {
    // Enough runs for every worker: a pool has no more workers than runs.
    const { stdout, pool } = await runCli(['TestReElection2A', '-n', '300', '--seed', '3', '-o', join(root, 'out')], undefined, { availableParallelism: () => cores });
    expect(pool.options?.workers).toBe(workers);
    expect(stdout.split('\n').slice(0, 2)).toEqual(['seed base: 3', `workers: ${workers}, the machine's available parallelism (-p to choose)`]);
    const chosen = await runCli(['TestReElection2A', '-n', '300', '-p', '3', '-o', join(root, 'out2')], undefined, { availableParallelism: () => cores });
    expect(chosen.pool.options?.workers).toBe(3);
    expect(chosen.stdout).not.toContain('workers:');
  });
});

describe('raft-dstest interrupted', () => {
  // Issue 11, item 5: SIGTERM (a CI cancel, timeout, docker stop) ended the tool with no table and no reports.
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('stops on %s as on Ctrl-C: partial table, reports written, exit %d; a second one exits at once', async (signal, exitCode) => {
    const signals = new EventEmitter();
    const out = join(root, 'out');
    const json = join(root, 'report.json');
    let started = 0;
    const { code, stdout, exits } = await cli(
      ['TestReElection2A', '-n', '10', '-p', '1', '--seed', '1', '-o', out, '--json', json],
      () => {
        started += 1;
        if (started === 3) {
          signals.emit(signal);
          signals.emit(signal);
        }
        return {};
      },
      { signals: signals as SignalSource },
    );
    expect(code).toBe(exitCode);
    expect(exits).toEqual([exitCode]);
    expect(stdout).toMatch(/│ TestReElection2A +│ +0 │ +2 │/);
    expect(stdout).toContain(`interrupted by ${signal}: 2/10 runs, 0 failed`);
    const report = JSON.parse(await readFile(json, 'utf8')) as { runs: unknown[]; interrupted: Array<{ reason: string }> };
    expect(report.runs).toHaveLength(2);
    expect(report.interrupted.map((run) => run.reason)).toEqual([`cut off by ${signal} after 0.01s`]);
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) expect(signals.listenerCount(name)).toBe(0);
  });

  it('on Ctrl-C stops, cuts off the run in flight keeping its log, prints the partial table and exits 130; a second Ctrl-C exits at once', async () => {
    const signals = new EventEmitter();
    const out = join(root, 'out');
    let started = 0;
    const { code, stdout, exits } = await cli(
      ['TestReElection2A', '-n', '10', '-p', '1', '--seed', '1', '-o', out],
      (task) => {
        started += 1;
        if (started === 3) {
          signals.emit('SIGINT');
          signals.emit('SIGINT');
        }
        return { passed: task.k !== 0 };
      },
      { signals: signals as SignalSource },
    );
    expect(code).toBe(130);
    expect(exits).toEqual([130]);
    // The run that was going when Ctrl-C came was cut off, counted in neither column; no other started.
    expect(stdout).toMatch(/│ TestReElection2A +│ +1 │ +2 │/);
    expect(stdout).toContain(`CUT OFF TestReElection2A #2 (seed 3): cut off by SIGINT after 0.01s — log: ${join(out, 'TestReElection2A_2.log')}\n`);
    expect(stdout).toContain('interrupted by SIGINT: 2/10 runs, 1 failed');
    expect(stdout).toContain('1 run cut off in flight (logs kept; counted neither passed nor failed), 7 runs not started');
    expect((await readdir(out)).sort()).toEqual(['TestReElection2A_0.log', 'TestReElection2A_2.log']);
    expect(await readFile(join(out, 'TestReElection2A_2.log'), 'utf8')).toMatch(/\n# interrupted: cut off by SIGINT after 0\.01s\n$/);
    // The handler is gone once the command is over.
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
});
