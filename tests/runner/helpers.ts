import type { PoolOptions, RunPool } from '../../src/runner/pool.js';
import { RunCancelledError } from '../../src/runner/pool.js';
import type { RunResult, RunTask } from '../../src/runner/protocol.js';

/** Decides how a fake run ends; by default every run passes in 10 ms wall, 3 s virtual. */
export type Outcome = (task: RunTask) => Partial<RunResult>;

export interface FakePool extends RunPool {
  /** Every task the runner started, in the order it started them. */
  readonly started: RunTask[];
  /** The most runs that were in flight at once. */
  readonly maxInFlight: number;
  readonly options: PoolOptions | undefined;
  destroyed: boolean;
}

/**
 * A pool without threads, so runner and CLI tests are fast and exact. Runs
 * finish on a later turn of the event loop, like real ones, and honour cancellation.
 */
export function fakePool(outcome: Outcome = () => ({})): { pool: FakePool; create: (options: PoolOptions) => RunPool } {
  let inFlight = 0;
  const pool: FakePool = {
    started: [],
    maxInFlight: 0,
    options: undefined,
    destroyed: false,
    async run(task, signal) {
      pool.started.push(task);
      inFlight += 1;
      (pool as { maxInFlight: number }).maxInFlight = Math.max(pool.maxInFlight, inFlight);
      try {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) throw new RunCancelledError('cancelled');
        return {
          test: task.test,
          k: task.k,
          seed: task.seed,
          passed: true,
          wallMs: 10,
          ...(task.settings.realtime ? {} : { simMs: 3000 }),
          log: [`000000 TEST run ${task.test} ${task.k}`],
          ...outcome(task),
        };
      } finally {
        inFlight -= 1;
      }
    },
    async destroy() {
      pool.destroyed = true;
    },
  };
  return {
    pool,
    create: (options) => {
      (pool as { options: PoolOptions }).options = options;
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
