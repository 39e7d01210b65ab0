import type { Clock, Timer } from './clock.js';
import { TimeLimitError } from './errors.js';
import type { Logger } from './log.js';
import type { Random } from './random.js';
import { asError } from './sim-world.js';
import { LAB_TIME_LIMIT_MS, type Task, type World, type WorldOutcome } from './world.js';

// This file is the one place in the simulated layers allowed to touch the
// host's clock and timers (see eslint.config.js): it is what `--realtime`
// runs on, and what the simulator uses to give the host event loop a turn.

/** The host's wall clock in milliseconds, for measuring (never for deciding) in simulated runs. */
export function hostWallMs(): number {
  return performance.now();
}

/** Gives the host event loop one full turn, after every pending microtask. */
export function yieldToHost(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Wall-clock time behind the same interface as the virtual clock. A callback
 * that throws is handed to `onError`: on the wall clock there is no driver
 * loop to catch it, and an uncaught error would take the whole thread down.
 */
export class RealClock implements Clock {
  private readonly originMs = performance.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void = (error) => {
    throw error;
  }) {
    this.onError = onError;
  }
  private disposed = false;

  now(): number {
    return performance.now() - this.originMs;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    if (this.disposed) return { cancel: () => {} };
    const handle = setTimeout(() => {
      this.timers.delete(handle);
      try {
        fn();
      } catch (error) {
        this.onError(error);
      }
    }, delayMs);
    this.timers.add(handle);
    return {
      cancel: () => {
        clearTimeout(handle);
        this.timers.delete(handle);
      },
    };
  }

  /** Cancels every pending timer, so a finished run leaves nothing behind. */
  dispose(): void {
    this.disposed = true;
    for (const handle of this.timers) clearTimeout(handle);
    this.timers.clear();
  }
}

export interface RealOptions {
  random: Random;
  makeLog: (clock: Clock) => Logger;
  timeLimitMs?: number;
}

interface RealTask<T> extends Task<T> {
  readonly promise: Promise<T>;
}

/** The same world on the wall clock, as the Go lab runs: sleeps really sleep. */
export class RealWorld implements World {
  // As in the simulator, a peer or network callback that throws fails the run, not the thread.
  readonly clock = new RealClock((error) => this.fail(asError(error)));
  readonly random: Random;
  readonly log: Logger;
  private readonly timeLimitMs: number;
  private failure: Error | undefined;
  private onFailure: (error: Error) => void = () => {};

  constructor(options: RealOptions) {
    this.random = options.random;
    this.log = options.makeLog(this.clock);
    this.timeLimitMs = options.timeLimitMs ?? LAB_TIME_LIMIT_MS;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimer(ms, resolve));
  }

  spawn<T>(name: string, fn: () => Promise<T>): Task<T> {
    const promise = Promise.resolve()
      .then(fn)
      .catch((error: unknown) => {
        this.fail(asError(error));
        return new Promise<T>(() => {});
      });
    return { name, promise } as RealTask<T>;
  }

  join<T>(task: Task<T>): Promise<T> {
    return (task as RealTask<T>).promise;
  }

  fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.onFailure(error);
  }

  async run(script: (world: World) => Promise<void>): Promise<WorldOutcome> {
    const failed = new Promise<void>((resolve) => {
      this.onFailure = () => resolve();
    });
    const limit = setTimeout(() => this.fail(new TimeLimitError(this.timeLimitMs)), this.timeLimitMs);
    try {
      await Promise.race([this.join(this.spawn('main', () => script(this))), failed]);
    } finally {
      clearTimeout(limit);
      this.clock.dispose();
    }
    return { error: this.failure, elapsedMs: this.clock.now() };
  }
}
