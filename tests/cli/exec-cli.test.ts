/**
 * The command line's engine flags, in process on a pool without threads:
 * --timeout, -x/--max-failures, --exec, --go's own checks, colour, and the
 * bad inputs among them (one line, exit 2, no output directory).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasEscapeCodes } from './helpers.js';
import { expectUsageError, runCli, tableRows } from './report-cli-helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-exec-cli-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('--timeout', () => {
  it('defaults to 10m, as go test does', async () => {
    const { code, pool } = await runCli(['TestReElection2A', '-n', '1', '-o', join(root, 'out')]);
    expect(code).toBe(0);
    expect(pool.options?.timeoutMs).toBe(600_000);
  });

  it.each([
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['3', 3000],
  ])('takes %j', async (value, ms) => {
    const { pool } = await runCli(['TestReElection2A', '-n', '1', '--timeout', value, '-o', join(root, 'out')]);
    expect(pool.options?.timeoutMs).toBe(ms);
  });
});

describe('-x/--max-failures', () => {
  it('stops starting runs after n failures, prints the table and how many never started, and exits 1', async () => {
    const out = join(root, 'out');
    const { code, stdout, pool } = await runCli(['TestReElection2A', '-n', '20', '-x', '2', '--seed', '1', '-o', out], (task) => ({ passed: task.k % 2 === 0 }));
    expect(code).toBe(1);
    expect(pool.started).toHaveLength(4);
    expect(tableRows(stdout)[1]!.slice(0, 3)).toEqual(['TestReElection2A', '2', '4']);
    expect(stdout).toContain('stopped after 2 failed (-x/--max-failures): 4/20 runs, 2 failed');
    expect(stdout).toContain('16 runs not started');
  });
});

describe('--exec (in process)', () => {
  it('takes any test names, without the registry, and hands the command to the pool', async () => {
    const { code, stdout, pool } = await runCli(['--exec', 'run {test}', 'Anything', 'Else', 'Anything', '-n', '2', '--seed', '3', '-o', join(root, 'out')]);
    expect(code).toBe(0);
    expect(pool.options).toMatchObject({ exec: 'run {test}' });
    expect(pool.started.map((t) => `${t.test}@${t.seed}`)).toEqual(['Anything@3', 'Else@3', 'Anything@4', 'Else@4']);
    // No Sim time column: commands run on the wall clock.
    expect(tableRows(stdout)[0]).toEqual(['Test', 'Failed', 'Total', 'Time']);
  });

  it('passes RAFT_DSTEST_HEAP_MB on as the workers\' heap limit', async () => {
    const { pool } = await runCli(['TestReElection2A', '-n', '1', '-o', join(root, 'out')], undefined, { env: { RAFT_DSTEST_HEAP_MB: '64' } });
    expect(pool.options?.heapLimitMb).toBe(64);
  });
});

describe('colour of the table', () => {
  const failing = () => ({ passed: false, error: 'x' });
  const run = (args: string[], env: NodeJS.ProcessEnv, isTTY: boolean) =>
    runCli(['TestReElection2A', '-n', '1', '-o', join(root, 'out'), ...args], failing, { env, isTTY });

  it('is off on a pipe, on with FORCE_COLOR, off again with a non-empty NO_COLOR', async () => {
    expect(hasEscapeCodes((await run([], {}, false)).stdout)).toBe(false);
    expect((await run([], { FORCE_COLOR: '1' }, false)).stdout).toContain('\u001b[31m1\u001b[39m');
    expect(hasEscapeCodes((await run([], { FORCE_COLOR: '1', NO_COLOR: '1' }, false)).stdout)).toBe(false);
  });

  it('follows --color and --no-color over the environment', async () => {
    expect((await run(['--color'], { NO_COLOR: '1' }, false)).stdout).toContain('\u001b[31m1\u001b[39m');
    expect(hasEscapeCodes((await run(['--no-color'], { FORCE_COLOR: '1' }, false)).stdout)).toBe(false);
  });
});

describe('bad input of the engine flags', () => {
  const rejects = (argv: string[], message: string) => expectUsageError(argv, message, join(root, 'never'));

  it.each(['abc', '10x', '-5s', '1m30', ''])('rejects --timeout %j', (value) =>
    rejects(['2A', '--timeout', value], `invalid --timeout "${value}"; expected a duration like 90s, 2m or 1m30s`));
  it.each(['0', 'many', '-1'])('rejects -x %j', (value) => rejects(['2A', '-x', value], `-x/--max-failures must be a whole number of at least 1, got "${value}"`));
  it('rejects -n not a positive integer', () => rejects(['2A', '-n', '1.5'], '-n/--iter must be a whole number of at least 1, got "1.5"'));
  it('rejects -p not a positive integer', () => rejects(['2A', '-p', '0'], '-p/--workers must be a whole number from 1 to 256, got "0"'));
  it.each(['', '  '])('rejects --exec with the empty command %j', (value) => rejects(['--exec', value, 'X'], `--exec needs a command to run, got "${value}"`));
  it('rejects --go together with --exec', () =>
    rejects(['--go', '--exec', 'x', 'TestA'], '--exec and --go cannot be used together; --go is a shorthand for --exec'));
  it('rejects -r with --exec', () =>
    rejects(['--exec', 'true', 'X', '-r'], "-r/--race checks the lab suite's Raft and has no meaning with --exec (use --go for go test -race)"));
  it('rejects --check-determinism with --exec', () =>
    rejects(['--exec', 'true', 'X', '--check-determinism'], '--check-determinism has no meaning with --exec or --go: only the simulator replays a seed'));
  it('rejects --check-determinism with --realtime', () =>
    rejects(['2A', '--realtime', '--check-determinism'], '--check-determinism has no meaning with --realtime: the wall clock never repeats a run'));
  it('rejects --charge-cpu with --exec, --realtime or --check-determinism', async () => {
    await rejects(['--exec', 'true', 'X', '--charge-cpu'], '--charge-cpu has no meaning with --exec or --go: commands always run on the wall clock');
    await rejects(['2A', '--realtime', '--charge-cpu'], '--charge-cpu has no meaning with --realtime: on the wall clock the time is already spent');
    await rejects(['2A', '--check-determinism', '--charge-cpu'], '--charge-cpu cannot go with --check-determinism: a charged run depends on the machine, so it never repeats');
  });
  it('rejects --realtime with --exec', () =>
    rejects(['--exec', 'true', 'X', '--realtime'], '--realtime has no meaning with --exec or --go: commands always run on the wall clock'));
  it('rejects a bad RAFT_DSTEST_HEAP_MB', async () => {
    const out = join(root, 'never');
    const { code, stderr } = await runCli(['2A', '-o', out], undefined, { env: { RAFT_DSTEST_HEAP_MB: 'lots' } });
    expect(code).toBe(2);
    expect(stderr).toBe('raft-dstest: RAFT_DSTEST_HEAP_MB must be a whole number of MB of at least 16, got "lots"\n');
    expect(existsSync(out)).toBe(false);
  });
});
