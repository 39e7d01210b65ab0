/**
 * The contract between the host and a pool worker: the one message a worker
 * receives (a run to do) and the one it sends back (how the run went). Both
 * are plain data, because they cross a thread boundary by structured clone.
 */
import type { SaveTotals } from '../harness/save-meter.js';
import type { Timeline } from '../harness/timeline.js';
import type { SharedLog } from './log-stream.js';
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
   * Where the worker streams the log as it is written (the pool sets it).
   * Without it, as when a test calls the worker directly, the result
   * carries the whole log instead.
   */
  log?: SharedLog;
}

export interface RunResult {
  test: string;
  k: number;
  seed: number;
  /** False for a failed run, and for one that was cut off (interrupted). */
  passed: boolean;
  /** Why the run failed: the test's message, or the worker's error. */
  error?: string;
  /**
   * Set when Ctrl-C or a signal cut the run off while it ran, saying so
   * (`cut off by SIGTERM after 1.20s`): such a run neither passed nor failed.
   */
  interrupted?: string;
  /** Wall-clock time the run took inside the worker. */
  wallMs: number;
  /** Virtual time the run took; absent in realtime mode, where there is none. */
  simMs?: number;
  /** Wall time spent inside the Raft under test; absent for --exec runs, which have none. */
  raftMs?: number;
  /** The Raft's saves (how many, their bytes, at most how long they took); absent for --exec runs. */
  saves?: SaveTotals;
  /**
   * The run's log lines (DESIGN §5 format), without trailing newlines, when
   * the task had no shared log to stream them to; pools stream every log.
   */
  log?: string[];
  /** The run's timeline, for a task that asked for one. */
  timeline?: Timeline;
}
