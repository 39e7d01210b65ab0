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
