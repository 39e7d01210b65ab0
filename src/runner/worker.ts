/**
 * The piscina worker: runs one lab test and reports how it went. It stays
 * small on purpose, since everything here runs once per run on every thread.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REGISTRY, type LabTest } from '../suite/registry.js';
import { runLabTest } from '../suite/run-test.js';
import { installTraps } from '../sim/real-clock.js';
import { SharedLogWriter } from './log-stream.js';
import type { RunResult, RunTask } from './protocol.js';
import { checksDeterminism } from './settings.js';

// --raft and --cpu-prof bring in their modules (the inspector, the log
// files' naming, the probe) when a run first asks for them: a thread loads
// only what the runs it is given need, and most need neither.
const loadRaftModules = () => import('./raft-module.js');
const loadCpuProfiles = () => import('./cpu-profile.js');

/**
 * A worker that runs the given tests. The default export runs the registry's;
 * the project's own tests build one with fixture tests added, and hand its
 * module to the pool as its worker file.
 */
export function createRunTask(tests: readonly LabTest[]): (task: RunTask) => Promise<RunResult> {
  return async (task) => {
    // Each worker thread has its own copy of the environment, so this is the run's alone.
    if (task.worker !== undefined) process.env.RAFT_DSTEST_WORKER = String(task.worker);
    const stream = task.log === undefined ? undefined : new SharedLogWriter(task.log);
    try {
      const { settings } = task;
      // Before the user's module loads, so that one keeping Math.random or Date.now aside (`const draw = Math.random`) keeps the trap.
      if (!settings.realtime) installTraps();
      const raft = settings.raftModule === undefined ? undefined : await (await loadRaftModules()).loadRaftFactory(settings.raftModule);
      // A replay for a timeline is the same run again: its profile would say nothing new.
      const profiles = settings.cpuProfileDir === undefined || task.timeline ? undefined : await loadCpuProfiles();
      const profiler = await profiles?.startCpuProfile();
      // The run's time limit counts from here, not from the thread's start.
      stream?.started();
      const startedMs = performance.now();
      const outcome = await runLabTest(
        {
          ...settings,
          test: task.test,
          seed: task.seed,
          checkDeterminism: checksDeterminism(settings, task.k),
          ...(task.timeline ? { timeline: true, logLevel: 'trace' as const, checkDeterminism: false } : {}),
          ...(raft === undefined ? {} : { raft }),
          // A replay for a timeline keeps its log in the timeline: the run's own log is already with the host.
          ...(stream === undefined || task.timeline ? {} : { onLogLine: (line: string) => stream.write(line) }),
        },
        tests,
      );
      const wallMs = performance.now() - startedMs;
      if (profiles !== undefined && profiler !== undefined) {
        const path = join(settings.cpuProfileDir!, profiles.cpuProfileName(task.test, task.k));
        await profiler.stop(path).catch((error: unknown) => {
          throw new Error(`could not write the run's CPU profile ${path}: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
      const result: RunResult = {
        test: task.test,
        k: task.k,
        seed: task.seed,
        passed: outcome.passed,
        wallMs,
      };
      // A streamed log is already with the host; a timeline holds its replay's.
      if (stream === undefined && !task.timeline) result.log = outcome.log;
      if (outcome.timeline !== undefined) result.timeline = outcome.timeline;
      if (outcome.error !== undefined) result.error = outcome.error;
      result.raftMs = outcome.raftMs;
      result.saves = outcome.saves;
      // In realtime the world's clock is the wall clock, so a second figure would say nothing new.
      if (!settings.realtime) result.simMs = outcome.elapsedMs;
      return result;
    } finally {
      stream?.close();
    }
  };
}

export default createRunTask(REGISTRY);
