/**
 * The JSON report (`--json`): one record per finished run and per test, so
 * that CI can read the outcome and shards can be merged (`raft-dstest merge`).
 *
 * Its shape is fixed by version 1:
 *   { version, seed, mode, workers, startedAt, wallMs, command, tests: [...], runs: [...], interrupted: [...] }
 * `interrupted` lists the runs Ctrl-C or a signal cut off in flight, which
 * are neither passed nor failed and so are in neither `runs` nor the counts;
 * a report written before it existed reads as having none.
 * Fields with no value are null, never absent: simMs, meanSimMs and stdSimMs
 * are null outside the simulator (there is no virtual time), error is null
 * for a passed run, log is null when the run's log was not kept, meanMs and
 * stdMs are null for a test none of whose runs finished. Times are in
 * milliseconds; standard deviations are population ones, as in the table.
 * command (the command line, for the HTML report) was added later: a report
 * without it reads as null; so were each run's raftMs, saves and savedBytes.
 */
import { BadInputError } from './bad-input.js';
import type { RunResult } from './protocol.js';
import { RUN_MODES, type RunMode } from './settings.js';
import { RunningStats } from './stats.js';
import type { TestSummary } from './stress.js';

export const REPORT_VERSION = 1;

export interface RunRecord {
  test: string;
  k: number;
  seed: number;
  passed: boolean;
  wallMs: number;
  simMs: number | null;
  /** Wall ms spent inside the Raft; null for --exec runs. */
  raftMs: number | null;
  /** How many times the Raft saved its state, and the bytes those saves held; null for --exec runs. */
  saves: number | null;
  savedBytes: number | null;
  error: string | null;
  /** The path of the run's kept log, or null. */
  log: string | null;
}

/** A run cut off in flight: how long it had run, what cut it off, and its log so far. */
export interface InterruptedRecord {
  test: string;
  k: number;
  seed: number;
  wallMs: number;
  /** E.g. `cut off by SIGTERM after 1.20s`. */
  reason: string;
  log: string | null;
}

export interface TestRecord {
  name: string;
  runs: number;
  failed: number;
  meanMs: number | null;
  stdMs: number | null;
  meanSimMs: number | null;
  stdSimMs: number | null;
  /** Wall ms per run spent inside the Raft; null for --exec runs. */
  meanRaftMs: number | null;
  stdRaftMs: number | null;
}

export interface JsonReport {
  version: typeof REPORT_VERSION;
  /** The seed base: run k of every test has seed base + k. */
  seed: number;
  mode: RunMode;
  workers: number;
  /** ISO 8601. */
  startedAt: string;
  wallMs: number;
  /** The command line that made the runs, when known. */
  command: string | null;
  tests: TestRecord[];
  runs: RunRecord[];
  interrupted: InterruptedRecord[];
}

export type ReportHeader = Pick<JsonReport, 'seed' | 'mode' | 'workers' | 'startedAt' | 'wallMs'> & { command?: string | null };

export function interruptedRecord(result: RunResult & { interrupted: string }, logPath: string | undefined): InterruptedRecord {
  return { test: result.test, k: result.k, seed: result.seed, wallMs: result.wallMs, reason: result.interrupted, log: logPath ?? null };
}

export function runRecord(result: RunResult, logPath: string | undefined): RunRecord {
  return {
    test: result.test,
    k: result.k,
    seed: result.seed,
    passed: result.passed,
    wallMs: result.wallMs,
    simMs: result.simMs ?? null,
    raftMs: result.raftMs ?? null,
    saves: result.saves?.count ?? null,
    savedBytes: result.saves?.bytes ?? null,
    error: result.passed ? null : (result.error ?? 'failed'),
    log: logPath ?? null,
  };
}

/**
 * The report of these runs. Tests are listed in `testNames` order (then any
 * other test the runs name, in order of appearance); runs are sorted by test
 * in that order, then by k, so that a report does not depend on which run
 * finished first.
 */
