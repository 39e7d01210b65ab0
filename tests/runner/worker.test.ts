import { describe, expect, it } from 'vitest';
import runTask from '../../src/runner/worker.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';

describe('worker', () => {
  it('runs the task in the simulator and reports wall and virtual time apart', async () => {
    const result = await runTask({ test: 'TestInitialElection2A', k: 5, seed: 7, settings: DEFAULT_RUN_SETTINGS });
    expect(result).toMatchObject({ test: 'TestInitialElection2A', k: 5, seed: 7, passed: true });
    expect(result.error).toBeUndefined();
    // Virtual seconds pass in wall milliseconds.
    expect(result.simMs).toBeGreaterThan(2000);
    expect(result.wallMs).toBeLessThan(result.simMs!);
  });

  it('gives the same log for the same seed', async () => {
    const task = { test: 'TestReElection2A', k: 0, seed: 99, settings: { ...DEFAULT_RUN_SETTINGS, logLevel: 'trace' } } as const;
    const [a, b] = [await runTask(task), await runTask(task)];
    expect(a.log!.length).toBeGreaterThan(10);
    expect(b.log).toEqual(a.log);
  });

  it('reports no virtual time in realtime, where the wall clock is the only one', async () => {
    const result = await runTask({ test: 'TestInitialElection2A', k: 0, seed: 7, settings: { ...DEFAULT_RUN_SETTINGS, realtime: true } });
    expect(result.passed).toBe(true);
    expect(result.simMs).toBeUndefined();
    expect(result.wallMs).toBeGreaterThan(2000);
  }, 20_000);

  it('replays a run for its timeline: the same ending, the log at trace level inside the timeline, none beside it', async () => {
    const task = { test: 'TestReElection2A', k: 2, seed: 11, settings: DEFAULT_RUN_SETTINGS };
    const run = await runTask(task);
    const replay = await runTask({ ...task, timeline: true });
    expect(replay).toMatchObject({ test: 'TestReElection2A', k: 2, seed: 11, passed: run.passed, simMs: run.simMs });
    expect(replay.log).toBeUndefined();
    expect(replay.timeline).toMatchObject({ version: 1, test: 'TestReElection2A', seed: 11, peers: 3, failure: null });
    // Trace level: every message's line, far more than the quiet run's harness lines.
    expect(replay.timeline!.log.length).toBeGreaterThan(run.log!.length * 10);
    expect(replay.timeline!.log.filter((line) => line.includes(' TEST '))).toEqual(run.log);
    expect(run.timeline).toBeUndefined();
  });
});
