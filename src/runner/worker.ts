/**
 * The piscina worker: runs one lab test and reports how it went. It stays
 * small on purpose, since everything here runs once per run on every thread.
 */
import { performance } from 'node:perf_hooks';
import { runLabTest } from '../suite/run-test.js';
import type { RunResult, RunTask } from './protocol.js';

export default async function runTask(task: RunTask): Promise<RunResult> {
  const startedMs = performance.now();
  const outcome = await runLabTest({
    test: task.test,
    seed: task.seed,
    realtime: task.realtime,
    logLevel: task.logLevel,
  });
  const wallMs = performance.now() - startedMs;
  const result: RunResult = {
    test: task.test,
    k: task.k,
    seed: task.seed,
    passed: outcome.passed,
    wallMs,
    log: outcome.log,
  };
  if (outcome.error !== undefined) result.error = outcome.error;
  // In realtime the world's clock is the wall clock, so a second figure would say nothing new.
  if (!task.realtime) result.simMs = outcome.elapsedMs;
  return result;
}
