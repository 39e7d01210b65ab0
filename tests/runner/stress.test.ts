import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PoolOptions, RunPool } from '../../src/runner/pool.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';
import { stress, type RunFinished, type StressOptions } from '../../src/runner/stress.js';
import { fakePool, memoryFiles } from './helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-stress-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function options(overrides: Partial<StressOptions> = {}): StressOptions {
  return {
    tests: ['TestA', 'TestB'],
    iterations: 3,
    workers: 2,
    sequential: false,
    seedBase: 100,
    settings: DEFAULT_RUN_SETTINGS,
    archive: false,
    outputDir: join(root, 'out'),
    ...overrides,
  };
}

describe('stress', () => {
  it('does every planned run, in plan order, with at most `workers` in flight', async () => {
    const { pool, create } = fakePool();
    const report = await stress(options({ workers: 2 }), { createPool: create });
    expect(pool.started.map((t) => `${t.test}#${t.k}@${t.seed}`)).toEqual(['TestA#0@100', 'TestB#0@100', 'TestA#1@101', 'TestB#1@101', 'TestA#2@102', 'TestB#2@102']);
    expect(pool.maxInFlight).toBe(2);
    expect(pool.options).toEqual({ workers: 2 });
    expect(pool.destroyed).toBe(true);
    expect(report).toMatchObject({ plannedRuns: 6, completedRuns: 6, failedRuns: 0, interruptedRuns: 0, unstartedRuns: 0, interrupted: false, logPaths: [], logFailures: [] });
    expect(report.summaries.map((s) => [s.test, s.failed, s.total])).toEqual([['TestA', 0, 3], ['TestB', 0, 3]]);
  });

  it('starts no more threads than there are runs', async () => {
    const { pool, create } = fakePool();
    await stress(options({ tests: ['TestA'], iterations: 2, workers: 8 }), { createPool: create });
    expect(pool.options).toEqual({ workers: 2 });
  });

  it('passes the run settings and the timeout on to the pool', async () => {
    const { pool, create } = fakePool();
    await stress(options({ settings: { ...DEFAULT_RUN_SETTINGS, realtime: true, logLevel: 'trace' }, timeoutMs: 5000 }), { createPool: create });
    expect(pool.options).toEqual({ workers: 2, timeoutMs: 5000 });
    expect(pool.started.every((t) => t.settings.realtime && t.settings.logLevel === 'trace')).toBe(true);
  });

  it('keeps per-test stats of wall and virtual seconds', async () => {
    const { create } = fakePool((task) => ({ wallMs: 1000 * (task.k + 1), simMs: 2000 * (task.k + 1) }));
    const report = await stress(options({ tests: ['TestA'], iterations: 3 }), { createPool: create });
    const [summary] = report.summaries;
    expect(summary!.wallSeconds.mean).toBeCloseTo(2);
    expect(summary!.wallSeconds.stddev).toBeCloseTo(Math.sqrt(2 / 3));
    expect(summary!.simSeconds.mean).toBeCloseTo(4);
  });

  it('counts failures, writes their logs, and announces each with its log path as it finishes', async () => {
    const { create } = fakePool((task) => (task.test === 'TestB' && task.k === 1 ? { passed: false, error: 'boom' } : {}));
    const events: RunFinished[] = [];
    // Writes that settle at once, so that runs are announced in the order they end.
    const disk = memoryFiles();
    const report = await stress(options(), { createPool: create, onRunFinished: (e) => events.push(e), logFiles: disk });
    const failure = join(root, 'out', 'TestB_1.log');
    expect(report.failedRuns).toBe(1);
    expect(report.summaries.map((s) => s.failed)).toEqual([0, 1]);
    expect(report.logPaths).toEqual([failure]);
    expect([...disk.files.keys()]).toEqual([failure]);
    expect(disk.files.get(failure)!.toString()).toContain('# seed: 101\n');
    expect(events).toHaveLength(6);
    expect(events.map((e) => e.progress.done)).toEqual([1, 2, 3, 4, 5, 6]);
    const failed = events.filter((e) => !e.result.passed);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.logPath).toBe(failure);
    expect(events.filter((e) => e.logPath !== undefined)).toHaveLength(1);
  });

  it('leaves no output directory when every run passes', async () => {
    const { create } = fakePool();
    await stress(options(), { createPool: create });
    expect(existsSync(join(root, 'out'))).toBe(false);
  });

  it('when cancelled, starts no new run, keeps finished ones, writes their logs and counts the rest as not started', async () => {
    const cancel = new AbortController();
    const { pool, create } = fakePool((task) => ({ passed: task.k !== 0 }));
    let finished = 0;
    const report = await stress(options({ workers: 1, iterations: 10 }), {
      createPool: create,
      signal: cancel.signal,
      onRunFinished: () => {
        finished += 1;
        if (finished === 3) cancel.abort('SIGTERM');
      },
    });
    expect(pool.started).toHaveLength(3);
    expect(report).toMatchObject({ interrupted: true, interruptedBy: 'SIGTERM', plannedRuns: 20, completedRuns: 3, failedRuns: 2, interruptedRuns: 0, unstartedRuns: 17 });
    // Both failing runs that finished have their logs on disk already.
    expect((await readdir(join(root, 'out'))).sort()).toEqual(['TestA_0.log', 'TestB_0.log']);
  });

  // Issue 11, item 6: runs in flight were dropped with their logs.
  it('cuts off the runs in flight when cancelled, counting them neither passed nor failed and keeping their logs so far', async () => {
    const cancel = new AbortController();
    const { pool, create } = fakePool();
    const events: RunFinished[] = [];
    const running = stress(options({ workers: 2 }), { createPool: create, signal: cancel.signal, onRunFinished: (e) => events.push(e) });
    cancel.abort('SIGINT');
    const report = await running;
    expect(pool.started).toHaveLength(2);
    expect(report).toMatchObject({ completedRuns: 0, failedRuns: 0, interruptedRuns: 2, unstartedRuns: 4, interrupted: true, interruptedBy: 'SIGINT' });
    expect(report.summaries.map((s) => [s.total, s.failed])).toEqual([[0, 0], [0, 0]]);
    expect(pool.destroyed).toBe(true);
    // The two lanes' logs are written side by side: they are announced in whichever order the disk finishes them.
    expect(events.map((e) => [e.result.test, e.result.interrupted]).sort()).toEqual([
      ['TestA', 'cut off by SIGINT after 0.01s'],
      ['TestB', 'cut off by SIGINT after 0.01s'],
    ]);
    expect([...report.logPaths].sort()).toEqual([join(root, 'out', 'TestA_0.log'), join(root, 'out', 'TestB_0.log')]);
    expect(await readFile(join(root, 'out', 'TestA_0.log'), 'utf8')).toMatch(/\n000000 TEST run TestA 0\n# interrupted: cut off by SIGINT after 0\.01s\n$/);
  });

  it('with maxFailures, starts no run after that many failed, lets the runs in flight finish, and says it stopped', async () => {
    const { pool, create } = fakePool((task) => (task.test === 'TestA' ? { passed: false, error: 'boom' } : {}));
    const report = await stress(options({ iterations: 10, workers: 2, maxFailures: 2 }), { createPool: create, logFiles: memoryFiles() });
    // TestA#0 fails (1), TestB#0 passes, TestA#1 fails (2): nothing starts after, the run in flight (TestB#1) finishes.
    expect(pool.started.map((t) => `${t.test}#${t.k}`)).toEqual(['TestA#0', 'TestB#0', 'TestA#1', 'TestB#1']);
    expect(report).toMatchObject({ stoppedEarly: true, interrupted: false, plannedRuns: 20, completedRuns: 4, failedRuns: 2, unstartedRuns: 16 });
  });

  it('does not say it stopped early when the failures come with the last runs', async () => {
    const { create } = fakePool((task) => (task.k === 2 ? { passed: false, error: 'late' } : {}));
    const report = await stress(options({ iterations: 3, maxFailures: 1, workers: 1, tests: ['TestA'] }), { createPool: create });
    expect(report).toMatchObject({ completedRuns: 3, failedRuns: 1, unstartedRuns: 0, stoppedEarly: false });
  });

  it('gives every run the index of its slot, from 0 to workers - 1', async () => {
    const { pool, create } = fakePool();
    await stress(options({ iterations: 5, workers: 3 }), { createPool: create });
    const slots = new Set(pool.started.map((t) => t.worker));
    expect([...slots].sort()).toEqual([0, 1, 2]);
  });

  it('passes the worker file, the heap limit and the exec command on', async () => {
    const { pool, create } = fakePool();
    const workerFile = new URL('file:///x.mjs');
    const report = await stress(options({ heapLimitMb: 64, settings: { ...DEFAULT_RUN_SETTINGS, exec: 'true' } }), { createPool: create, workerFile });
    expect(pool.options).toEqual({ workers: 2, heapLimitMb: 64, exec: 'true', workerFile });
    // Exec runs have no virtual time: the table shows none.
    expect(report).toMatchObject({ mode: 'exec', realtime: true });
  });

  it('names its mode: sim, realtime or exec', async () => {
    const { create } = fakePool();
    expect((await stress(options(), { createPool: create })).mode).toBe('sim');
  });

  it('hands every run the settings whole, so a new setting needs no change here', async () => {
    const { pool, create } = fakePool();
    const settings = { ...DEFAULT_RUN_SETTINGS, strict: true, someFutureFlag: 3 };
    await stress(options({ settings }), { createPool: create });
    expect(pool.started.map((task) => task.settings)).toEqual(pool.started.map(() => settings));
    expect(pool.started.every((task) => task.settings === settings)).toBe(true);
  });

  it('runs exec commands on the host when no pool is given', async () => {
    const report = await stress(options({ tests: ['X', 'Y'], iterations: 2, settings: { ...DEFAULT_RUN_SETTINGS, exec: 'test {test} = X' }, archive: true }));
    expect(report.summaries.map((s) => [s.test, s.failed, s.total])).toEqual([['X', 0, 2], ['Y', 2, 2]]);
    expect(report.logPaths).toHaveLength(4);
  });

  it('reports each log it could not write, with its path, instead of throwing', async () => {
    const { create } = fakePool(() => ({ passed: false, error: 'x' }));
    const report = await stress(options({ outputDir: join(import.meta.filename, 'out') }), { createPool: create });
    expect(report.completedRuns).toBe(6);
    expect(report.logPaths).toEqual([]);
    expect(report.logFailures.map((f) => f.path).sort()).toEqual(
      ['TestA_0', 'TestA_1', 'TestA_2', 'TestB_0', 'TestB_1', 'TestB_2'].map((name) => join(import.meta.filename, 'out', `${name}.log`)),
    );
    expect(report.logFailures.every((f) => f.error.message.startsWith('ENOTDIR'))).toBe(true);
  });
});

