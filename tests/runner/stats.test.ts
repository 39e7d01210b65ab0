import { describe, expect, it } from 'vitest';
import { nearestRank, RunningStats, spreadOf } from '../../src/runner/stats.js';

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

describe('nearestRank', () => {
  it('is the ⌈p/100 × n⌉-th smallest sample, never an interpolation', () => {
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5], 50)).toBe(3);
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(nearestRank(twenty, 95)).toBe(19);
    expect(nearestRank(twenty, 96)).toBe(20);
    expect(nearestRank(twenty, 100)).toBe(20);
    // The classic example: p30 of 15, 20, 35, 40, 50 is 20.
    expect(nearestRank([15, 20, 35, 40, 50], 30)).toBe(20);
  });

  it('gives the smallest sample for p 0, the only one for one sample, NaN for none', () => {
    expect(nearestRank([3, 9], 0)).toBe(3);
    expect(nearestRank([7], 95)).toBe(7);
    expect(nearestRank([], 50)).toBeNaN();
  });
});

describe('spreadOf', () => {
  it('sorts the samples and gives min, p50, p95 and max', () => {
    expect(spreadOf([5, 1, 4, 2, 3])).toEqual({ min: 1, p50: 3, p95: 5, max: 5 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(spreadOf(hundred)).toEqual({ min: 1, p50: 50, p95: 95, max: 100 });
  });
});
