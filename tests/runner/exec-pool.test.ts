/**
 * Exec mode's pool: each run is a shell command, started from the host.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecPool, execEnv, findShell, substituteCommand } from '../../src/runner/exec.js';
import { RunCancelledError } from '../../src/runner/pool.js';
import type { RunTask } from '../../src/runner/protocol.js';
import { waitFor } from './helpers.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';

const task: RunTask = { test: 'TestBackup2B', k: 4, seed: 1004, settings: DEFAULT_RUN_SETTINGS, worker: 2 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-exec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Whether a process is still running: a zombie (ended, not yet reaped by an init that may never reap) is not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Linux: the state is the field after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return true;
  }
}

describe('substituteCommand and execEnv', () => {
  it('replaces {test}, {seed} and {k} everywhere, and nothing else', () => {
    expect(substituteCommand("go test -run '^{test}$' -seed {seed} -k {k} {test} {other}", task)).toBe(
      "go test -run '^TestBackup2B$' -seed 1004 -k 4 TestBackup2B {other}",
    );
  });

  it('names the test, seed and worker slot', () => {
    expect(execEnv(task)).toEqual({ RAFT_DSTEST_TEST: 'TestBackup2B', RAFT_DSTEST_SEED: '1004', RAFT_DSTEST_WORKER: '2' });
  });
});

describe('findShell', () => {
  it('prefers bash from PATH and falls back to the system shell', async () => {
    await writeFile(join(dir, 'bash'), '#!/bin/sh\n');
    await chmod(join(dir, 'bash'), 0o755);
    expect(findShell(`/nonexistent:${dir}`)).toBe(join(dir, 'bash'));
    expect(findShell('/nonexistent')).toBe(true);
  });
});

describe('createExecPool', () => {
  it('passes a command that exits 0, with stdout and stderr interleaved as its log and the run in its environment', async () => {
    const pool = createExecPool({ workers: 1, exec: 'echo out {test} {k}; echo err $RAFT_DSTEST_SEED >&2; echo worker=$RAFT_DSTEST_WORKER' });
    const result = await pool.run(task);
    expect(result).toMatchObject({ test: 'TestBackup2B', k: 4, seed: 1004, passed: true });
    expect(result.error).toBeUndefined();
    expect(result.simMs).toBeUndefined();
    // stdout and stderr are two pipes, so lines interleave in the order they arrive, not always the order written.
    expect([...result.log].sort()).toEqual(['err 1004', 'out TestBackup2B 4', 'worker=2']);
  });

  it('fails a command that exits non-zero with its exit code, and says so at the end of its log', async () => {
    const pool = createExecPool({ workers: 1, exec: 'echo trying; exit 7' });
    const result = await pool.run(task);
    expect(result.passed).toBe(false);
    expect(result.error).toBe('exit code 7');
    expect(result.log[0]).toBe('trying');
    expect(result.log[1]).toMatch(/^--- FAIL: TestBackup2B \(exit code 7, \d+\.\d\ds\)$/);
  });

  it('fails a command killed by a signal, naming the signal', async () => {
    const pool = createExecPool({ workers: 1, exec: 'kill -KILL $$' });
    const result = await pool.run(task);
    expect(result.passed).toBe(false);
    expect(result.error).toBe('killed by signal SIGKILL');
  });

  // The commands below sleep 30 s unless ended: ending in well under that is
  // the point, so the bounds are generous backstops, not speed budgets.
  it('ends the whole process tree at the timeout, keeping the output so far', async () => {
    const pids = join(dir, 'pids');
    // A shell that starts a background sleep and a nested shell's sleep, and records their pids.
    const pool = createExecPool({ workers: 1, timeoutMs: 2000, exec: `echo started; sleep 30 & echo $! > ${pids}; sh -c 'echo $$ >> ${pids}; exec sleep 31'` });
    const result = await pool.run(task);
    expect(result.passed).toBe(false);
    expect(result.error).toBe('timed out after 2s');
    expect(result.wallMs).toBeGreaterThanOrEqual(1990);
    expect(result.wallMs).toBeLessThan(20_000);
    expect(result.log[0]).toBe('started');
    const children = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    expect(children).toHaveLength(2);
    await waitFor(() => children.every((pid) => !alive(pid)), 'the sleeps to end');
  });

  it('ends a command that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const pool = createExecPool({ workers: 1, timeoutMs: 2000, exec: "trap '' TERM; echo stubborn; sleep 30 & wait; sleep 30" });
    const result = await pool.run(task);
    expect(result.error).toBe('timed out after 2s');
    expect(result.log).toEqual(['stubborn', expect.stringMatching(/^--- FAIL: /)]);
    expect(result.wallMs).toBeLessThan(20_000);
  });

  it('rejects with RunCancelledError when cancelled, and ends the command', async () => {
    const pidFile = join(dir, 'pid');
    const pool = createExecPool({ workers: 1, exec: `echo $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}; exec sleep 30` });
    const cancel = new AbortController();
    const running = pool.run(task, cancel.signal);
    await waitFor(() => existsSync(pidFile), 'the command to start');
    cancel.abort();
    await expect(running).rejects.toBeInstanceOf(RunCancelledError);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    await waitFor(() => !alive(pid), 'the command to end');
    await expect(pool.run(task, cancel.signal)).rejects.toBeInstanceOf(RunCancelledError);
  });

  it('runs in the working directory of the runner', async () => {
    await mkdir(join(dir, 'sub'));
    const pool = createExecPool({ workers: 1, exec: 'pwd' });
    const result = await pool.run(task);
    expect(result.log).toEqual([process.cwd()]);
  });

  it('refuses an empty command', () => {
    expect(() => createExecPool({ workers: 1, exec: '  ' })).toThrow(/needs a command/);
  });
});
