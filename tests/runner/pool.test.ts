import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool, RunCancelledError, WORKER_ENTRY, type RunPool } from '../../src/runner/pool.js';
import type { RunTask } from '../../src/runner/protocol.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';
import { runLogged } from './helpers.js';

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
    const result = await runLogged(pool, task);
    expect(result).toMatchObject({ test: task.test, k: 3, seed: 42, passed: false, lines: [] });
    expect(result.error).toMatch(/^worker failed: Error: worker blew up on TestInitialElection2A/);
    // The pool carries on after a failure.
    expect((await runLogged(pool, { ...task, k: 4 })).k).toBe(4);
  });

  it('ends a run whose thread never starts it, the time limit plus the start allowance after the handover', async () => {
    // This worker spins without ever saying that the run has started.
    pool = createPool({ workers: 1, timeoutMs: 200, threadStartAllowanceMs: 100, workerFile: fixture('hanging-worker.mjs') });
    const result = await runLogged(pool, task);
    expect(result.passed).toBe(false);
    expect(result.error).toBe('timed out before the run started: its thread was still loading after 300ms');
    expect(result.wallMs).toBeGreaterThanOrEqual(290);
  });

  it('ends a run the caller cancels, even one that would never end, as interrupted; refuses to start one after', async () => {
    pool = createPool({ workers: 1, workerFile: fixture('hanging-worker.mjs') });
    const cancel = new AbortController();
    const running = runLogged(pool, task, cancel.signal);
    setTimeout(() => cancel.abort('SIGTERM'), 100);
    const result = await running;
    expect(result.passed).toBe(false);
    expect(result.error).toBeUndefined();
    expect(result.interrupted).toMatch(/^cut off by SIGTERM after \d+\.\d\ds$/);
    await expect(runLogged(pool, task, cancel.signal)).rejects.toBeInstanceOf(RunCancelledError);
  });

  it('runs a lab test in the built worker, which it uses unless told otherwise', async () => {
    pool = createPool({ workers: 2 });
    const [a, b] = await Promise.all([runLogged(pool, task), runLogged(pool, { ...task, k: 4, seed: 43, settings: { ...DEFAULT_RUN_SETTINGS, logLevel: 'debug' } })]);
    expect(a).toMatchObject({ test: task.test, k: 3, seed: 42, passed: true });
    expect(a.simMs).toBeGreaterThan(2000);
    expect(a.wallMs).toBeGreaterThan(0);
    expect(a.lines.at(-1)).toMatch(/--- PASS: TestInitialElection2A/);
    // The task's log level reaches the run: debug adds Raft's own lines.
    expect(b.lines.length).toBeGreaterThan(a.lines.length);
    expect(b.lines.some((line) => / (VOTE|LEAD|TERM) S\d/.test(line))).toBe(true);
  });

  it('starts one thread first, and the others once it has loaded the worker module, then uses them all', async () => {
    pool = createPool({ workers: 3, workerFile: fixture('load-times-worker.mjs') });
    const runs = await Promise.all([0, 1, 2].map((k) => runLogged(pool!, { ...task, k })));
    const threads = runs.map((run) => JSON.parse(run.error!) as { threadId: number; loadStartedMs: number; loadedMs: number });
    // Each run is still going when the next is handed over, so each needs a thread of its own.
    expect(new Set(threads.map((thread) => thread.threadId)).size).toBe(3);
    const [first, ...others] = threads;
    for (const other of others) expect(other.loadStartedMs).toBeGreaterThanOrEqual(first!.loadedMs);
  });

  it('holds the other runs back while the first thread loads, yet times them out or cuts them off as runs still loading', async () => {
    pool = createPool({ workers: 2, timeoutMs: 200, threadStartAllowanceMs: 100, workerFile: fixture('never-loading-worker.mjs') });
    const timedOut = await Promise.all([runLogged(pool, task), runLogged(pool, { ...task, k: 4 })]);
    expect(timedOut.map((run) => run.error)).toEqual(Array(2).fill('timed out before the run started: its thread was still loading after 300ms'));
    await pool.destroy();

    pool = createPool({ workers: 2, workerFile: fixture('never-loading-worker.mjs') });
    const cancel = new AbortController();
    const running = Promise.all([runLogged(pool, task, cancel.signal), runLogged(pool, { ...task, k: 4 }, cancel.signal)]);
    setTimeout(() => cancel.abort('SIGINT'), 100);
    for (const run of await running) expect(run.interrupted).toMatch(/^cut off by SIGINT after \d+\.\d\ds$/);
  });

  it('turns an error the built worker throws (an unknown test) into a failed run', async () => {
    pool = createPool({ workers: 1 });
    const unknown = await runLogged(pool, { ...task, test: 'TestNoSuchTest' });
    expect(unknown.passed).toBe(false);
    expect(unknown.error).toMatch(/unknown test TestNoSuchTest/);
  });
});
