/**
 * The stress engine: runs every planned run on the pool, keeps per-test
 * statistics, writes the logs worth keeping, and reports progress as runs
 * finish. It can be cancelled (Ctrl-C): it then starts no new run, ends
 * the runs in flight, and still reports what finished and flushes its logs.
 * With maxFailures it stops starting runs after that many failures and lets
 * the runs in flight finish (they are already paid for, and their results count).
 */
import { performance } from 'node:perf_hooks';
import { LogWriter } from './logs.js';
import { planRuns, plannedRunCount } from './plan.js';
import { createExecPool } from './exec.js';
import { createPool, RunCancelledError, type PoolOptions, type RunPool } from './pool.js';
import type { RunResult, RunTask } from './protocol.js';
import { runMode, type RunMode, type RunSettings } from './settings.js';
import { RunningStats } from './stats.js';
import { replayTimeline, TimelineCapture } from './timeline-capture.js';

export interface StressOptions {
  /** Exact registry names, in the order the table lists them. */
  tests: readonly string[];
  iterations: number;
  workers: number;
  sequential: boolean;
  seedBase: number;
  /** Run only runs firstK … firstK + iterations - 1 of each test (a shard or a loop round); 0 by default. */
  firstK?: number;
  /** How every run is done, and what its replay line repeats. */
  settings: RunSettings;
  /** Keep the logs of passing runs too. */
  archive: boolean;
  outputDir: string;
  /** Wall-clock limit per run; none when absent or 0. */
  timeoutMs?: number;
  /** Stop starting runs once this many have failed. */
  maxFailures?: number;
  /** Each worker thread's heap limit in MB. */
  heapLimitMb?: number;
}

export interface StressProgress {
  done: number;
  failed: number;
  total: number;
}

export interface RunFinished {
  result: RunResult;
  /** Where its log is being written, when it is kept. */
  logPath?: string;
  progress: StressProgress;
}

export interface StressDeps {
  createPool?: (options: PoolOptions) => RunPool;
  /** The worker module lab runs are done in; the built worker by default (tests give one with fixture tests). */
  workerFile?: URL;
  /** Aborting it cancels the stress run (Ctrl-C). */
  signal?: AbortSignal;
  /** Called as each run finishes, in the order they finish. */
  onRunFinished?: (event: RunFinished) => void;
  /** The wall clock, for the total time taken. */
  wallClockMs?: () => number;
}

export interface TestSummary {
  test: string;
  /** Runs of this test that finished, passed or failed. */
  total: number;
  failed: number;
  /** Wall seconds per run. */
  wallSeconds: RunningStats;
  /** Virtual seconds per run; empty in realtime mode. */
  simSeconds: RunningStats;
  /** Wall seconds per run spent inside the Raft; empty for --exec runs. */
  raftSeconds: RunningStats;
}

export interface StressReport {
  /** One per test, in the order of options.tests. */
  summaries: TestSummary[];
  plannedRuns: number;
  completedRuns: number;
  failedRuns: number;
  /** Runs planned but never finished because the stress run was cancelled. */
  cutOffRuns: number;
  interrupted: boolean;
  /** Whether it stopped starting runs because maxFailures runs had failed. */
  stoppedEarly: boolean;
  wallMs: number;
  /** True when runs have no virtual time: realtime and exec modes. */
  realtime: boolean;
  mode: RunMode;
  /** The logs written, in the order they were started. */
  logPaths: readonly string[];
  /** Why some log could not be written, if one could not. */
  logError?: unknown;
}

