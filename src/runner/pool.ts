/**
 * A pool of worker threads that do runs, wrapping piscina. Whatever goes
 * wrong in a worker (a throw, process.exit, running out of memory, a
 * timeout) becomes a failed run carrying the error and the log written so
 * far, and piscina starts a fresh thread, so the runner carries on.
 *
 * A run's time limit counts from when its worker starts the run proper, not
 * from when the task was handed over: on a busy machine a fresh thread can
 * take a while to start and load the suite, and that time is not the run's.
 * A thread that never gets that far is still ended, an allowance
 * (THREAD_START_ALLOWANCE_MS) later than the limit alone would end it.
 */
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { formatDuration, MAX_DURATION_MS } from './duration.js';
import { SharedLogReader } from './log-stream.js';
import type { RunResult, RunTask } from './protocol.js';

export interface RunPool {
  /**
   * Does one run. Resolves with its result, failed or not; rejects only with
   * RunCancelledError, when `signal` is aborted before the run ends.
   */
  run(task: RunTask, signal?: AbortSignal): Promise<RunResult>;
  /** Ends every worker thread; runs still going are abandoned. */
  destroy(): Promise<void>;
}

export class RunCancelledError extends Error {
  override name = 'RunCancelledError';
}

// Both in dist/, whether this module runs from src/ (the project's tests) or
// from dist/: a worker thread loads JavaScript only.
/** The file piscina loads: a CommonJS entry that import()s the worker module (see worker-entry.cts). */
export const WORKER_ENTRY = new URL('../../dist/runner/worker-entry.cjs', import.meta.url);
/** The worker module that does lab runs unless PoolOptions names another. */
export const DEFAULT_WORKER = new URL('../../dist/runner/worker.js', import.meta.url);

/** What a thread may take to start and load before the run's own time limit begins to count. */
export const THREAD_START_ALLOWANCE_MS = 60_000;

/** A worker's JavaScript heap limit unless told otherwise: room for a -vv log of a long test, not for a runaway. */
export const DEFAULT_HEAP_LIMIT_MB = 2048;

export interface PoolOptions {
  workers: number;
  /** Ends a run that takes longer than this on the wall clock; none by default. */
  timeoutMs?: number;
  /** The ES module whose default export does a run (DEFAULT_WORKER unless given). */
  workerFile?: URL;
  /** Each worker's old-generation heap limit in MB (DEFAULT_HEAP_LIMIT_MB by default). */
  heapLimitMb?: number;
  /** What a thread may take to start before the time limit counts; THREAD_START_ALLOWANCE_MS by default. */
  threadStartAllowanceMs?: number;
  /** The command to run instead of a lab test (exec mode); see exec.ts. */
  exec?: string;
}

export function createPool(options: PoolOptions): RunPool {
  const piscina = new Piscina<RunTask, RunResult>({
    filename: WORKER_ENTRY.href,
    workerData: { module: (options.workerFile ?? DEFAULT_WORKER).href },
    // A fixed number of threads: spawning on demand would only add jitter to the timings.
    minThreads: options.workers,
    maxThreads: options.workers,
    // Queue without limit: the runner itself never has more than `workers` runs in flight.
    maxQueue: Number.MAX_SAFE_INTEGER,
    // A run that allocates without bound ends its own thread, not the host.
    resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB },
  });
  // Piscina reports a thread that dies while it has no task as an 'error' event of the pool;
  // there is no run to fail then, and an unheard 'error' would take the runner down.
  piscina.on('error', () => {});
  const timeoutMs = options.timeoutMs;
  const allowanceMs = options.threadStartAllowanceMs ?? THREAD_START_ALLOWANCE_MS;

  return {
    async run(task, signal) {
      if (signal?.aborted) throw new RunCancelledError(`run ${task.test} #${task.k} cancelled`);
      // Piscina stops a task (terminating its thread) when its signal aborts;
      // one controller serves both the caller's cancellation and the timeout.
      const abort = new AbortController();
      let timedOut = false;
      const onCancel = () => abort.abort();
      signal?.addEventListener('abort', onCancel, { once: true });
      let timer: NodeJS.Timeout | undefined;
      const startClock = (allowanceMs: number) => {
        if (timeoutMs === undefined || timeoutMs === 0) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          abort.abort();
        }, Math.min(timeoutMs + allowanceMs, MAX_DURATION_MS));
      };
      let startedMs = performance.now();
      let started = false;
      const log = new SharedLogReader(() => {
        started = true;
        startedMs = performance.now();
        startClock(0);
      });
      startClock(allowanceMs);
      try {
        const result = await piscina.run({ ...task, logSink: log.sink }, { signal: abort.signal, transferList: [log.sink.port] });
        return result.log.length === 0 ? { ...result, log: log.lines() } : result;
      } catch (error) {
        const wallMs = performance.now() - startedMs;
        if (timedOut) {
          const why = started
            ? `timed out after ${formatDuration(timeoutMs!)}`
            : `timed out before the run started: its thread was still loading after ${formatDuration(timeoutMs! + allowanceMs)}`;
          return failedRun(task, why, wallMs, log.lines());
        }
        if (signal?.aborted) throw new RunCancelledError(`run ${task.test} #${task.k} cancelled`);
        return failedRun(task, describeWorkerFailure(error), wallMs, log.lines());
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onCancel);
        log.close();
      }
    },
    destroy: () => piscina.destroy(),
  };
}

/** A failed run whose worker could not report it; `log` is what it had written when it ended. */
export function failedRun(task: RunTask, error: string, wallMs: number, log: string[] = []): RunResult {
  return { test: task.test, k: task.k, seed: task.seed, passed: false, error, wallMs, log };
}

/** Why a worker ended without a result, in the words a user needs. */
export function describeWorkerFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return `worker ran out of memory: ${message}`;
  // Piscina's words when the thread ends on its own, as process.exit(n) in a worker does.
  const exit = /^worker exited with code:? (-?\d+)/i.exec(message);
  if (exit !== null) return `worker exited with code ${exit[1]} (process.exit called during the run)`;
  const described = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : message;
  return `worker failed: ${described}`;
}
