import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool, RunCancelledError, WORKER_ENTRY, type RunPool } from '../../src/runner/pool.js';
import type { RunTask } from '../../src/runner/protocol.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';

const task: RunTask = { test: 'TestInitialElection2A', k: 3, seed: 42, settings: DEFAULT_RUN_SETTINGS };
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

let pool: RunPool | undefined;
afterEach(async () => {
  await pool?.destroy();
  pool = undefined;
});

// Threads load the built entry and worker: npm test builds first.
describe.runIf(existsSync(WORKER_ENTRY))('createPool (built)', () => {
  it('turns a worker that throws into a failed run carrying the error', async () => {
    pool = createPool({ workers: 1, workerFile: fixture('throwing-worker.mjs') });
    const result = await pool.run(task);
    expect(result).toMatchObject({ test: task.test, k: 3, seed: 42, passed: false, log: [] });
    expect(result.error).toMatch(/^worker failed: Error: worker blew up on TestInitialElection2A/);
    // The pool carries on after a failure.
    expect((await pool.run({ ...task, k: 4 })).k).toBe(4);
  });

  it('ends a run whose thread never starts it, the time limit plus the start allowance after the handover', async () => {
    // This worker spins without ever saying that the run has started.
    pool = createPool({ workers: 1, timeoutMs: 200, threadStartAllowanceMs: 100, workerFile: fixture('hanging-worker.mjs') });
    const result = await pool.run(task);
    expect(result.passed).toBe(false);
    expect(result.error).toBe('timed out before the run started: its thread was still loading after 300ms');
    expect(result.wallMs).toBeGreaterThanOrEqual(290);
  });

  it('rejects with RunCancelledError when the caller cancels, even a run that would never end', async () => {
    pool = createPool({ workers: 1, workerFile: fixture('hanging-worker.mjs') });
    const cancel = new AbortController();
    const running = pool.run(task, cancel.signal);
    setTimeout(() => cancel.abort(), 100);
    await expect(running).rejects.toBeInstanceOf(RunCancelledError);
    await expect(pool.run(task, cancel.signal)).rejects.toBeInstanceOf(RunCancelledError);
  });

  it('runs a lab test in the built worker, which it uses unless told otherwise', async () => {
    pool = createPool({ workers: 2 });
    const [a, b] = await Promise.all([pool.run(task), pool.run({ ...task, k: 4, seed: 43, settings: { ...DEFAULT_RUN_SETTINGS, logLevel: 'debug' } })]);
    expect(a).toMatchObject({ test: task.test, k: 3, seed: 42, passed: true });
    expect(a.simMs).toBeGreaterThan(2000);
    expect(a.wallMs).toBeGreaterThan(0);
    expect(a.log.at(-1)).toMatch(/--- PASS: TestInitialElection2A/);
    // The task's log level reaches the run: debug adds Raft's own lines.
    expect(b.log.length).toBeGreaterThan(a.log.length);
    expect(b.log.some((line) => / (VOTE|LEAD|TERM) S\d/.test(line))).toBe(true);
  });

  it('turns an error the built worker throws (an unknown test) into a failed run', async () => {
    pool = createPool({ workers: 1 });
    const unknown = await pool.run({ ...task, test: 'TestNoSuchTest' });
    expect(unknown.passed).toBe(false);
    expect(unknown.error).toMatch(/unknown test TestNoSuchTest/);
  });
});
