import { TestFailure } from '../harness/test-context.js';
import { reference } from '../raft/index.js';
import type { RaftFactory } from '../raft/types.js';
import { CaptureLog, type LogLevel } from '../sim/log.js';
import { makeRandom } from '../sim/random.js';
import { RealWorld, yieldToHost } from '../sim/real-clock.js';
import { SimWorld } from '../sim/sim-world.js';
import type { World } from '../sim/world.js';
import { findTest, REGISTRY, type LabTest } from './registry.js';

export interface RunRequest {
  /** The test's exact name, as the registry lists it. */
  test: string;
  /** Seeds the world's single random stream: one seed, one run. */
  seed: number;
  /** Run on the wall clock instead of the simulator. */
  realtime?: boolean;
  logLevel?: LogLevel;
  /** The Raft under test; the reference implementation by default. */
  raft?: RaftFactory;
  /** Receives each log line as it is written, e.g. to stream a run live. */
  onLogLine?: (line: string) => void;
}

export interface RunOutcome {
  test: string;
  seed: number;
  passed: boolean;
  /** The failure message (and stack, for errors that are not test checks). */
  error?: string;
  /** World time the run took: virtual ms in simulation, wall ms in realtime. */
  elapsedMs: number;
  /** The run's log, one line per entry (no trailing newlines). */
  log: string[];
}

export class UnknownTestError extends Error {
  override name = 'UnknownTestError';
}

/**
 * Runs one lab test once, in a fresh world seeded with `seed`, and reports
 * how it ended with the log it wrote. Never throws for a failing test: the
 * failure is in the outcome.
 */
export async function runLabTest(request: RunRequest, tests: readonly LabTest[] = REGISTRY): Promise<RunOutcome> {
  const test = findTest(request.test, tests);
  if (test === undefined) throw new UnknownTestError(`unknown test ${request.test}`);
  const level = request.logLevel ?? 'none';
  let log: CaptureLog | undefined;
  const common = {
    random: makeRandom(request.seed),
    makeLog: (clock: World['clock']) => (log = new CaptureLog(clock, level, request.onLogLine)),
  };
  const raft = request.raft ?? reference;
  const script = (world: World) => test.run({ world, raft });
  const outcome = request.realtime
    ? await new RealWorld(common).run(script)
    : await new SimWorld({ ...common, yieldToHost }).run(script);
  const seconds = (outcome.elapsedMs / 1000).toFixed(2);
  if (outcome.error === undefined) {
    log!.test(`--- PASS: ${test.name} (${seconds}s)`);
    return { test: test.name, seed: request.seed, passed: true, elapsedMs: outcome.elapsedMs, log: log!.lines };
  }
  const error = describe(outcome.error);
  for (const line of error.split('\n')) log!.test(`    ${line}`);
  log!.test(`--- FAIL: ${test.name} (${seconds}s)`);
  return { test: test.name, seed: request.seed, passed: false, error, elapsedMs: outcome.elapsedMs, log: log!.lines };
}

/** A check's failure is its message alone; anything else is a bug, so keep its stack. */
function describe(error: Error): string {
  if (error instanceof TestFailure) return error.message;
  return error.stack ?? `${error.name}: ${error.message}`;
}