export function buildReport(header: ReportHeader, testNames: readonly string[], runs: readonly RunRecord[], interrupted: readonly InterruptedRecord[] = []): JsonReport {
  const order = new Map<string, number>();
  for (const name of [...testNames, ...runs.map((run) => run.test), ...interrupted.map((run) => run.test)]) if (!order.has(name)) order.set(name, order.size);
  const byTestThenK = (a: { test: string; k: number }, b: { test: string; k: number }) => order.get(a.test)! - order.get(b.test)! || a.k - b.k;
  const sorted = [...runs].sort(byTestThenK);
  const tests = [...order.keys()].map((name) => testRecord(name, sorted.filter((run) => run.test === name), header.mode));
  const { seed, mode, workers, startedAt, wallMs } = header;
  return { version: REPORT_VERSION, seed, mode, workers, startedAt, wallMs, command: header.command ?? null, tests, runs: sorted, interrupted: [...interrupted].sort(byTestThenK) };
}

function testRecord(name: string, runs: readonly RunRecord[], mode: RunMode): TestRecord {
  const wall = statsOf(runs.map((run) => run.wallMs));
  const sim = statsOf(runs.flatMap((run) => (run.simMs === null ? [] : [run.simMs])));
  const simulated = mode === 'sim' && sim.count > 0;
  const raft = statsOf(runs.flatMap((run) => (run.raftMs === null ? [] : [run.raftMs])));
  return {
    name,
    runs: runs.length,
    failed: runs.filter((run) => !run.passed).length,
    meanMs: wall.count === 0 ? null : wall.mean,
    stdMs: wall.count === 0 ? null : wall.stddev,
    meanSimMs: simulated ? sim.mean : null,
    stdSimMs: simulated ? sim.stddev : null,
    meanRaftMs: raft.count === 0 ? null : raft.mean,
    stdRaftMs: raft.count === 0 ? null : raft.stddev,
  };
}

function statsOf(values: readonly number[]): RunningStats {
  const stats = new RunningStats();
  for (const value of values) stats.add(value);
  return stats;
}

/** The table's rows for a report (seconds, as the live table shows them). */
export function summariesOf(report: Pick<JsonReport, 'tests' | 'runs'>): TestSummary[] {
  return report.tests.map(({ name }) => {
    const runs = report.runs.filter((run) => run.test === name);
    return {
      test: name,
      total: runs.length,
      failed: runs.filter((run) => !run.passed).length,
      wallSeconds: statsOf(runs.map((run) => run.wallMs / 1000)),
      simSeconds: statsOf(runs.flatMap((run) => (run.simMs === null ? [] : [run.simMs / 1000]))),
      raftSeconds: statsOf(runs.flatMap((run) => (run.raftMs === null ? [] : [run.raftMs / 1000]))),
      saves: statsOf(runs.flatMap((run) => (run.saves === null ? [] : [run.saves]))),
      savedBytes: statsOf(runs.flatMap((run) => (run.savedBytes === null ? [] : [run.savedBytes]))),
    };
  });
}

/** Wall seconds of each run, per test, for the table's -t columns. */
export function wallSecondsByTest(runs: readonly RunRecord[]): Map<string, number[]> {
  const samples = new Map<string, number[]>();
  for (const run of runs) {
    const list = samples.get(run.test) ?? [];
    list.push(run.wallMs / 1000);
    samples.set(run.test, list);
  }
  return samples;
}

