import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { Random } from './random.js';

/** A concurrent test task (Go's goroutine), joined with `World.join`. */
export interface Task<T> {
  readonly name: string;
  /** Carries the result type for `join`; never read. */
  readonly resultType?: T;
}

/**
 * Everything a test script may touch: time, randomness, the log, and the
 * means to wait. Tests written against it run unchanged in simulation and on
 * the wall clock.
 *
 * A task waits on one thing at a time: it awaits each `sleep` or `join`
 * before it starts another. The simulator counts waits to know when every
 * task is blocked, so `Promise.all` or `Promise.race` over several waits in
 * one task is not supported; spawn a task per wait instead.
 */
export interface World {
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** Waits `ms` milliseconds of world time (Go's time.Sleep). */
  sleep(ms: number): Promise<void>;
  /** Starts `fn` as a concurrent task; if it throws, the run fails with that error. */
  spawn<T>(name: string, fn: () => Promise<T>): Task<T>;
  /** Waits for a task to finish and returns its result (Go's channel receive or WaitGroup.Wait). */
  join<T>(task: Task<T>): Promise<T>;
  /** Fails the run from a callback that cannot throw into the test, such as an apply check. */
  fail(error: Error): void;
}

/** How a run of a world ended. */
export interface WorldOutcome {
  /** The first error that failed the run; undefined when it passed. */
  error?: Error;
  /** World time when the run ended, in milliseconds. */
  elapsedMs: number;
}

/** The lab's limit on one test: config.go fails any test that runs past two minutes. */
export const LAB_TIME_LIMIT_MS = 120_000;
