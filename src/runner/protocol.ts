/**
 * The contract between the host and a pool worker: the one message a worker
 * receives (a run to do) and the one it sends back (how the run went). Both
 * are plain data, because they cross a thread boundary by structured clone.
 */
import type { Timeline } from '../harness/timeline.js';
import type { LogSink } from './log-stream.js';
import type { RunSettings } from './settings.js';

export interface RunTask {
  /** The test's exact registry name. */
  test: string;
  /** Which run of this test this is, from 0; its seed is base + k. */
  k: number;
  seed: number;
  /** How to run it: the same for every run of a stress run. */
  settings: RunSettings;
  /**
   * Which of the runner's parallel slots does the run, from 0; the run sees
   * it as RAFT_DSTEST_WORKER. Absent when a run is done on its own.
   */
  worker?: number;
  /**
   * Replay this run (same seed, same settings, logging at trace level, no
   * determinism check) to record its timeline; the result then carries it,
   * and no log (the timeline holds the replay's).
   */
  timeline?: boolean;
  /**
   * Where the worker streams the log as it is written (the pool sets it); the
   * result then carries no log, the host reads it from here. Without it the
   * result carries the whole log.
   */
  logSink?: LogSink;
}

export interface RunResult {
  test: string;
  k: number;
  seed: number;
  passed: boolean;
  /** Why the run failed: the test's message, or the worker's error. */
  error?: string;
  /** Wall-clock time the run took inside the worker. */
  wallMs: number;
  /** Virtual time the run took; absent in realtime mode, where there is none. */
  simMs?: number;
  /** Wall time spent inside the Raft under test; absent for --exec runs, which have none. */
  raftMs?: number;
  /** The run's log lines (DESIGN §5 format), without trailing newlines. */
  log: string[];
  /** The run's timeline, for a task that asked for one. */
  timeline?: Timeline;
}