export async function stress(options: StressOptions, deps: StressDeps = {}): Promise<StressReport> {
  const wallClockMs = deps.wallClockMs ?? (() => performance.now());
  const startedMs = wallClockMs();
  const { signal } = deps;
  const planOptions = {
    tests: options.tests,
    iterations: options.iterations,
    seedBase: options.seedBase,
    sequential: options.sequential,
    ...(options.firstK === undefined ? {} : { firstK: options.firstK }),
  };
  const total = plannedRunCount(planOptions);
  const runs = planRuns(planOptions);
  const summaries = new Map<string, TestSummary>(
    options.tests.map((test) => [test, { test, total: 0, failed: 0, wallSeconds: new RunningStats(), simSeconds: new RunningStats(), raftSeconds: new RunningStats() }]),
  );
  const { settings } = options;
  const logs = new LogWriter(options);
  const timelines = new TimelineCapture(runMode(options.settings), options.settings.chargeCpu);
  const progress: StressProgress = { done: 0, failed: 0, total };

  const record = (result: RunResult) => {
    const summary = summaries.get(result.test);
    if (summary === undefined) throw new Error(`a worker reported a run of ${result.test}, which was not planned`);
    summary.total += 1;
    summary.wallSeconds.add(result.wallMs / 1000);
    if (result.simMs !== undefined) summary.simSeconds.add(result.simMs / 1000);
    if (result.raftMs !== undefined) summary.raftSeconds.add(result.raftMs / 1000);
    progress.done += 1;
    if (!result.passed) {
      summary.failed += 1;
      progress.failed += 1;
    }
    const logPath = logs.write(result);
    deps.onRunFinished?.({ result, ...(logPath === undefined ? {} : { logPath }), progress: { ...progress } });
  };

  // Each lane keeps one run in flight and takes the next planned run when it
  // finishes, so runs start in plan order and cancelling stops at once.
  const failedEnough = () => options.maxFailures !== undefined && progress.failed >= options.maxFailures;
  const lane = async (pool: RunPool, worker: number) => {
    for (;;) {
      if (signal?.aborted || failedEnough()) return;
      const next = runs.next();
      if (next.done) return;
      const task: RunTask = { ...next.value, settings, worker };
      const result = await runUnlessCancelled(pool, task);
      if (result === undefined) return;
      record(result);
      // Announced first, then replayed for its timeline: the replay is the same run, recorded.
      if (timelines.take(result, logs.keeps(result))) {
        const replay = await runUnlessCancelled(pool, { ...task, timeline: true });
        if (replay === undefined) return;
        const timeline = replayTimeline(result, replay);
        if (timeline !== undefined) logs.writeTimeline(result, timeline);
      }
    }
  };
  /** The task's result, or undefined when Ctrl-C cancelled it. */
  const runUnlessCancelled = async (pool: RunPool, task: RunTask): Promise<RunResult | undefined> => {
    try {
      return await pool.run(task, signal);
    } catch (error) {
      if (error instanceof RunCancelledError) return undefined;
      throw error;
    }
  };

  const lanes = Math.max(0, Math.min(options.workers, total));
  if (lanes > 0 && !signal?.aborted) {
    const poolOptions: PoolOptions = { workers: lanes };
    if (options.timeoutMs !== undefined) poolOptions.timeoutMs = options.timeoutMs;
    if (options.heapLimitMb !== undefined) poolOptions.heapLimitMb = options.heapLimitMb;
    if (settings.exec !== undefined) poolOptions.exec = settings.exec;
    if (deps.workerFile !== undefined) poolOptions.workerFile = deps.workerFile;
    const create = deps.createPool ?? (settings.exec === undefined ? createPool : createExecPool);
    const pool = create(poolOptions);
    try {
      await Promise.all(Array.from({ length: lanes }, (_, worker) => lane(pool, worker)));
    } finally {
      await pool.destroy();
    }
  }

  let logError: unknown;
  try {
    await logs.flush();
  } catch (error) {
    logError = error;
  }

  const report: StressReport = {
    summaries: [...summaries.values()],
    plannedRuns: total,
    completedRuns: progress.done,
    failedRuns: progress.failed,
    cutOffRuns: total - progress.done,
    interrupted: signal?.aborted ?? false,
    stoppedEarly: !(signal?.aborted ?? false) && failedEnough() && progress.done < total,
    wallMs: wallClockMs() - startedMs,
    realtime: runMode(settings) !== 'sim',
    mode: runMode(settings),
    logPaths: logs.paths,
  };
  if (logError !== undefined) report.logError = logError;
  return report;
}
