/**
 * Exec mode: each run is an external command (`--exec`, `--go`) instead of
 * a lab test. It needs no worker threads: the host starts the commands
 * itself, as many at once as the runner has slots. A run passes when its
 * command exits 0; its stdout and stderr, interleaved, are its log.
 *
 * Every command is started in a process group of its own, so that a timeout
 * or Ctrl-C ends the whole tree (a shell, the test binary it started, what
 * that started) and not just the shell.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { formatDuration } from './duration.js';
import { failedRun, RunCancelledError, type PoolOptions, type RunPool } from './pool.js';
import type { RunResult, RunTask } from './protocol.js';

/** How long a command has to exit after SIGTERM before its group gets SIGKILL. */
export const KILL_GRACE_MS = 2000;

/** `{test}`, `{seed}` and `{k}` replaced by the run's own. */
export function substituteCommand(template: string, task: Pick<RunTask, 'test' | 'seed' | 'k'>): string {
  return template.replace(/\{(test|seed|k)\}/g, (_, name: 'test' | 'seed' | 'k') => String(task[name]));
}

/** The environment a command gets on top of the runner's own. */
export function execEnv(task: RunTask): Record<string, string> {
  return { RAFT_DSTEST_TEST: task.test, RAFT_DSTEST_SEED: String(task.seed), RAFT_DSTEST_WORKER: String(task.worker ?? 0) };
}

/**
 * The shell commands run under: bash when there is one, since commands are
 * written as a user types them (`$RANDOM`, `[[ ]]`), else the system's sh.
 */
export function findShell(path: string | undefined = process.env.PATH): string | true {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'bash');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; look further.
    }
  }
  return true;
}

/** Process groups still running, ended if the runner itself exits (a second Ctrl-C). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

export function createExecPool(options: PoolOptions): RunPool {
  const template = options.exec;
  if (template === undefined || template.trim() === '') throw new Error('exec mode needs a command');
  installExitHook();
  const shell = findShell();
  const timeoutMs = options.timeoutMs === 0 ? undefined : options.timeoutMs;

  return {
    async run(task, signal) {
      if (signal?.aborted) throw new RunCancelledError(`run ${task.test} #${task.k} cancelled`);
      const startedMs = performance.now();
      const child = execa(substituteCommand(template, task), {
        shell,
        all: true,
        reject: false,
        detached: true,
        stdin: 'ignore',
        env: execEnv(task),
        stripFinalNewline: false,
      });
      const pid = child.pid;
      if (pid !== undefined) liveGroups.add(pid);
      let ending: 'timeout' | 'cancel' | undefined;
      let forceKill: NodeJS.Timeout | undefined;
      const end = (why: 'timeout' | 'cancel') => {
        if (ending !== undefined || pid === undefined) return;
        ending = why;
        killGroup(pid, 'SIGTERM');
        forceKill = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
      };
      const onCancel = () => end('cancel');
      signal?.addEventListener('abort', onCancel, { once: true });
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => end('timeout'), timeoutMs);
      try {
        const outcome = await child;
        // The shell may be gone while what it started lives on, holding nothing open; end it too.
        if (pid !== undefined) killGroup(pid, 'SIGKILL');
        const wallMs = performance.now() - startedMs;
        if (ending === 'cancel') throw new RunCancelledError(`run ${task.test} #${task.k} cancelled`);
        const log = splitLines(typeof outcome.all === 'string' ? outcome.all : '');
        let error: string | undefined;
        if (ending === 'timeout') error = `timed out after ${formatDuration(timeoutMs!)}`;
        else if (outcome.exitCode === 0) error = undefined;
        else if (outcome.exitCode !== undefined) error = `exit code ${outcome.exitCode}`;
        else if (outcome.signal !== undefined) error = `killed by signal ${outcome.signal}`;
        else error = outcome.shortMessage;
        if (error === undefined) return { test: task.test, k: task.k, seed: task.seed, passed: true, wallMs, log };
        // Like go test's last line, so the reason is in the file as well as in the table's count.
        log.push(`--- FAIL: ${task.test} (${error}, ${(wallMs / 1000).toFixed(2)}s)`);
        return failedRun(task, error, wallMs, log) satisfies RunResult;
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        if (forceKill !== undefined) clearTimeout(forceKill);
        signal?.removeEventListener('abort', onCancel);
        if (pid !== undefined) liveGroups.delete(pid);
      }
    },
    // Runs end with their commands; nothing is shared between them.
    destroy: async () => {},
  };
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
