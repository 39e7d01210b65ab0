/**
 * A pool of worker threads that do runs, wrapping piscina. Whatever goes
 * wrong in a worker (a throw, a crash, running out of memory, a timeout)
 * becomes a failed run carrying the error, so the runner carries on.
 */
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
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

export interface PoolOptions {
  workers: number;
  /** Ends a run that takes longer than this on the wall clock; none by default. */
  timeoutMs?: number;
  /** The worker module; the compiled worker.js beside this file by default. */
  workerFile?: URL;
}

export function createPool(options: PoolOptions): RunPool {
  const piscina = new Piscina<RunTask, RunResult>({
    filename: (options.workerFile ?? new URL('./worker.js', import.meta.url)).href,
    // A fixed number of threads: spawning on demand would only add jitter to the timings.
    minThreads: options.workers,
    maxThreads: options.workers,
    // Queue without limit: the runner itself never has more than `workers` runs in flight.
    maxQueue: Number.MAX_SAFE_INTEGER,
  });
  const timeoutMs = options.timeoutMs;

  return {
    async run(task, signal) {
      if (signal?.aborted) throw new RunCancelledError(`run ${task.test} #${task.k} cancelled`);
      // Piscina stops a task (terminating its thread) when its signal aborts;
      // one controller serves both the caller's cancellation and the timeout.
      const abort = new AbortController();
      let timedOut = false;
      const onCancel = () => abort.abort();
      signal?.addEventListener('abort', onCancel, { once: true });
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              abort.abort();
            }, timeoutMs);
      // The runner keeps no more runs in flight than there are threads, so
      // the time from here is the run's own (plus a message round trip).
      const startedMs = performance.now();
      try {
        return await piscina.run(task, { signal: abort.signal });
      } catch (error) {
        const wallMs = performance.now() - startedMs;
        if (timedOut) return failedRun(task, `run timed out after ${formatSeconds(timeoutMs!)} (wall clock); its worker was stopped`, wallMs);
        if (signal?.aborted) throw new RunCancelledError(`run ${task.test} #${task.k} cancelled`);
        return failedRun(task, `worker failed: ${describeError(error)}`, wallMs);
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onCancel);
      }
    },
    destroy: () => piscina.destroy(),
  };
}

/** A failed run whose worker could not report it; its log was lost with the worker. */
export function failedRun(task: RunTask, error: string, wallMs: number): RunResult {
  return { test: task.test, k: task.k, seed: task.seed, passed: false, error, wallMs, log: [] };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}
