import type { LogLevel } from '../sim/log.js';

/** The flags that shape a run and its log, so a replay must repeat them. */
export interface RunFlags {
  realtime: boolean;
  logLevel: LogLevel;
  /** The external command template, in exec mode. */
  exec?: string;
  /** The user's Raft module, as given to --raft. */
  raftModule?: string;
  /** Strict mode (-r): check the Raft invariants after every event. */
  strict?: boolean;
  /** Run twice with the seed and fail where the two runs' events diverge. */
  checkDeterminism?: boolean;
}

export interface ReplayOptions extends RunFlags {
  test: string;
  seed: number;
}

const VERBOSITY_FLAG: Record<LogLevel, string | undefined> = { none: undefined, debug: '-v', trace: '-vv' };

/**
 * The command that runs one run again, with the flags that shape its log, so
 * that a failure can be replayed (and, in simulation, reproduced byte for byte).
 */
export function replayCommand(options: ReplayOptions): string {
  const words = ['npx', 'raft-dstest'];
  if (options.exec !== undefined) words.push('--exec', shellQuote(options.exec));
  if (options.raftModule !== undefined) words.push('--raft', shellQuote(options.raftModule));
  words.push(options.test, '--seed', String(options.seed), '-n', '1');
  if (options.realtime) words.push('--realtime');
  if (options.strict) words.push('-r');
  if (options.checkDeterminism) words.push('--check-determinism');
  const verbosity = VERBOSITY_FLAG[options.logLevel];
  if (verbosity !== undefined) words.push(verbosity);
  return words.join(' ');
}

/** Quotes a word for a POSIX shell: single quotes, with each ' written as '\''. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
