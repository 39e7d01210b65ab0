import { readFileSync } from 'node:fs';
import type { Timeline } from '../../src/harness/timeline.js';
import { nodeOutputFiles, type OutputFiles } from '../../src/runner/output-files.js';
import type { PoolOptions, RunLogSink, RunPool } from '../../src/runner/pool.js';
import { interruptedRun, RunCancelledError } from '../../src/runner/pool.js';
import type { RunResult, RunTask } from '../../src/runner/protocol.js';

/** Decides how a fake run ends; by default every run passes in 10 ms wall, 3 s virtual, logging one line. */
export type Outcome = (task: RunTask) => Partial<RunResult> & { lines?: string[] };

/** A log sink that keeps what it is given, for pool tests. */
export interface MemoryLog extends RunLogSink {
  text(): string;
  /** The text split into lines, without the last newline. */
  lines(): string[];
}

export function memoryLog(): MemoryLog {
  const chunks: Buffer[] = [];
  const text = () => Buffer.concat(chunks).toString('utf8');
  return {
    write: async (data) => {
      chunks.push(Buffer.from(data));
    },
    text,
    lines: () => (text() === '' ? [] : text().replace(/\n$/, '').split('\n')),
  };
}

/** Does one run on the pool and returns its result with the lines of its log. */
export async function runLogged(pool: RunPool, task: RunTask, signal?: AbortSignal): Promise<RunResult & { lines: string[] }> {
  const log = memoryLog();
  const result = await pool.run(task, log, signal);
  return { ...result, lines: log.lines() };
}

export interface FakePool extends RunPool {
  /** Every run the runner started, in the order it started them (replays for timelines apart). */
  readonly started: RunTask[];
  /** The replays the runner asked for to record timelines, in order. */
  readonly replays: RunTask[];
  /** The most runs that were in flight at once. */
  readonly maxInFlight: number;
  readonly options: PoolOptions | undefined;
  destroyed: boolean;
}

/**
 * A pool without threads, so runner and CLI tests are fast and exact. Runs
 * finish on a later turn of the event loop, like real ones, and honour
 * cancellation. A replay for a timeline ends as its run did (`outcome` is not
 * asked again); it carries a timeline of no peers only with `timelines`.
 */
export function fakePool(outcome: Outcome = () => ({}), options: { timelines?: boolean } = {}): { pool: FakePool; create: (options: PoolOptions) => RunPool } {
  let inFlight = 0;
  const results = new Map<string, RunResult>();
  const pool: FakePool = {
    started: [],
    replays: [],
    maxInFlight: 0,
    options: undefined,
    destroyed: false,
    async run(task, log, signal) {
      if (signal?.aborted) throw new RunCancelledError('cancelled');
      if (!task.timeline) pool.started.push(task);
      else pool.replays.push(task);
      inFlight += 1;
      (pool as { maxInFlight: number }).maxInFlight = Math.max(pool.maxInFlight, inFlight);
      try {
        if (task.timeline) {
          await new Promise((resolve) => setImmediate(resolve));
          return signal?.aborted ? interruptedRun(task, signal, 10) : replayOf(task);
        }
        const { lines = [`000000 TEST run ${task.test} ${task.k}`], ...decided } = outcome(task);
        await log.write(Buffer.from(lines.map((line) => `${line}\n`).join('')));
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) return interruptedRun(task, signal, 10);
        const result: RunResult = {
          test: task.test,
          k: task.k,
          seed: task.seed,
          passed: true,
          wallMs: 10,
          ...(task.settings.realtime ? {} : { simMs: 3000 }),
          ...decided,
        };
        results.set(`${task.test}#${task.k}`, result);
        return result;
      } finally {
        inFlight -= 1;
      }
    },
    async destroy() {
      pool.destroyed = true;
    },
  };
  const replayOf = (task: RunTask): RunResult => {
    const original = results.get(`${task.test}#${task.k}`)!;
    if (!options.timelines) return { ...original, log: [] };
    const timeline: Timeline = { version: 1, test: task.test, seed: task.seed, peers: 0, inspected: true, endMs: original.simMs ?? 0, failure: null, states: [], events: [], network: [], rpcs: [], log: [] };
    return { ...original, log: [], timeline };
  };
  return {
    pool,
    create: (poolOptions) => {
      (pool as { options: PoolOptions }).options = poolOptions;
      return pool;
    },
  };
}

/**
 * Waits until `ready()` holds, checking every few milliseconds. The deadline
 * is only a backstop for a test that would otherwise hang: it is no budget
 * that a slow machine could miss.
 */
export async function waitFor(ready: () => boolean | Promise<boolean>, what: string, deadlineMs = 30_000): Promise<void> {
  const startedMs = Date.now();
  while (!(await ready())) {
    if (Date.now() - startedMs > deadlineMs) throw new Error(`gave up waiting for ${what} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The real file system, recording the files created. */
export function recordingFiles(): OutputFiles & { created: string[] } {
  const created: string[] = [];
  return {
    ...nodeOutputFiles,
    created,
    create: (path) => {
      created.push(path);
      return nodeOutputFiles.create(path);
    },
  };
}

/**
 * The real file system with a disk that holds `capacityBytes` more: a write
 * past that writes what fits and fails with ENOSPC, as a full tmpfs does.
 * Removing a file gives its bytes back.
 */
export function fullDisk(capacityBytes: number): OutputFiles & { usedBytes(): number } {
  let used = 0;
  const sizes = new Map<string, number>();
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  return {
    ...nodeOutputFiles,
    usedBytes: () => used,
    create: async (path) => {
      const file = await nodeOutputFiles.create(path);
      sizes.set(path, 0);
      return {
        append: async (data) => {
          const room = Math.max(0, capacityBytes - used);
          const fits = Math.min(room, data.length);
          if (fits > 0) await file.append(data.subarray(0, fits));
          used += fits;
          sizes.set(path, (sizes.get(path) ?? 0) + fits);
          if (fits < data.length) throw enospc();
        },
        close: () => file.close(),
      };
    },
    rename: async (from, to) => {
      await nodeOutputFiles.rename(from, to);
      sizes.set(to, sizes.get(from) ?? 0);
      sizes.delete(from);
    },
    remove: async (path) => {
      await nodeOutputFiles.remove(path);
      used -= sizes.get(path) ?? 0;
      sizes.delete(path);
    },
  };
}

/**
 * A file system in memory, whose every operation settles at once (in a
 * microtask): tests that count on the order in which runs are announced use
 * it, since a real disk finishes writes in its own time.
 */
export function memoryFiles(): OutputFiles & { files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  const exists = () => Object.assign(new Error('EEXIST: file already exists'), { code: 'EEXIST' });
  return {
    files,
    mkdir: async () => {},
    create: async (path) => {
      if (files.has(path)) throw exists();
      files.set(path, Buffer.alloc(0));
      return {
        append: async (data) => {
          files.set(path, Buffer.concat([files.get(path)!, data]));
        },
        close: async () => {},
      };
    },
    rename: async (from, to) => {
      files.set(to, files.get(from)!);
      files.delete(from);
    },
    remove: async (path) => {
      files.delete(path);
    },
  };
}

/** Whether a process is still running: a zombie (ended, not yet reaped by an init that may never reap) is not. */
export function alive(pid: number): boolean {
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
