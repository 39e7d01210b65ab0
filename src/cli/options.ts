/**
 * Parsing and checking of the command line's values. Each bad value is a
 * UsageError whose message names the option, the value and what is allowed.
 */
import { parseLogLevel, type LogLevel } from '../sim/log.js';
import { SEED_MAX, seedsFit, type Shard } from '../runner/plan.js';
import { parseDurationMs } from '../runner/duration.js';
import { UsageError } from './usage-error.js';

/** More threads than this would only thrash; each one holds a whole V8 isolate. */
export const MAX_WORKERS = 256;

const WHOLE_NUMBER = /^\d+$/;
const HEX_NUMBER = /^0x[0-9a-f]+$/i;

/** A whole number of at least `min`, or a UsageError saying so about `name`. */
function wholeNumberAtLeast(name: string, value: string, min: number, unit = ''): number {
  const n = WHOLE_NUMBER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be a whole number${unit} of at least ${min}, got "${value}"`);
  return n;
}

export function parseIterations(value: string): number {
  return wholeNumberAtLeast('-n/--iter', value, 1);
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

/** A duration as go test takes it (`90s`, `2m`, `1m30s`, `500ms`; a bare number is seconds), in ms; 0 means no limit. */
export function parseTimeoutMs(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new UsageError(`invalid --timeout "${value}"; expected a duration like 90s, 2m or 1m30s`);
  return ms;
}

export function parseMaxFailures(value: string): number {
  return wholeNumberAtLeast('-x/--max-failures', value, 1);
}

/** The command of --exec, which must have something in it to run. */
export function parseExecCommand(value: string): string {
  if (value.trim() === '') throw new UsageError(`--exec needs a command to run, got "${value}"`);
  return value;
}

/** RAFT_DSTEST_HEAP_MB: each worker thread's heap limit in MB, when set. */
export function parseHeapLimitMb(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  return wholeNumberAtLeast('RAFT_DSTEST_HEAP_MB', value, 16, ' of MB');
}

export function checkSeedRange(seedBase: number, iterations: number): void {
  if (!seedsFit({ seedBase, iterations })) {
    const last = BigInt(seedBase) + BigInt(iterations) - 1n;
    throw new UsageError(`--seed ${seedBase} with -n ${iterations} would need seeds up to ${last}, above the largest seed ${SEED_MAX}`);
  }
}

/** `--shard <i>/<n>`: shard i of n, 1 ≤ i ≤ n (`--shard auto` is read from the environment, see shard-env.ts). */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !Number.isSafeInteger(count) || index < 1 || index > count) {
    throw new UsageError(`--shard must be <i>/<n> with whole numbers 1 ≤ i ≤ n (e.g. 2/4), or auto, got "${value}"`);
  }
  return { index, count };
}

/** `-g/--growth <k>`: the factor --loop multiplies the iterations by after each round. */
export function parseGrowth(value: string): number {
  const k = WHOLE_NUMBER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(k) || k < 1) throw new UsageError(`-g/--growth must be a whole number of at least 1, got "${value}"`);
  return k;
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
