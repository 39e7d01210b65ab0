/**
 * Faults of a run in a real worker thread (issue 5, item 1), through the
 * built worker and fixture tests registered only in tests/: each ends as a
 * failed run with its error and the log written before it, and the pool
 * carries on with a fresh thread.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool, WORKER_ENTRY, type PoolOptions, type RunPool } from '../../src/runner/pool.js';
import type { RunResult, RunTask } from '../../src/runner/protocol.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';
// @ts-expect-error: a plain JavaScript module without types.
import { FIRST_LINE } from './fixtures/lab-fixtures.mjs';

const fixtureWorker = new URL('./fixtures/fixture-worker.mjs', import.meta.url);
const task = (test: string, k = 0): RunTask => ({ test, k, seed: 1, settings: DEFAULT_RUN_SETTINGS });

let pool: RunPool | undefined;
afterEach(async () => {
  await pool?.destroy();
  pool = undefined;
});

function open(options: Partial<PoolOptions> = {}): RunPool {
  pool = createPool({ workers: 1, workerFile: fixtureWorker, ...options });
  return pool;
}

/** The fault's run, then a passing run on the same one-thread pool. */
async function faultThenPass(p: RunPool, test: string): Promise<[RunResult, RunResult]> {
  const fault = await p.run(task(test, 0));
  const after = await p.run(task('FixturePass', 1));
  return [fault, after];
}

function expectCarriedOn(after: RunResult): void {
  expect(after).toMatchObject({ test: 'FixturePass', k: 1, passed: true });
  expect(after.log.some((line) => line.endsWith(`TEST ${FIRST_LINE}`))).toBe(true);
}

describe.runIf(existsSync(WORKER_ENTRY))('pool faults (built worker, fixture tests)', () => {
  it('ends a run stuck in a synchronous loop at the timeout, keeps the line it logged first, and carries on', async () => {
    const [fault, after] = await faultThenPass(open({ timeoutMs: 1000 }), 'FixtureHangSync');
    expect(fault.passed).toBe(false);
    expect(fault.error).toBe('timed out after 1s');
    // Counted from the start of the run, which logs its first line at once.
    expect(fault.wallMs).toBeGreaterThanOrEqual(990);
    expect(fault.log).toEqual([expect.stringMatching(new RegExp(`^\\d{6,} TEST ${FIRST_LINE}$`))]);
    expectCarriedOn(after);
  });

  it('counts the timeout from the start of the run, not from a thread that is slow to load', async () => {
    // The worker module takes 1.5 s to load; the run itself takes milliseconds.
    const slow = createPool({ workers: 1, timeoutMs: 1000, workerFile: new URL('./fixtures/slow-start-worker.mjs', import.meta.url) });
    pool = slow;
    const result = await slow.run(task('FixturePass'));
    expect(result.error).toBeUndefined();
    expect(result.passed).toBe(true);
  });

  it('fails a run whose test throws, with the stack and the whole log', async () => {
    const [fault, after] = await faultThenPass(open(), 'FixtureThrow');
    expect(fault.passed).toBe(false);
    expect(fault.error).toMatch(/^TypeError: fixture threw on purpose\n\s+at /);
    expect(fault.log[0]).toMatch(new RegExp(`TEST ${FIRST_LINE}$`));
    expect(fault.log.at(-1)).toMatch(/--- FAIL: FixtureThrow/);
    expectCarriedOn(after);
  });

  it('fails a run whose uncaught exception ends the thread, keeping its log', async () => {
    const [fault, after] = await faultThenPass(open(), 'FixtureUncaught');
    expect(fault.passed).toBe(false);
    expect(fault.error).toMatch(/^worker failed: Error: fixture uncaught exception/);
    expect(fault.log[0]).toMatch(new RegExp(`TEST ${FIRST_LINE}$`));
    expectCarriedOn(after);
  });

  it('fails a run that calls process.exit, keeping its log', async () => {
    const [fault, after] = await faultThenPass(open(), 'FixtureExit');
    expect(fault.passed).toBe(false);
    expect(fault.error).toBe('worker exited with code 3 (process.exit called during the run)');
    expect(fault.log).toEqual([expect.stringMatching(new RegExp(`TEST ${FIRST_LINE}$`))]);
    expectCarriedOn(after);
  });

  it('fails a run that runs out of memory under the heap limit, keeping its log', async () => {
    const [fault, after] = await faultThenPass(open({ heapLimitMb: 64 }), 'FixtureOom');
    expect(fault.passed).toBe(false);
    expect(fault.error).toMatch(/^worker ran out of memory: .*heap out of memory/);
    expect(fault.log).toEqual([expect.stringMatching(new RegExp(`TEST ${FIRST_LINE}$`))]);
    expectCarriedOn(after);
  });

  it('streams a log larger than one shared chunk whole and in order', async () => {
    const result = await open().run(task('FixtureManyLines'));
    expect(result.passed).toBe(true);
    const lines = result.log.filter((line) => / TEST line /.test(line));
    expect(lines).toHaveLength(20_000);
    expect(lines[19_998]).toMatch(/ TEST line 19998 é{6}$/);
    expect(lines.every((line, i) => line.includes(` line ${i} `) || line.endsWith(` line ${i}`))).toBe(true);
  });

  it('sets RAFT_DSTEST_WORKER to the slot given in the task', async () => {
    const p = open({ workers: 2 });
    const [a, b] = await Promise.all([p.run({ ...task('FixtureWorkerEnv'), worker: 0 }), p.run({ ...task('FixtureWorkerEnv'), worker: 1 })]);
    expect(a.log[0]).toMatch(/TEST worker=0$/);
    expect(b.log[0]).toMatch(/TEST worker=1$/);
  });
});