describe('stress: timelines of kept runs', () => {
  it('replays nothing when every run passes and no log is kept: passing runs pay nothing', async () => {
    const { pool, create } = fakePool(() => ({}), { timelines: true });
    await stress(options({ iterations: 10 }), { createPool: create });
    expect(pool.started).toHaveLength(20);
    expect(pool.replays).toEqual([]);
  });

  it('replays each failing run once, after announcing it, and writes its timeline beside its log', async () => {
    const { pool, create } = fakePool((task) => (task.k === 1 ? { passed: false, error: 'boom' } : {}), { timelines: true });
    const order: string[] = [];
    const watched = (o: PoolOptions): RunPool => {
      const inner = create(o);
      return {
        run: (task, log, signal) => {
          if (task.timeline) order.push(`${task.test}#${task.k} replayed`);
          return inner.run(task, log, signal);
        },
        destroy: () => inner.destroy(),
      };
    };
    await stress(options(), { createPool: watched, onRunFinished: ({ result }) => order.push(`${result.test}#${result.k} finished`) });
    // Each lane replays its own failure once its log is written, so the two lanes' replays may come in either order.
    expect(pool.replays.map((t) => `${t.test}#${t.k}@${t.seed}`).sort()).toEqual(['TestA#1@101', 'TestB#1@101']);
    expect(pool.replays.every((t) => t.timeline === true && t.settings.logLevel === 'none')).toBe(true);
    for (const run of ['TestA#1', 'TestB#1']) expect(order.indexOf(`${run} finished`)).toBeLessThan(order.indexOf(`${run} replayed`));
    expect((await readdir(join(root, 'out'))).sort()).toEqual(['TestA_1.log', 'TestA_1.timeline.json', 'TestB_1.log', 'TestB_1.timeline.json']);
    const timeline = JSON.parse(await readFile(join(root, 'out', 'TestA_1.timeline.json'), 'utf8'));
    expect(timeline).toMatchObject({ version: 1, test: 'TestA', seed: 101 });
  });

  it('with -a, replays the first kept passing runs too', async () => {
    const { pool, create } = fakePool(() => ({}), { timelines: true });
    await stress(options({ tests: ['TestA'], iterations: 8, archive: true }), { createPool: create });
    // The first five to be kept: with two lanes writing to a real disk, not always runs 0-4.
    expect(new Set(pool.replays.map((t) => t.k)).size).toBe(5);
    expect((await readdir(join(root, 'out'))).filter((f) => f.endsWith('.timeline.json'))).toHaveLength(5);
  });

  it('replays nothing in realtime or exec mode, where a seed does not replay a run', async () => {
    for (const [name, settings] of [
      ['realtime', { ...DEFAULT_RUN_SETTINGS, realtime: true }],
      ['exec', { ...DEFAULT_RUN_SETTINGS, exec: 'false' }],
    ] as const) {
      const { pool, create } = fakePool(() => ({ passed: false, error: 'x' }), { timelines: true });
      const report = await stress(options({ settings, outputDir: join(root, name) }), { createPool: create });
      expect(report.mode).toBe(name);
      expect(report.failedRuns).toBe(6);
      expect(pool.replays).toEqual([]);
    }
  });

  it('starts no replay once Ctrl-C has come, and ends the stress run like any cancelled run', async () => {
    const cancel = new AbortController();
    const { pool, create } = fakePool(() => ({ passed: false, error: 'x' }), { timelines: true });
    const report = await stress(options({ workers: 1 }), {
      createPool: create,
      signal: cancel.signal,
      onRunFinished: () => cancel.abort(),
    });
    expect(report.interrupted).toBe(true);
    expect(pool.started).toHaveLength(1);
    expect(pool.replays).toHaveLength(0);
    expect(await readdir(join(root, 'out'))).toEqual(['TestA_0.log']);
  });

  it('a replay cut off by Ctrl-C ends the stress run, writing no timeline and counting nothing twice', async () => {
    const cancel = new AbortController();
    const { pool, create } = fakePool(() => ({ passed: false, error: 'x' }), { timelines: true });
    // Ctrl-C comes while the replay runs.
    const cancelDuringReplay = (o: PoolOptions): RunPool => {
      const inner = create(o);
      return {
        run: (task, log, signal) => {
          const running = inner.run(task, log, signal);
          if (task.timeline) cancel.abort('SIGINT');
          return running;
        },
        destroy: () => inner.destroy(),
      };
    };
    const report = await stress(options({ workers: 1 }), { createPool: cancelDuringReplay, signal: cancel.signal });
    expect(report).toMatchObject({ interrupted: true, completedRuns: 1, failedRuns: 1, interruptedRuns: 0 });
    expect(pool.replays).toHaveLength(1);
    expect(await readdir(join(root, 'out'))).toEqual(['TestA_0.log']);
  });
});
