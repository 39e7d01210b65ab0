/**
 * The engine with real worker threads and fixture tests: a faulty run is a
 * failed run whose log file holds what it wrote before it ended, and the
 * runs after it go on and pass.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPool, WORKER_ENTRY, type PoolOptions } from '../../src/runner/pool.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';
import { stress, type StressOptions } from '../../src/runner/stress.js';
// @ts-expect-error: a plain JavaScript module without types.
import { FIRST_LINE } from './fixtures/lab-fixtures.mjs';

const fixtureWorker = new URL('./fixtures/fixture-worker.mjs', import.meta.url);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-crash-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function options(overrides: Partial<StressOptions>): StressOptions {
  return {
    tests: ['FixturePass'],
    iterations: 2,
    workers: 1,
    sequential: true,
    seedBase: 10,
    settings: DEFAULT_RUN_SETTINGS,
    archive: false,
    outputDir: join(root, 'out'),
    ...overrides,
  };
}

// The built worker with the fixture tests added.
const realPool = (o: PoolOptions) => createPool({ ...o, workerFile: fixtureWorker });

describe.runIf(existsSync(WORKER_ENTRY))('stress with faulty runs (built worker)', () => {
  it('writes the log of every faulty run with its first line, and passes the runs after each fault', async () => {
    const report = await stress(
      options({ tests: ['FixtureHangSync', 'FixtureExit', 'FixtureThrow', 'FixtureOom', 'FixturePass'], iterations: 2, workers: 2, timeoutMs: 1000, heapLimitMb: 64 }),
      { createPool: realPool },
    );
    expect(report.summaries.map((s) => [s.test, s.failed, s.total])).toEqual([
      ['FixtureHangSync', 2, 2],
      ['FixtureExit', 2, 2],
      ['FixtureThrow', 2, 2],
      ['FixtureOom', 2, 2],
      ['FixturePass', 0, 2],
    ]);
    const all = (await readdir(join(root, 'out'))).sort();
    // Only a run its worker finished is replayed for a timeline: the others would only hang or crash again.
    expect(all.filter((file) => file.endsWith('.timeline.json'))).toEqual(['FixtureThrow_0.timeline.json', 'FixtureThrow_1.timeline.json']);
    const files = all.filter((file) => file.endsWith('.log'));
    expect(files).toEqual(['FixtureExit_0.log', 'FixtureExit_1.log', 'FixtureHangSync_0.log', 'FixtureHangSync_1.log', 'FixtureOom_0.log', 'FixtureOom_1.log', 'FixtureThrow_0.log', 'FixtureThrow_1.log']);
    for (const file of files) {
      const text = await readFile(join(root, 'out', file), 'utf8');
      expect(text, file).toMatch(new RegExp(`^\\d{6,} TEST ${FIRST_LINE}$`, 'm'));
    }
  });

  it('stops starting runs after -x failures with real workers', async () => {
    const report = await stress(options({ tests: ['FixtureThrow'], iterations: 50, workers: 1, maxFailures: 3 }), { createPool: realPool });
    expect(report).toMatchObject({ completedRuns: 3, failedRuns: 3, stoppedEarly: true, cutOffRuns: 47 });
  });

  it('ends a hung run when cancelled and keeps the logs of the runs that finished', async () => {
    const cancel = new AbortController();
    // Lane 0 takes FixtureThrow #0 and lane 1 FixtureHangSync #0, which never ends; cancel once the first has.
    const report = await stress(options({ tests: ['FixtureThrow', 'FixtureHangSync'], iterations: 3, workers: 2, sequential: false }), {
      createPool: realPool,
      signal: cancel.signal,
      onRunFinished: () => cancel.abort(),
    });
    expect(report.interrupted).toBe(true);
    expect(report.cutOffRuns).toBeGreaterThan(0);
    expect(await readdir(join(root, 'out'))).toContain('FixtureThrow_0.log');
  });
});
