/**
 * Running mean and population standard deviation (Welford's online
 * algorithm), so that the runner keeps no per-run samples however large -n
 * is. Population, not sample, stddev: that is what dstest.py prints.
 */
export class RunningStats {
  private n = 0;
  private meanValue = 0;
  /** Sum of squared differences from the current mean. */
  private m2 = 0;

  add(x: number): void {
    this.n += 1;
    const delta = x - this.meanValue;
    this.meanValue += delta / this.n;
    this.m2 += delta * (x - this.meanValue);
  }

  get count(): number {
    return this.n;
  }

  /** The mean of the values added; NaN before the first one. */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.meanValue;
  }

  /** The population standard deviation; NaN before the first value. */
  get stddev(): number {
    return this.n === 0 ? Number.NaN : Math.sqrt(this.m2 / this.n);
  }
}

/**
 * The p-th percentile (0 < p ≤ 100) by nearest rank: the smallest sample
 * such that at least p% of the samples are at or below it, i.e. the
 * ⌈p/100 × n⌉-th smallest. It is always one of the samples (no
 * interpolation), so p50 of [1, 2, 3, 4] is 2 and p95 of 20 samples is the 19th.
 * NaN for no samples.
 */
export function nearestRank(sortedAscending: readonly number[], p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p * n) / 100)));
  return sortedAscending[rank - 1]!;
}

export interface Spread {
  min: number;
  p50: number;
  p95: number;
  max: number;
}

/** Min, median, 95th percentile (nearest rank) and max of the samples; all NaN for none. */
export function spreadOf(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  return { min: nearestRank(sorted, 0), p50: nearestRank(sorted, 50), p95: nearestRank(sorted, 95), max: nearestRank(sorted, 100) };
}
