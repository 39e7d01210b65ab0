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
   * The index of the first run of each test, 0 by default: a shard or a
   * loop round plans runs firstK … firstK + iterations - 1 of the whole plan,
   * with the same k and seeds they have there.
   */
  firstK?: number;
  /**
   * Group all runs of a test together instead of interleaving them; the
   * default interleaving makes every test's counts grow from the start.
   */
  sequential?: boolean;
}

export function* planRuns(options: PlanOptions): Generator<PlannedRun> {
  const { tests, iterations, seedBase } = options;
  const first = options.firstK ?? 0;
  const end = first + iterations;
  const run = (test: string, k: number): PlannedRun => ({ test, k, seed: seedBase + k });
  if (options.sequential) {
    for (const test of tests) for (let k = first; k < end; k++) yield run(test, k);
  } else {
    for (let k = first; k < end; k++) for (const test of tests) yield run(test, k);
  }
}

export function plannedRunCount(options: PlanOptions): number {
  return options.tests.length * options.iterations;
}

/** Whether every run of the plan has a valid seed: the last, base + iterations - 1, must not pass SEED_MAX. */
export function seedsFit(options: Pick<PlanOptions, 'iterations' | 'seedBase'>): boolean {
  return options.seedBase <= SEED_MAX - (options.iterations - 1);
}

/** One of n shards, 1-based: `--shard 2/3` is { index: 2, count: 3 }. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * A contiguous block of run indices, the same for every test: runs
 * first … first + size - 1, whose seeds are base + k as in the whole plan.
 * A window is planned with `firstK: first` and `size` iterations.
 */
export interface RunWindow {
  /** The loop round this window belongs to, from 0; always 0 without --loop. */
  round: number;
  /** Runs per test in the whole round, before sharding. */
  roundIterations: number;
  first: number;
  size: number;
}

/**
 * The runs of a round that shard i of n does: each test's run indices are
 * cut into n contiguous blocks of near-equal size and shard i takes block i,
 * so every shard runs every test and the n shards together run each
 * (test, k, seed) of the unsharded plan exactly once.
 */
export function shardWindow(iterations: number, shard: Shard | undefined): { first: number; size: number } {
  if (shard === undefined) return { first: 0, size: iterations };
  const start = Math.floor(((shard.index - 1) * iterations) / shard.count);
  const end = Math.floor((shard.index * iterations) / shard.count);
  return { first: start, size: end - start };
}

export interface WindowOptions {
  iterations: number;
  /** With --loop, the factor the iterations grow by after each round; without, one round. */
  growth?: number;
  shard?: Shard;
}

/**
 * The windows to run, round after round. Round r has iterations × growth^r
 * runs per test and continues the run indices where round r - 1 stopped, so
 * its seeds never repeat an earlier round's: with -n 10 -g 10, round 0 is
 * k 0–9, round 1 is k 10–109, round 2 is k 110–1109. The rounds end only
 * when the next one's indices would no longer be safe integers.
 */
export function* runWindows(options: WindowOptions): Generator<RunWindow> {
  let roundStart = 0;
  let roundIterations = options.iterations;
  for (let round = 0; ; round++) {
    const { first, size } = shardWindow(roundIterations, options.shard);
    yield { round, roundIterations, first: roundStart + first, size };
    if (options.growth === undefined) return;
    roundStart += roundIterations;
    roundIterations *= options.growth;
    if (!Number.isSafeInteger(roundStart + roundIterations)) return;
  }
}
