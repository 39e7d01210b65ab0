import type { PoolOptions, RunPool } from '../../src/runner/pool.js';
import { RunCancelledError } from '../../src/runner/pool.js';
import type { Timeline } from '../../src/harness/timeline.js';
import type { RunResult, RunTask } from '../../src/runner/protocol.js';

/** Decides how a fake run ends; by default every run passes in 10 ms wall, 3 s virtual. */
export type Outcome = (task: RunTask) => Partial<RunResult>;

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
    async run(task, signal) {
      if (!task.timeline) pool.started.push(task);
      else pool.replays.push(task);
      inFlight += 1;
      (pool as { maxInFlight: number }).maxInFlight = Math.max(pool.maxInFlight, inFlight);
      try {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) throw new RunCancelledError('cancelled');
        if (task.timeline) return replayOf(task);
        const result: RunResult = {
          test: task.test,
          k: task.k,
          seed: task.seed,
          passed: true,
          wallMs: 10,
          ...(task.settings.realtime ? {} : { simMs: 3000 }),
          log: [`000000 TEST run ${task.test} ${task.k}`],
          ...outcome(task),
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
