/**
 * Runs a window of the plan (a shard, a loop round) with the plain stress
 * engine. The engine plans k from 0 with seed base + k; started with seed
 * base `base + first`, its run k is the window's run `first + k` with the
 * right seed already, so only k needs shifting. Shifting it on the way into
 * the pool means the worker, the log file name (`<Test>_<k>.log`), the
 * failure line and every report see the run's index in the whole plan.
 */
import type { PoolOptions, RunPool } from './pool.js';

export function offsetRunIndices(create: (options: PoolOptions) => RunPool, first: number): (options: PoolOptions) => RunPool {
  if (first === 0) return create;
  return (options) => {
    const pool = create(options);
    return {
      run: (task, signal) => pool.run({ ...task, k: task.k + first }, signal),
      destroy: () => pool.destroy(),
    };
  };
}
