import { describe, expect, it } from 'vitest';
import { RunningStats } from '../../src/runner/stats.js';

/** The textbook two-pass computation, to check the online one against. */
function twoPass(values: readonly number[]): { mean: number; stddev: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / values.length;
  return { mean, stddev: Math.sqrt(variance) };
}

function statsOf(values: readonly number[]): RunningStats {
  const stats = new RunningStats();
  for (const x of values) stats.add(x);
  return stats;
}

describe('RunningStats', () => {
  it('gives the population stddev of a known sample (2 for the classic 2,4,4,4,5,5,7,9)', () => {
    const stats = statsOf([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(stats.count).toBe(8);
    expect(stats.mean).toBe(5);
    // The sample stddev would be 2.138...; dstest prints the population one.
    expect(stats.stddev).toBeCloseTo(2, 12);
  });

  it('agrees with a two-pass computation on many values', () => {
    // A fixed pseudo-random sample, so the test is the same every time.
    let x = 12345;
    const values = Array.from({ length: 1000 }, () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return 3 + (x / 2 ** 31) * 4;
    });
    const expected = twoPass(values);
    const stats = statsOf(values);
    expect(stats.mean).toBeCloseTo(expected.mean, 10);
    expect(stats.stddev).toBeCloseTo(expected.stddev, 10);
  });

  it('stays exact when values sit far from zero (where the naive sum of squares cancels)', () => {
    const values = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    const stats = statsOf(values);
    expect(stats.mean).toBe(1e9 + 10);
    expect(stats.stddev).toBeCloseTo(Math.sqrt(22.5), 6);
  });

  it('gives stddev 0 for one value and NaN before any', () => {
    expect(statsOf([3.5]).stddev).toBe(0);
    expect(statsOf([3.5]).mean).toBe(3.5);
    expect(new RunningStats().mean).toBeNaN();
    expect(new RunningStats().stddev).toBeNaN();
  });
});
