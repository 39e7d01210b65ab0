/**
 * RunSettings: everything that shapes a run and its log, carried whole from
 * the command line to the worker and into the replay line of every kept log.
 *
 * A new run flag is a change in these places only:
 *   1. its field: in LabSettings (suite/run-test.ts) when the lab run uses it,
 *      else in RunSettings below, with its default in DEFAULT_RUN_SETTINGS;
 *   2. its words in replayFlags() below, so that a replay repeats it;
 *   3. its option, parsing and conflicts in cli/run-flags.ts.
 * RunTask carries the settings unchanged and the worker hands them to
 * runLabTest whole, so the pool, the worker and the logs need no change.
 */
import type { LabSettings } from '../suite/run-test.js';
import type { LogLevel } from '../sim/log.js';

export interface RunSettings extends LabSettings {
  /** Run this shell command for each run instead of a lab test (`--exec`, `--go`). */
  exec?: string;
  /** The user's Raft module (`--raft`), as given on the command line; the reference Raft when absent. */
  raftModule?: string;
  /**
   * Where each lab run writes its CPU profile (`--cpu-prof`), an absolute
   * path. Not repeated by a replay line: a replay profiles only when asked.
   */
  cpuProfileDir?: string;
  /**
   * The determinism spot-check, on by default for a --raft module in the
   * simulator (`--no-spot-check` turns it off): the first run of each test
   * (k = 0) is done twice and fails where the two diverge, since a peer's
   * own code is where a run stops replaying. Not in replay lines: a replay
   * is k = 0, so it checks again by itself.
   */
  spotCheck?: true;
}

/** Whether run k is done twice and checked against itself (--check-determinism, or the spot-check's first run). */
export function checksDeterminism(settings: Pick<RunSettings, 'checkDeterminism' | 'spotCheck'>, k: number): boolean {
  return settings.checkDeterminism || (settings.spotCheck === true && k === 0);
}

export const DEFAULT_RUN_SETTINGS: Readonly<RunSettings> = { realtime: false, logLevel: 'none', strict: false, checkDeterminism: false, chargeCpu: false };

/** What kind of runs these are: lab tests on the simulator or on the wall clock, or external commands. */
export const RUN_MODES = ['sim', 'realtime', 'exec'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export function runMode(settings: Pick<RunSettings, 'exec' | 'realtime'>): RunMode {
  if (settings.exec !== undefined) return 'exec';
  return settings.realtime ? 'realtime' : 'sim';
}

const VERBOSITY_FLAG: Record<LogLevel, string | undefined> = { none: undefined, debug: '-v', trace: '-vv' };

/**
 * The command-line words that give these settings, in the order a replay
 * line writes them: the words that pick what runs (before the test name),
 * then those that shape how it runs (after). Values are not quoted here.
 */
export function replayFlags(settings: RunSettings): { before: string[]; after: string[] } {
  const before: string[] = [];
  if (settings.exec !== undefined) before.push('--exec', settings.exec);
  if (settings.raftModule !== undefined) before.push('--raft', settings.raftModule);
  const after: string[] = [];
  if (settings.realtime) after.push('--realtime');
  if (settings.strict) after.push('-r');
  if (settings.checkDeterminism) after.push('--check-determinism');
  // A charged run depends on the machine, but replaying with the flag is the nearest thing.
  if (settings.chargeCpu) after.push('--charge-cpu');
  const verbosity = VERBOSITY_FLAG[settings.logLevel];
  if (verbosity !== undefined) after.push(verbosity);
  return { before, after };
}
