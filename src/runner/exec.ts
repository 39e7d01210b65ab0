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
import { formatDuration } from './duration.js';
import { isGoCommand } from './exec-go.js';
import { loadExeca } from './load-execa.js';
import { GoFailureReader } from './go-failure.js';
import { failedRun, interruptedRun, RunCancelledError, type PoolOptions, type RunLogSink, type RunPool } from './pool.js';
import type { RunResult, RunTask } from './protocol.js';
import type { LogLevel } from '../sim/log.js';

/** How long a command has to exit after SIGTERM before its group gets SIGKILL. */
export const KILL_GRACE_MS = 2000;

/** The environment variable each placeholder stands for. */
const PLACEHOLDER_VARIABLES = { test: 'RAFT_DSTEST_TEST', seed: 'RAFT_DSTEST_SEED', k: 'RAFT_DSTEST_K' } as const;
const PLACEHOLDER = /^\{(test|seed|k)\}/;

/**
 * Where a character of a command stands, for quoting what replaces a
 * placeholder there: plain shell code (at the top, or inside `$(…)` or
 * backquotes, even within double quotes), or inside single, `$'…'` or
 * double quotes. `depth` counts the parentheses open in a `$(…)`.
 */
type ShellContext = { kind: 'code'; depth: number } | { kind: '`' } | { kind: "'" } | { kind: "$'" } | { kind: '"' };

/**
 * The command with `{test}`, `{seed}` and `{k}` replaced by references to
 * the run's environment variables, never by the values themselves: a test
 * name such as `a;rm -rf ~` then reaches the command as data, since the shell
 * does not parse what a variable expands to. Each reference is quoted for
 * where it stands, so that it is one word, as the value alone would be:
 * `"${V}"` in plain code (also inside `$(…)` or backquotes, which start
 * plain code again even within double quotes), `${V}` inside double quotes,
 * and closed, expanded and reopened inside single quotes (`'"${V}"'`, as in
 * `go test -run '^{test}$'`) or `$'…'` quotes. A command that hands a
 * placeholder to a shell of its own (`bash -c "… {test}"`) is that shell's
 * to quote; the README points to the variables for those.
 */
export function substituteCommand(template: string): string {
  let out = '';
  const stack: ShellContext[] = [{ kind: 'code', depth: 0 }];
  for (let i = 0; i < template.length; i++) {
    const context = stack.at(-1)!;
    const char = template[i]!;
    const placeholder = char === '{' ? PLACEHOLDER.exec(template.slice(i)) : null;
    if (placeholder !== null) {
      const variable = `\${${PLACEHOLDER_VARIABLES[placeholder[1] as keyof typeof PLACEHOLDER_VARIABLES]}}`;
      out += context.kind === "'" ? `'"${variable}"'` : context.kind === "$'" ? `'"${variable}"$'` : context.kind === '"' ? variable : `"${variable}"`;
      i += placeholder[0].length - 1;
      continue;
    }
    if (context.kind === "'") {
      if (char === "'") stack.pop();
      out += char;
      continue;
    }
    if (char === '\\') {
      // An escaped character is taken as it is, whatever it is.
      out += template.slice(i, i + 2);
      i += 1;
      continue;
    }
    out += char;
    if (context.kind === "$'") {
      if (char === "'") stack.pop();
    } else if (char === '$' && template[i + 1] === '(') {
      stack.push({ kind: 'code', depth: 0 });
      out += '(';
      i += 1;
    } else if (char === '`') {
      if (context.kind === '`') stack.pop();
      else stack.push({ kind: '`' });
    } else if (context.kind === '"') {
      if (char === '"') stack.pop();
    } else if (char === '"') {
      stack.push({ kind: '"' });
    } else if (char === "'") {
      stack.push({ kind: template[i - 1] === '$' ? "$'" : "'" });
    } else if (context.kind === 'code' && char === '(') {
      context.depth += 1;
    } else if (context.kind === 'code' && char === ')') {
      if (context.depth > 0) context.depth -= 1;
      else if (stack.length > 1) stack.pop();
    }
  }
  return out;
}

/** What -v and -vv set VERBOSE to for a command, as dstest.py does (its loggers read it); undefined without -v. */
export function verboseValue(logLevel: LogLevel): string | undefined {
  return logLevel === 'trace' ? '2' : logLevel === 'debug' ? '1' : undefined;
}

/**
 * The environment a command gets on top of the runner's own, which passes
 * through untouched: the values the placeholders stand for, the worker slot,
 * and with -v, VERBOSE.
 */
export function execEnv(task: RunTask): Record<string, string> {
  const verbose = verboseValue(task.settings.logLevel);
  return {
    [PLACEHOLDER_VARIABLES.test]: task.test,
    [PLACEHOLDER_VARIABLES.seed]: String(task.seed),
    [PLACEHOLDER_VARIABLES.k]: String(task.k),
    RAFT_DSTEST_WORKER: String(task.worker ?? 0),
    ...(verbose === undefined ? {} : { VERBOSE: verbose }),
  };
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
  // The same text for every run: the values come in each run's environment.
  const command = substituteCommand(template);
  const timeoutMs = options.timeoutMs === 0 ? undefined : options.timeoutMs;

  return {
    async run(task, log, signal) {
      if (signal?.aborted) throw new RunCancelledError(`run ${task.test} #${task.k} cancelled`);
      const startedMs = performance.now();
      const { execa } = await loadExeca();
      // Output is streamed to the log as it comes, never gathered in memory:
      // a command may print any amount, and none of it is lost at a timeout.
      const child = execa(command, {
        shell,
        all: true,
        buffer: false,
        reject: false,
        detached: true,
        stdin: 'ignore',
        env: execEnv(task),
      });
      // A --go run's failure is said in Go's words, for the FAIL line and the reports.
      const reader = isGoCommand(template) ? new GoFailureReader() : undefined;
      const output = pump(child.all, log, reader);
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
        await output;
        const wallMs = performance.now() - startedMs;
        if (ending === 'cancel') return interruptedRun(task, signal!, wallMs);
        let error: string | undefined;
        if (ending === 'timeout') error = `timed out after ${formatDuration(timeoutMs!)}`;
        else if (outcome.exitCode === 0) error = undefined;
        else if (outcome.exitCode !== undefined) error = [...(reader?.reason() ?? []), `exit code ${outcome.exitCode}`].join('\n');
        else if (outcome.signal !== undefined) error = `killed by signal ${outcome.signal}`;
        else error = outcome.shortMessage;
        if (error === undefined) return { test: task.test, k: task.k, seed: task.seed, passed: true, wallMs };
        return failedRun(task, error, wallMs) satisfies RunResult;
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

/** Passes a stream's chunks to the log, one at a time, so a slow disk slows the reading instead of filling memory. */
async function pump(stream: AsyncIterable<unknown> | undefined, log: RunLogSink, reader?: GoFailureReader): Promise<void> {
  if (stream === undefined) return;
  for await (const chunk of stream) {
    const bytes = chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk));
    reader?.write(bytes);
    await log.write(bytes);
  }
}
