import { SEED_MAX } from '../sim/random.js';

export { SEED_MAX };

/**
 * Expands tests × iterations into the runs to do. The plan is lazy so that
 * a large -n costs no memory before the runs are started.
 */
export interface PlannedRun {
  test: string;
  /** The run's index among the runs of its test, from 0. */
  k: number;
  /** base + k, so that any one run replays with `--seed <seed> -n 1`. */
  seed: number;
}

export interface PlanOptions {
  tests: readonly string[];
  iterations: number;
  seedBase: number;
  /**
   * Group all runs of a test together instead of interleaving them; the
   * default interleaving makes every test's counts grow from the start.
   */
  sequential?: boolean;
}

export function* planRuns(options: PlanOptions): Generator<PlannedRun> {
  const { tests, iterations, seedBase } = options;
  const run = (test: string, k: number): PlannedRun => ({ test, k, seed: seedBase + k });
  if (options.sequential) {
    for (const test of tests) for (let k = 0; k < iterations; k++) yield run(test, k);
  } else {
    for (let k = 0; k < iterations; k++) for (const test of tests) yield run(test, k);
  }
}

export function plannedRunCount(options: PlanOptions): number {
  return options.tests.length * options.iterations;
}

/** Whether every run of the plan has a valid seed: the last, base + iterations - 1, must not pass SEED_MAX. */
export function seedsFit(options: Pick<PlanOptions, 'iterations' | 'seedBase'>): boolean {
  return options.seedBase <= SEED_MAX - (options.iterations - 1);
}
