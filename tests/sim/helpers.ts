import { expect } from 'vitest';
import type { Clock } from '../../src/sim/clock.js';
import { decode, encode } from '../../src/sim/codec.js';
import { CaptureLog, type LogLevel } from '../../src/sim/log.js';
import { makeRandom } from '../../src/sim/random.js';
import { yieldToHost } from '../../src/sim/real-clock.js';
import type { SimClock } from '../../src/sim/sim-clock.js';
import { SimWorld, type SimOptions } from '../../src/sim/sim-world.js';
import type { World, WorldOutcome } from '../../src/sim/world.js';

/** Shared scaffolding for the tests of the simulated layers (sim, labrpc, raft). */

export function captureLog(clock: Clock, level: LogLevel = 'none'): CaptureLog {
  return new CaptureLog(clock, level);
}

/** A simulated world on a fixed seed, as the suite builds one. */
export function makeWorld(seed = 1, options: Partial<SimOptions> = {}): SimWorld {
  return new SimWorld({ random: makeRandom(seed), makeLog: (c) => captureLog(c), yieldToHost, ...options });
}

export function runWorld(script: (world: World) => Promise<void>, options: Partial<SimOptions> = {}): Promise<WorldOutcome> {
  return makeWorld(1, options).run(script);
}

/**
 * Runs clock events until none is left and returns how many ran. The cap
 * turns a self-perpetuating schedule into a test failure instead of a hang.
 */
export function drain(clock: SimClock, maxEvents = 5_000_000): number {
  let ran = 0;
  while (clock.runNext()) {
    if (++ran > maxEvents) throw new Error(`more than ${maxEvents} events: the schedule never empties`);
  }
  return ran;
}

/** Runs clock events up to and including virtual time `untilMs`. */
export function runUntil(clock: SimClock, untilMs: number): void {
  for (;;) {
    const next = clock.nextEventTime();
    if (next === undefined || next > untilMs) return;
    clock.runNext();
  }
}

/** What the network or the persister would hand over: a deep copy through the real codec. */
export function wire<T>(value: T): T {
  return decode(encode(value)) as T;
}

/**
 * Asserts that `hits` successes in `trials` Bernoulli trials are consistent
 * with probability `p`: within `sigmas` binomial standard deviations.
 */
export function expectBinomial(hits: number, trials: number, p: number, sigmas = 5): void {
  const mean = trials * p;
  const tolerance = sigmas * Math.sqrt(trials * p * (1 - p));
  expect(hits, `${hits} of ${trials}, expected ${mean} ± ${tolerance.toFixed(1)}`).toBeGreaterThanOrEqual(mean - tolerance);
  expect(hits, `${hits} of ${trials}, expected ${mean} ± ${tolerance.toFixed(1)}`).toBeLessThanOrEqual(mean + tolerance);
}
