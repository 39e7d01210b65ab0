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
import { BroadcastChannel } from 'node:worker_threads';
import { createPool, WORKER_ENTRY, type PoolOptions } from '../../src/runner/pool.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';
import { stress, type StressOptions } from '../../src/runner/stress.js';
// @ts-expect-error: a plain JavaScript module without types.
import { FIRST_LINE, HANG_CHANNEL } from './fixtures/lab-fixtures.mjs';

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
  // Six threads end and are replaced here; on a loaded machine each takes seconds to start again, so the
  // limit is a backstop well past that, not a budget.
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
  }, 180_000);

  it('stops starting runs after -x failures with real workers', async () => {
    const report = await stress(options({ tests: ['FixtureThrow'], iterations: 50, workers: 1, maxFailures: 3 }), { createPool: realPool });
    expect(report).toMatchObject({ completedRuns: 3, failedRuns: 3, stoppedEarly: true, unstartedRuns: 47 });
  });

  // Issue 11, item 6: the run in flight was dropped with its log.
  it('ends a hung run when cancelled, keeping its log so far marked as cut off, and the logs of the runs that finished', async () => {
    const cancel = new AbortController();
    // Lane 0 takes FixtureThrow #0 and lane 1 FixtureHangSync #0, which never ends:
    // cancel once the first has ended and the second has logged its first line.
    let throwEnded = false;
    let hangLogged = false;
    const cancelWhenBoth = () => {
      if (throwEnded && hangLogged) cancel.abort('SIGINT');
    };
    const hang = new BroadcastChannel(HANG_CHANNEL);
    hang.onmessage = () => {
      hangLogged = true;
      cancelWhenBoth();
    };
    const report = await stress(options({ tests: ['FixtureThrow', 'FixtureHangSync'], iterations: 3, workers: 2, sequential: false }), {
      createPool: realPool,
      signal: cancel.signal,
      onRunFinished: () => {
        throwEnded = true;
        cancelWhenBoth();
      },
    }).finally(() => hang.close());
    // How many FixtureThrow runs lane 0 got through first depends on the machine; they all ended, failed.
    expect(report).toMatchObject({ interrupted: true, interruptedBy: 'SIGINT' });
    expect(report.completedRuns).toBeGreaterThanOrEqual(1);
    expect(report.failedRuns).toBe(report.completedRuns);
    expect(report.interruptedRuns).toBeGreaterThanOrEqual(1);
    expect(report.completedRuns + report.interruptedRuns + report.unstartedRuns).toBe(6);
    expect(report.summaries.map((s) => [s.test, s.total])).toEqual([['FixtureThrow', report.completedRuns], ['FixtureHangSync', 0]]);
    // The logs (a failed run kept may have its timeline beside it too).
    const logs = (await readdir(join(root, 'out'))).filter((name) => name.endsWith('.log'));
    expect(logs).toContain('FixtureHangSync_0.log');
    expect(logs).toContain('FixtureThrow_0.log');
    expect(logs).toHaveLength(report.completedRuns + report.interruptedRuns);
    // Every run cut off keeps its log, marked; the one whose word we waited for (a FixtureHangSync run,
    // whichever thread got to it first) keeps the line it wrote before it spun.
    const cut = await Promise.all(logs.filter((name) => name.startsWith('FixtureHangSync')).map((name) => readFile(join(root, 'out', name), 'utf8')));
    for (const text of cut) expect(text).toMatch(/\n# interrupted: cut off by SIGINT after \d+\.\d\ds\n$/);
    expect(cut.some((text) => new RegExp(`^\\d{6,} TEST ${FIRST_LINE}\\n# interrupted: `, 'm').test(text))).toBe(true);
  });
});
