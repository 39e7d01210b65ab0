/**
 * The piscina worker: runs one lab test and reports how it went. It stays
 * small on purpose, since everything here runs once per run on every thread.
 */
import { performance } from 'node:perf_hooks';
import { REGISTRY } from '../suite/registry.js';
import { runLabTest } from '../suite/run-test.js';
import { loadExtraTests } from './extra-tests.js';
import { loadRaftFactory } from './raft-module.js';
import { SharedLogWriter } from './log-stream.js';
import type { RunResult, RunTask } from './protocol.js';

export default async function runTask(task: RunTask): Promise<RunResult> {
  // Each worker thread has its own copy of the environment, so this is the run's alone.
  if (task.worker !== undefined) process.env.RAFT_DSTEST_WORKER = String(task.worker);
  const stream = task.logSink === undefined ? undefined : new SharedLogWriter(task.logSink);
  try {
    const tests = task.registryModule === undefined ? REGISTRY : [...REGISTRY, ...(await loadExtraTests(task.registryModule))];
    const raft = task.raftModule === undefined ? undefined : await loadRaftFactory(task.raftModule);
    const startedMs = performance.now();
    const outcome = await runLabTest(
      {
        test: task.test,
        seed: task.seed,
        realtime: task.realtime,
        logLevel: task.logLevel,
        strict: task.strict === true,
        checkDeterminism: task.checkDeterminism === true,
        ...(task.timeline ? { timeline: true, logLevel: 'trace' as const, checkDeterminism: false } : {}),
        ...(raft === undefined ? {} : { raft }),
        // A replay for a timeline keeps its log in the timeline: the run's own log is already with the host.
        ...(stream === undefined || task.timeline ? {} : { onLogLine: (line: string) => stream.write(line) }),
      },
      tests,
    );
    const wallMs = performance.now() - startedMs;
    const result: RunResult = {
      test: task.test,
      k: task.k,
      seed: task.seed,
      passed: outcome.passed,
      wallMs,
      // A streamed log is already with the host: cloning it again would only cost time.
      log: stream === undefined && !task.timeline ? outcome.log : [],
    };
    if (outcome.timeline !== undefined) result.timeline = outcome.timeline;
    if (outcome.error !== undefined) result.error = outcome.error;
    // In realtime the world's clock is the wall clock, so a second figure would say nothing new.
    if (!task.realtime) result.simMs = outcome.elapsedMs;
    return result;
  } finally {
    stream?.close();
  }
}
