import { describe, expect, it } from 'vitest';
import { makeRandom, SEED_MAX, splitMix64, Xoshiro128, type Random } from '../../src/sim/random.js';

function sample(random: Random, n: number, next: (r: Random) => number): number[] {
  return Array.from({ length: n }, () => next(random));
}

function draw(random: Random, n: number): number[] {
  return sample(random, n, (r) => r.uint32());
}

describe('splitMix64', () => {
  it('matches the published vector from state 1234567', () => {
    let state = 1234567n;
    const values: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      const step = splitMix64(state);
      values.push(step.value);
      state = step.next;
    }
    expect(values).toEqual([
      6457827717110365317n,
      3203168211198807973n,
      9817491932198370423n,
      4593380528125082431n,
      16408922859458223821n,
    ]);
  });

  it('stays within 64 bits', () => {
    const step = splitMix64((1n << 64n) - 1n);
    expect(step.next).toBeLessThan(1n << 64n);
    expect(step.value).toBeLessThan(1n << 64n);
    expect(step.value).toBeGreaterThanOrEqual(0n);
  });
});

describe('Xoshiro128', () => {
  it('matches the reference C code from state [1, 2, 3, 4]', () => {
    expect(draw(new Xoshiro128([1, 2, 3, 4]), 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('seeds through SplitMix64 as the reference does (seed 42)', () => {
    expect(draw(Xoshiro128.fromSeed(42), 6)).toEqual([1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222]);
  });

  it('rejects the all-zero state', () => {
    expect(() => new Xoshiro128([0, 0, 0, 0])).toThrow(RangeError);
  });

  it('one seed gives one stream; different seeds give different streams', () => {
    expect(draw(makeRandom(2024), 1000)).toEqual(draw(makeRandom(2024), 1000));
    const streams = [0, 1, 2, 3, SEED_MAX].map((seed) => draw(makeRandom(seed), 8).join(','));
    expect(new Set(streams).size).toBe(streams.length);
  });

  it.each([
    [-1, '-1'],
    [1.5, '1.5'],
    [SEED_MAX + 1, String(SEED_MAX + 1)],
    [Number.NaN, 'NaN'],
  ])('rejects seed %s with a RangeError naming it', (seed, shown) => {
    expect(() => makeRandom(seed)).toThrow(RangeError);
    expect(() => makeRandom(seed)).toThrow(`seed ${shown} `);
  });

  it('accepts the extreme seeds 0 and MAX_SAFE_INTEGER', () => {
    expect(() => makeRandom(0).uint32()).not.toThrow();
    expect(() => makeRandom(SEED_MAX).uint32()).not.toThrow();
  });

  it.each([1, 2, 7, 27, 1000, 2 ** 31 + 1, 2 ** 32])('int(%s) stays in [0, n) and yields integers', (n) => {
    const random = makeRandom(99);
    let max = 0;
    const bad: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = random.int(n);
      if (!Number.isInteger(v) || v < 0 || v >= n) bad.push(v);
      max = Math.max(max, v);
    }
    expect(bad).toEqual([]);
    // The top of the range is reached (nearly, for ranges larger than the sample).
    if (n <= 1000) expect(max).toBe(n - 1);
    else expect(max).toBeGreaterThan(n * 0.99);
  });

  it('int(n) is uniform: chi-square within five standard deviations of its mean', () => {
    const random = makeRandom(12345);
    for (const buckets of [10, 27, 100]) {
      const draws = 200_000;
      const counts = new Array<number>(buckets).fill(0);
      for (let i = 0; i < draws; i++) counts[random.int(buckets)]!++;
      const expected = draws / buckets;
      const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
      // Chi-square with k-1 degrees of freedom: mean k-1, variance 2(k-1).
      const dof = buckets - 1;
      expect(chi2).toBeLessThan(dof + 5 * Math.sqrt(2 * dof));
      // A generator that is too regular is as suspicious as a skewed one.
      expect(chi2).toBeGreaterThan(Math.max(0, dof - 5 * Math.sqrt(2 * dof)));
    }
  });

  it.each([0, -3, 1.5, 2 ** 32 + 1, Number.NaN])('int(%s) throws a RangeError naming n', (n) => {
    expect(() => makeRandom(1).int(n)).toThrow(RangeError);
    expect(() => makeRandom(1).int(n)).toThrow(`Random.int(${n})`);
  });

  it('float() lies in [0, 1) with mean near 1/2', () => {
    const n = 100_000;
    const values = sample(makeRandom(5), n, (r) => r.float());
    expect(values.filter((f) => !(f >= 0 && f < 1))).toEqual([]);
    // Uniform(0,1) has variance 1/12.
    const mean = values.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
  });

  it('int53() gives safe non-negative integers that use the high bits', () => {
    const n = 10_000;
    const values = sample(makeRandom(8), n, (r) => r.int53());
    expect(values.filter((v) => !Number.isSafeInteger(v) || v < 0)).toEqual([]);
    // The top bit is set half the time.
    const high = values.filter((v) => v >= 2 ** 52).length;
    expect(Math.abs(high - n / 2)).toBeLessThan(5 * Math.sqrt(n / 4));
  });
});
