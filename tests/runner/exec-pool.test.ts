/**
 * Exec mode's pool: each run is a shell command, started from the host.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecPool, execEnv, findShell, substituteCommand } from '../../src/runner/exec.js';
import { RunCancelledError } from '../../src/runner/pool.js';
import type { RunTask } from '../../src/runner/protocol.js';
import { alive, runLogged, waitFor } from './helpers.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';

const task: RunTask = { test: 'TestBackup2B', k: 4, seed: 1004, settings: DEFAULT_RUN_SETTINGS, worker: 2 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-exec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('substituteCommand and execEnv', () => {
  it('replaces {test}, {seed} and {k} everywhere with references to the run variables, quoted for where they stand, and nothing else', () => {
    expect(substituteCommand("go test -run '^{test}$' -seed {seed} -k {k} {test} {other}")).toBe(
      `go test -run '^'"\${RAFT_DSTEST_TEST}"'$' -seed "\${RAFT_DSTEST_SEED}" -k "\${RAFT_DSTEST_K}" "\${RAFT_DSTEST_TEST}" {other}`,
    );
    expect(substituteCommand('echo "a {test} b" \\{test} "\\"{k}"')).toBe('echo "a ${RAFT_DSTEST_TEST} b" \\{test} "\\"${RAFT_DSTEST_K}"');
  });

  it('names the test, seed, run index and worker slot', () => {
    expect(execEnv(task)).toEqual({ RAFT_DSTEST_TEST: 'TestBackup2B', RAFT_DSTEST_SEED: '1004', RAFT_DSTEST_K: '4', RAFT_DSTEST_WORKER: '2' });
  });

  // Issue 11, item 1: `--exec 'echo {test}' 'a;touch /tmp/pwned'` ran the touch.
  it('hands any test name to the command as one word of data, never as shell code, in any quoting', async () => {
    const marker = join(dir, 'pwned');
    const names = [`a;touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, `x' ; touch ${marker}; '`, `x" ; touch ${marker}; "`, 'two\nlines', '*', ' spaced  out '];
    const pool = createExecPool({ workers: 1, exec: `printf '[%s]' {test}; printf '[%s]' "in double {test}"; printf '[%s]' 'in single {test}'` });
    for (const name of names) {
      const result = await runLogged(pool, { ...task, test: name });
      expect(result.passed, name).toBe(true);
      expect(result.lines.join('\n'), name).toBe(`[${name}][in double ${name}][in single ${name}]`);
    }
    expect(existsSync(marker)).toBe(false);
  });

  // Issue 11, item 1: inside "$(…)" a placeholder was taken for one in double quotes, so the shell split and globbed
  // the name (`*` listed the directory), and inside '…' there it printed ${RAFT_DSTEST_TEST} itself.
  it('quotes a placeholder inside a command substitution, in double quotes or not, and in $\'…\' quotes', async () => {
    const marker = join(dir, 'pwned');
    const name = `a  b * $(touch ${marker}) 'q' "d"`;
    const pool = createExecPool({
      workers: 1,
      exec: [
        `printf '[%s]' "$(printf %s {test})"`,
        `printf '[%s]' "$(printf %s '{test}')"`,
        'printf \'[%s]\' "`printf %s {test}`"',
        `printf '[%s]' "$( (printf %s {test}) ) and {k}"`,
        `printf '[%s]' $'x\\'{test}'`,
        `printf '[%s]' "$((1 + {k}))"`,
      ].join('; '),
    });
    const result = await runLogged(pool, { ...task, test: name });
    expect(result.passed).toBe(true);
    expect(result.lines.join('\n')).toBe(`[${name}][${name}][${name}][${name} and 4][x'${name}][5]`);
    expect(existsSync(marker)).toBe(false);
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
    const result = await runLogged(pool, task);
    expect(result).toMatchObject({ test: 'TestBackup2B', k: 4, seed: 1004, passed: true });
    expect(result.error).toBeUndefined();
    expect(result.simMs).toBeUndefined();
    // stdout and stderr are two pipes, so lines interleave in the order they arrive, not always the order written.
    expect([...result.lines].sort()).toEqual(['err 1004', 'out TestBackup2B 4', 'worker=2']);
  });

  it('fails a command that exits non-zero with its exit code', async () => {
    const pool = createExecPool({ workers: 1, exec: 'echo trying; exit 7' });
    const result = await runLogged(pool, task);
    expect(result.passed).toBe(false);
    expect(result.error).toBe('exit code 7');
    // The reason goes at the end of the kept log (logTrailer), as for every failed run.
    expect(result.lines).toEqual(['trying']);
  });

  it('fails a command killed by a signal, naming the signal', async () => {
    const pool = createExecPool({ workers: 1, exec: 'kill -KILL $$' });
    const result = await runLogged(pool, task);
    expect(result.passed).toBe(false);
    expect(result.error).toBe('killed by signal SIGKILL');
  });

  // The commands below sleep longer than the test's own time limit unless
  // ended: that a run returns at all shows they were ended, however slow the machine.
  it('ends the whole process tree at the timeout, keeping the output so far', async () => {
    const pids = join(dir, 'pids');
    // A shell that starts a background sleep and a nested shell's sleep, and records their pids.
    const pool = createExecPool({ workers: 1, timeoutMs: 2000, exec: `echo started; sleep 1000 & echo $! > ${pids}; sh -c 'echo $$ >> ${pids}; exec sleep 1001'` });
    const result = await runLogged(pool, task);
    expect(result.passed).toBe(false);
    expect(result.error).toBe('timed out after 2s');
    expect(result.wallMs).toBeGreaterThanOrEqual(1990);
    expect(result.lines[0]).toBe('started');
    const children = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    expect(children).toHaveLength(2);
    await waitFor(() => children.every((pid) => !alive(pid)), 'the sleeps to end');
  });

  it('ends a command that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const pool = createExecPool({ workers: 1, timeoutMs: 2000, exec: "trap '' TERM; echo stubborn; sleep 1000 & wait; sleep 1000" });
    const result = await runLogged(pool, task);
    expect(result.error).toBe('timed out after 2s');
    expect(result.lines).toEqual(['stubborn']);
  });

  it('ends a cancelled command as interrupted, and refuses to start one after', async () => {
    const pidFile = join(dir, 'pid');
    const pool = createExecPool({ workers: 1, exec: `echo $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile}; exec sleep 30` });
    const cancel = new AbortController();
    const running = runLogged(pool, task, cancel.signal);
    await waitFor(() => existsSync(pidFile), 'the command to start');
    cancel.abort('SIGINT');
    expect((await running).interrupted).toMatch(/^cut off by SIGINT after /);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    await waitFor(() => !alive(pid), 'the command to end');
    await expect(runLogged(pool, task, cancel.signal)).rejects.toBeInstanceOf(RunCancelledError);
  });

  // Issue 11, item 9: past 100 MB of output, a passing command failed (execa's buffer limit).
  it('passes a command that prints 110 MB, streaming all of it to the log', async () => {
    let bytes = 0;
    const pool = createExecPool({ workers: 1, exec: 'head -c 110000000 /dev/zero' });
    const result = await pool.run(task, {
      write: async (data) => {
        bytes += data.length;
      },
    });
    expect(result.error).toBeUndefined();
    expect(result.passed).toBe(true);
    expect(bytes).toBe(110_000_000);
  });

  it('runs in the working directory of the runner', async () => {
    await mkdir(join(dir, 'sub'));
    const pool = createExecPool({ workers: 1, exec: 'pwd' });
    const result = await runLogged(pool, task);
    expect(result.lines).toEqual([process.cwd()]);
  });

  it('refuses an empty command', () => {
    expect(() => createExecPool({ workers: 1, exec: '  ' })).toThrow(/needs a command/);
  });
});
