/**
 * Parsing and checking of the command line's values. Each bad value is a
 * UsageError whose message names the option, the value and what is allowed.
 */
import { parseLogLevel, type LogLevel } from '../sim/log.js';
import { SEED_MAX, seedsFit } from '../runner/plan.js';
import { UsageError } from './usage-error.js';

/** More threads than this would only thrash; each one holds a whole V8 isolate. */
export const MAX_WORKERS = 256;

const WHOLE_NUMBER = /^\d+$/;
const HEX_NUMBER = /^0x[0-9a-f]+$/i;

export function parseIterations(value: string): number {
  const n = WHOLE_NUMBER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`-n/--iter must be a whole number of at least 1, got "${value}"`);
  return n;
}

export function parseWorkers(value: string): number {
  const n = WHOLE_NUMBER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new UsageError(`-p/--workers must be a whole number from 1 to ${MAX_WORKERS}, got "${value}"`);
  }
  return n;
}

/** A seed in decimal or 0x-hex; parsed exactly (through BigInt) so 2^53 is not rounded into range. */
export function parseSeed(value: string): number {
  const digits = WHOLE_NUMBER.test(value) || HEX_NUMBER.test(value);
  if (!digits || BigInt(value) > BigInt(SEED_MAX)) {
    throw new UsageError(`--seed must be a whole number from 0 to ${SEED_MAX} (decimal or 0x-hex), got "${value}"`);
  }
  return Number(BigInt(value));
}

/** Seconds, possibly fractional, returned as milliseconds. */
export function parseTimeoutMs(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UsageError(`--timeout must be a number of seconds above 0, got "${value}"`);
  return seconds * 1000;
}

export function checkSeedRange(seedBase: number, iterations: number): void {
  if (!seedsFit({ seedBase, iterations })) {
    const last = BigInt(seedBase) + BigInt(iterations) - 1n;
    throw new UsageError(`--seed ${seedBase} with -n ${iterations} would need seeds up to ${last}, above the largest seed ${SEED_MAX}`);
  }
}

/** -v and -vv win; without them RAFT_LOG decides; quiet by default. */
export function resolveLogLevel(verboseCount: number, raftLogEnv: string | undefined): LogLevel {
  if (verboseCount >= 2) return 'trace';
  if (verboseCount === 1) return 'debug';
  try {
    return parseLogLevel(raftLogEnv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `reports/<YYYYmmdd_HHMMSS>` in local time, as dstest names its output. */
export function defaultOutputDir(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  const time = `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return `reports/${date}_${time}`;
}