export function formatJsonReport(report: JsonReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A file that is not a version-1 raft-dstest report; the message says what is wrong. */
export class ReportFormatError extends BadInputError {
  override name = 'ReportFormatError';
}

/** Reads a report back, checking every field, so that merge never works on something else. */
export function parseJsonReport(text: string): JsonReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReportFormatError(`not JSON (${(error as Error).message})`);
  }
  const report = objectAt(value, 'the report');
  if (report.version !== REPORT_VERSION) {
    throw new ReportFormatError(`version is ${report.version === undefined ? 'missing' : JSON.stringify(report.version)}, expected ${REPORT_VERSION}`);
  }
  const mode = report.mode;
  if (!RUN_MODES.includes(mode as RunMode)) throw new ReportFormatError(`mode is ${JSON.stringify(mode)}, expected one of ${RUN_MODES.join(', ')}`);
  const tests = arrayAt(report, 'tests').map((item, i) => {
    const where = `tests[${i}]`;
    const test = objectAt(item, where);
    return {
      name: field(test, 'name', where, isString),
      runs: field(test, 'runs', where, isCount),
      failed: field(test, 'failed', where, isCount),
      meanMs: field(test, 'meanMs', where, isNumberOrNull),
      stdMs: field(test, 'stdMs', where, isNumberOrNull),
      meanSimMs: field(test, 'meanSimMs', where, isNumberOrNull),
      stdSimMs: field(test, 'stdSimMs', where, isNumberOrNull),
      meanRaftMs: optionalField(test, 'meanRaftMs', where),
      stdRaftMs: optionalField(test, 'stdRaftMs', where),
    };
  });
  const runs = arrayAt(report, 'runs').map((item, i) => {
    const where = `runs[${i}]`;
    const run = objectAt(item, where);
    return {
      test: field(run, 'test', where, isString),
      k: field(run, 'k', where, isCount),
      seed: field(run, 'seed', where, isCount),
      passed: field(run, 'passed', where, (v): v is boolean => typeof v === 'boolean'),
      wallMs: field(run, 'wallMs', where, isNumber),
      simMs: field(run, 'simMs', where, isNumberOrNull),
      raftMs: optionalField(run, 'raftMs', where),
      saves: optionalField(run, 'saves', where),
      savedBytes: optionalField(run, 'savedBytes', where),
      error: field(run, 'error', where, isStringOrNull),
      log: field(run, 'log', where, isStringOrNull),
    };
  });
  const interrupted = (report.interrupted === undefined ? [] : arrayAt(report, 'interrupted')).map((item, i) => {
    const where = `interrupted[${i}]`;
    const run = objectAt(item, where);
    return {
      test: field(run, 'test', where, isString),
      k: field(run, 'k', where, isCount),
      seed: field(run, 'seed', where, isCount),
      wallMs: field(run, 'wallMs', where, isNumber),
      reason: field(run, 'reason', where, isString),
      log: field(run, 'log', where, isStringOrNull),
    };
  });
  return {
    version: REPORT_VERSION,
    seed: field(report, 'seed', 'the report', isCount),
    mode: mode as RunMode,
    workers: field(report, 'workers', 'the report', isCount),
    startedAt: field(report, 'startedAt', 'the report', isString),
    wallMs: field(report, 'wallMs', 'the report', isNumber),
    command: report.command === undefined ? null : field(report, 'command', 'the report', isStringOrNull),
    tests,
    runs,
    interrupted,
  };
}

type Json = Record<string, unknown>;

function objectAt(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ReportFormatError(`${where} is not an object`);
  return value as Json;
}

function arrayAt(object: Json, key: string): unknown[] {
  const value = object[key];
  if (!Array.isArray(value)) throw new ReportFormatError(`${key} is not an array`);
  return value;
}

function field<T>(object: Json, key: string, where: string, check: (value: unknown) => value is T): T {
  const value = object[key];
  if (!check(value)) throw new ReportFormatError(`${where}.${key} is ${value === undefined ? 'missing' : `the wrong kind of value (${JSON.stringify(value)})`}`);
  return value;
}

/** A number-or-null field that reports written before it existed leave out: null then. */
function optionalField(object: Json, key: string, where: string): number | null {
  return object[key] === undefined ? null : field(object, key, where, isNumberOrNull);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumberOrNull = (v: unknown): v is number | null => v === null || isNumber(v);
const isStringOrNull = (v: unknown): v is string | null => v === null || isString(v);
