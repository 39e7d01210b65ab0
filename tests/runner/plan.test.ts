import { describe, expect, it } from 'vitest';
import { planRuns, plannedRunCount, SEED_MAX, seedsFit } from '../../src/runner/plan.js';

const tests = ['TestA', 'TestB', 'TestC'];

describe('planRuns', () => {
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
