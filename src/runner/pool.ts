/**
 * A pool of worker threads that do runs, wrapping piscina. Whatever goes
 * wrong in a worker (a throw, process.exit, running out of memory, a
 * timeout) becomes a failed run carrying the error and the log written so
 * far, and piscina starts a fresh thread, so the runner carries on.
 */
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { formatDuration } from './duration.js';
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

/** A worker's JavaScript heap limit unless told otherwise: room for a -vv log of a long test, not for a runaway. */
export const DEFAULT_HEAP_LIMIT_MB = 2048;

export interface PoolOptions {
  workers: number;
  /** Ends a run that takes longer than this on the wall clock; none by default. */
  timeoutMs?: number;
  /** The worker module; the compiled worker.js beside this file by default. */
  workerFile?: URL;
  /** Each worker's old-generation heap limit in MB (DEFAULT_HEAP_LIMIT_MB by default). */
  heapLimitMb?: number;
  /** The command to run instead of a lab test (exec mode); see exec.ts. */
  exec?: string;
}

export function createPool(options: PoolOptions): RunPool {
  const piscina = new Piscina<RunTask, RunResult>({
    filename: (options.workerFile ?? new URL('./worker.js', import.meta.url)).href,
    // A fixed number of threads: spawning on demand would only add jitter to the timings.
    minThreads: options.workers,
    maxThreads: options.workers,
    // Queue without limit: the runner itself never has more than `workers` runs in flight.
    maxQueue: Number.MAX_SAFE_INTEGER,
    // A run that allocates without bound ends its own thread, not the host.
    resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB },
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
        timeoutMs === undefined || timeoutMs === 0
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              abort.abort();
            }, timeoutMs);
      const log = new SharedLogReader();
      // The runner keeps no more runs in flight than there are threads, so
      // the time from here is the run's own (plus a message round trip).
      const startedMs = performance.now();
      try {
        const result = await piscina.run({ ...task, logSink: log.sink }, { signal: abort.signal, transferList: [log.sink.port] });
        return result.log.length === 0 ? { ...result, log: log.lines() } : result;
      } catch (error) {
        const wallMs = performance.now() - startedMs;
        if (timedOut) return failedRun(task, `timed out after ${formatDuration(timeoutMs!)}`, wallMs, log.lines());
        if (signal?.aborted) throw new RunCancelledError(`run ${task.test} #${task.k} cancelled`);
        return failedRun(task, describeWorkerFailure(error), wallMs, log.lines());
      } finally {
        if (timer !== undefined) clearTimeout(timer);
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
