/**
 * A pool of worker threads that do runs, wrapping piscina. Whatever goes
 * wrong in a worker (a throw, process.exit, running out of memory, a
 * timeout) becomes a failed run carrying the error and the log written so
 * far, and piscina starts a fresh thread, so the runner carries on. A run
 * that Ctrl-C or a signal cuts off is an interrupted run, its log kept too.
 *
 * A run's time limit counts from when its worker starts the run proper, not
 * from when the task was handed over: on a busy machine a fresh thread can
 * take a while to start and load the suite, and that time is not the run's.
 * A thread that never gets that far is still ended, an allowance
 * (THREAD_START_ALLOWANCE_MS) later than the limit alone would end it.
 */
import { Piscina } from 'piscina';
import { formatDuration, MAX_DURATION_MS } from './duration.js';
import { SharedLogReader, sharedNowMs } from './log-stream.js';
import type { RunResult, RunTask } from './protocol.js';

/** Where a pool puts a run's log as it arrives, in order; write() resolves when it may go on, and never rejects. */
export interface RunLogSink {
  write(data: Uint8Array): Promise<void>;
}

export interface RunPool {
  /**
   * Does one run, passing its log to `log` as it is written. Resolves with
   * its result: passed, failed, or interrupted when `signal` aborts while it
   * runs. Rejects only with RunCancelledError, for a run `signal` stopped
   * before it started.
   */
  run(task: RunTask, log: RunLogSink, signal?: AbortSignal): Promise<RunResult>;
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
/**
 * The worker module that does lab runs unless PoolOptions names another:
 * worker.ts bundled at build time (scripts/build-bundle.mjs), which a
 * starting thread loads in about half the time of the ~60 modules it joins.
 */
export const DEFAULT_WORKER = new URL('../../dist/bundle/worker.js', import.meta.url);
/**
 * The same worker as the separate modules tsc wrote: slower to load, but a
 * CPU profile (--cpu-prof) then names each function's own file (raft/core.js),
 * where the bundle's would name one chunk for them all.
 */
export const SEPARATE_MODULES_WORKER = new URL('../../dist/runner/worker.js', import.meta.url);

/**
 * What a thread posts to the pool once it has loaded the worker module
 * (worker-entry.cts, which cannot import this ES module, spells it out too).
 */
export const WORKER_LOADED_MESSAGE = 'raft-dstest: worker loaded';

/**
 * The longest the other threads wait for the first to load before they start
 * anyway: only a worker module that hangs as it loads comes near it.
 */
export const FIRST_THREAD_HEAD_START_MAX_MS = 1_000;

/** What a thread may take to start and load before the run's own time limit begins to count. */
export const THREAD_START_ALLOWANCE_MS = 60_000;

/** A worker's JavaScript heap limit unless told otherwise: room for a -vv log of a long test, not for a runaway. */
export const DEFAULT_HEAP_LIMIT_MB = 2048;

/**
 * Each worker's young generation, where a run's short-lived objects (its
 * messages, above all) are made and collected. V8 sizes it from the heap
 * limit, to tens of MB a thread; a run's live set is far smaller. Measured
 * with bench/perf/young-gen.mjs (one worker, passes of the seed command's
 * tests, sizes alternating, 12 rounds): against 6 MB, 12 MB takes 0.88–0.95×
 * the CPU per pass (fewer scavenges, fewer objects promoted early) for 3–4 MB
 * more peak RSS; 16 and 24 MB save no more and cost 12 MB; 48 MB saves
 * nothing and costs 28 MB.
 */
export const YOUNG_GENERATION_MB = 12;

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

/**
 * One thread starts first and takes the first run; the others start once it
 * has loaded the worker module. A starting thread spends tens of ms of CPU on
 * Node's bootstrap and on loading the worker, and -p 4's four threads
 * starting together on two cores slowed each other so that the first result
 * waited for all of them. Piscina starts a thread for a run handed over while
 * every thread is busy, up to `workers`, and keeps it: after the start the
 * pool is a fixed one, as before.
 */
export function createPool(options: PoolOptions): RunPool {
  const piscina = new Piscina<RunTask, RunResult>({
    filename: WORKER_ENTRY.href,
    workerData: { module: (options.workerFile ?? DEFAULT_WORKER).href },
    minThreads: 1,
    maxThreads: options.workers,
    // A thread, once started, stays: ending idle ones would only add jitter to the timings.
    idleTimeout: Infinity,
    // Queue without limit: the runner itself never has more than `workers` runs in flight.
    maxQueue: Number.MAX_SAFE_INTEGER,
    // A run that allocates without bound ends its own thread, not the host.
    resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  // Piscina reports a thread that dies while it has no task as an 'error' event of the pool;
  // there is no run to fail then, and an unheard 'error' would take the runner down.
  piscina.on('error', () => {});
  const firstThread = new FirstThreadGate(piscina);
  const timeoutMs = options.timeoutMs;
  const allowanceMs = options.threadStartAllowanceMs ?? THREAD_START_ALLOWANCE_MS;

  return {
    async run(task, sink, signal) {
      if (signal?.aborted) throw new RunCancelledError(`run ${task.test} #${task.k} cancelled`);
      // Piscina stops a task (terminating its thread) when its signal aborts;
      // one controller serves both the caller's cancellation and the timeout.
      const abort = new AbortController();
      let timedOut = false;
      const onCancel = () => abort.abort();
      signal?.addEventListener('abort', onCancel, { once: true });
      const log = new SharedLogReader((bytes) => sink.write(bytes));
      const handedOverMs = sharedNowMs();
      // When the run must end: its limit after it started, or, while its thread is still loading, the allowance more.
      const deadlineMs = () => {
        const startedMs = log.startedAtMs();
        return startedMs === undefined ? handedOverMs + timeoutMs! + allowanceMs : startedMs + timeoutMs!;
      };
      // The worker says when the run starts in shared memory, not in a message (which would cost every run a
      // wake-up of this thread); the timer reads it when it fires, and waits on if the run started late.
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const leftMs = deadlineMs() - sharedNowMs();
        if (leftMs <= 0) {
          timedOut = true;
          abort.abort();
        } else {
          timer = setTimeout(check, Math.min(leftMs, MAX_DURATION_MS));
        }
      };
      if (timeoutMs !== undefined && timeoutMs !== 0) timer = setTimeout(check, timeoutMs);
      const first = firstThread.claim();
      try {
        // A run aborted while it waits goes on to piscina, which refuses it as it refuses one aborted in its queue.
        if (!first) await firstThread.opened(abort.signal);
        const result = await piscina.run({ ...task, log: log.shared }, { signal: abort.signal, transferList: [log.shared.port] });
        await log.finish();
        return result;
      } catch (error) {
        const started = log.startedAtMs();
        const wallMs = sharedNowMs() - (started ?? handedOverMs);
        await log.finish();
        if (timedOut) {
          const why = started !== undefined
            ? `timed out after ${formatDuration(timeoutMs!)}`
            : `timed out before the run started: its thread was still loading after ${formatDuration(timeoutMs! + allowanceMs)}`;
          return failedRun(task, why, wallMs);
        }
        if (signal?.aborted) return interruptedRun(task, signal, wallMs);
        return failedRun(task, describeWorkerFailure(error), wallMs);
      } finally {
        // The first run over, however it went, the other threads start whether or not its thread said it loaded.
        if (first) firstThread.open();
        clearTimeout(timer);
        signal?.removeEventListener('abort', onCancel);
      }
    },
    destroy: () => {
      firstThread.open();
      return piscina.destroy();
    },
  };
}

/** Holds every run but the first back until the first run's thread has loaded the worker module (see createPool). */
class FirstThreadGate {
  private claimed = false;
  private isOpen = false;
  private readonly waiters = new Set<() => void>();
  private readonly headStartTimer: NodeJS.Timeout;

  constructor(piscina: Piscina) {
    piscina.on('message', (message: unknown) => {
      if (message === WORKER_LOADED_MESSAGE) this.open();
    });
    this.headStartTimer = setTimeout(() => this.open(), FIRST_THREAD_HEAD_START_MAX_MS);
    // Waiting for a thread must never keep the process alive on its own.
    this.headStartTimer.unref();
  }

  /** True for the run that goes first, which then need not wait. */
  claim(): boolean {
    if (this.claimed || this.isOpen) return false;
    this.claimed = true;
    return true;
  }

  /** Resolves once the gate is open, or at once when `signal` aborts. */
  opened(signal: AbortSignal): Promise<void> {
    if (this.isOpen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  open(): void {
    if (this.isOpen) return;
    this.isOpen = true;
    clearTimeout(this.headStartTimer);
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A failed run whose worker could not report it. */
export function failedRun(task: Pick<RunTask, 'test' | 'k' | 'seed'>, error: string, wallMs: number): RunResult {
  return { test: task.test, k: task.k, seed: task.seed, passed: false, error, wallMs };
}

/** A run that `signal` cut off while it ran; the signal's reason names what did (SIGINT, SIGTERM…). */
export function interruptedRun(task: Pick<RunTask, 'test' | 'k' | 'seed'>, signal: AbortSignal, wallMs: number): RunResult {
  const by = typeof signal.reason === 'string' ? ` by ${signal.reason}` : '';
  return { test: task.test, k: task.k, seed: task.seed, passed: false, interrupted: `cut off${by} after ${(wallMs / 1000).toFixed(2)}s`, wallMs };
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
