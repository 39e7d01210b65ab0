import { describe, expect, it } from 'vitest';
import { planRuns, plannedRunCount, runWindows, SEED_MAX, seedsFit, shardWindow } from '../../src/runner/plan.js';

const tests = ['TestA', 'TestB', 'TestC'];

describe('planRuns', () => {
  it('plans a window of the whole plan from firstK, with the k and seeds the runs have there', () => {
    const runs = [...planRuns({ tests: ['A', 'B'], iterations: 2, seedBase: 100, firstK: 5 })];
    expect(runs).toEqual([
      { test: 'A', k: 5, seed: 105 },
      { test: 'B', k: 5, seed: 105 },
      { test: 'A', k: 6, seed: 106 },
      { test: 'B', k: 6, seed: 106 },
    ]);
  });

  it('interleaves by default: run 0 of every test, then run 1, ...', () => {
    const runs = [...planRuns({ tests, iterations: 2, seedBase: 100 })];
    expect(runs.map((r) => `${r.test}#${r.k}`)).toEqual(['TestA#0', 'TestB#0', 'TestC#0', 'TestA#1', 'TestB#1', 'TestC#1']);
  });

  it('groups the runs of each test with sequential', () => {
    const runs = [...planRuns({ tests, iterations: 2, seedBase: 100, sequential: true })];
    expect(runs.map((r) => `${r.test}#${r.k}`)).toEqual(['TestA#0', 'TestA#1', 'TestB#0', 'TestB#1', 'TestC#0', 'TestC#1']);
  });

  it('gives the k-th run of every test the seed base + k', () => {
    const runs = [...planRuns({ tests, iterations: 4, seedBase: 1234 })];
    for (const run of runs) expect(run.seed).toBe(1234 + run.k);
    expect(runs.filter((r) => r.test === 'TestB').map((r) => r.seed)).toEqual([1234, 1235, 1236, 1237]);
  });

  it('plans tests × iterations runs, each once', () => {
    const options = { tests, iterations: 7, seedBase: 0 };
    const runs = [...planRuns(options)];
    expect(runs).toHaveLength(21);
    expect(plannedRunCount(options)).toBe(21);
    expect(new Set(runs.map((r) => `${r.test}#${r.k}`)).size).toBe(21);
  });

  it('is lazy, so a huge plan costs nothing until it is walked', () => {
    const runs = planRuns({ tests, iterations: 1e12, seedBase: 0 });
    expect(runs.next().value).toEqual({ test: 'TestA', k: 0, seed: 0 });
  });

  it('knows whether the last seed of a plan is still a valid seed', () => {
    expect(seedsFit({ seedBase: SEED_MAX, iterations: 1 })).toBe(true);
    expect(seedsFit({ seedBase: SEED_MAX, iterations: 2 })).toBe(false);
    expect(seedsFit({ seedBase: SEED_MAX - 9, iterations: 10 })).toBe(true);
    expect(seedsFit({ seedBase: SEED_MAX - 9, iterations: 11 })).toBe(false);
  });
});

describe('shardWindow', () => {
  it('is the whole plan without a shard', () => {
    expect(shardWindow(10, undefined)).toEqual({ first: 0, size: 10 });
  });

  it('cuts each test\'s runs into n contiguous blocks of near-equal size that cover every run once', () => {
    expect([1, 2, 3].map((index) => shardWindow(10, { index, count: 3 }))).toEqual([
      { first: 0, size: 3 },
      { first: 3, size: 3 },
      { first: 6, size: 4 },
    ]);
    for (const iterations of [0, 1, 2, 7, 100]) {
      for (const count of [1, 2, 3, 5, 8]) {
        const ks = Array.from({ length: count }, (_, i) => shardWindow(iterations, { index: i + 1, count })).flatMap(({ first, size }) =>
          Array.from({ length: size }, (_, j) => first + j),
        );
        expect(ks).toEqual(Array.from({ length: iterations }, (_, k) => k));
      }
    }
  });

  it('gives some shards no runs when there are fewer runs than shards', () => {
    expect(shardWindow(1, { index: 1, count: 2 })).toEqual({ first: 0, size: 0 });
    expect(shardWindow(1, { index: 2, count: 2 })).toEqual({ first: 0, size: 1 });
  });
});

describe('runWindows', () => {
  it('is one round of the whole plan without a loop', () => {
    expect([...runWindows({ iterations: 5 })]).toEqual([{ round: 0, roundIterations: 5, first: 0, size: 5 }]);
  });

  it('grows each loop round by the factor and continues the run indices, so no seed repeats', () => {
    const windows = runWindows({ iterations: 10, growth: 10 });
    const rounds = [windows.next().value, windows.next().value, windows.next().value];
    expect(rounds).toEqual([
      { round: 0, roundIterations: 10, first: 0, size: 10 },
      { round: 1, roundIterations: 100, first: 10, size: 100 },
      { round: 2, roundIterations: 1000, first: 110, size: 1000 },
    ]);
  });

  it('shards every loop round the same way', () => {
    const windows = runWindows({ iterations: 4, growth: 2, shard: { index: 2, count: 2 } });
    expect([windows.next().value, windows.next().value]).toEqual([
      { round: 0, roundIterations: 4, first: 2, size: 2 },
      { round: 1, roundIterations: 8, first: 8, size: 4 },
    ]);
  });

  it('ends a loop once its run indices would no longer be safe integers', () => {
    const rounds = [...runWindows({ iterations: 1, growth: 1e6 })];
    expect(rounds.length).toBeGreaterThan(1);
    const last = rounds.at(-1)!;
    expect(Number.isSafeInteger(last.first + last.size)).toBe(true);
  });
});
