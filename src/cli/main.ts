/**
 * The command line: `raft-dstest [tests...]`. Parses and checks every
 * argument before anything runs (bad input exits 2 and leaves no files),
 * then hands over to a command. The only module that ends the process.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Command, CommanderError } from 'commander';
import { SEED_MAX } from '../runner/plan.js';
import { listTests, selectTests, UnknownTestArgumentError } from '../runner/select.js';
import type { StressOptions } from '../runner/stress.js';
import { shouldColor } from './color.js';
import { ExitCode } from './exit-codes.js';
import { canAnimate } from './progress.js';
import {
  checkSeedRange,
  defaultOutputDir,
  parseIterations,
  parseSeed,
  parseTimeoutMs,
  parseWorkers,
  resolveLogLevel,
} from './options.js';
import { stressCommand, type SignalSource, type StressCommandDeps } from './stress-command.js';
import { UsageError } from './usage-error.js';

export interface CliDeps extends Omit<StressCommandDeps, 'animate' | 'color'> {
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal; taken from the stream when absent. */
  isTTY?: boolean;
  /** The local time, for the default output directory's name. */
  now: () => Date;
  /** A random seed base in [0, maxExclusive). */
  randomSeedBase: (maxExclusive: number) => number;
}

/** Seed bases drawn at random stay below 2^32, so replay commands stay short. */
const RANDOM_SEED_LIMIT = 2 ** 32;

/** How often progress prints a line when stdout is not a terminal. */
const PLAIN_PROGRESS_INTERVAL_MS = 5_000;

export function defaultDeps(): CliDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    nowMs: () => performance.now(),
    now: () => new Date(),
    randomSeedBase: (maxExclusive) => randomInt(maxExclusive),
    signals: process as SignalSource,
    exit: (code) => process.exit(code),
    plainProgressIntervalMs: PLAIN_PROGRESS_INTERVAL_MS,
  };
}

type Parsed = { command: 'list' } | { command: 'stress'; options: StressOptions } | { command: 'done'; exitCode: ExitCode };

interface RawOptions {
  iter: string;
  workers: string;
  sequential?: true;
  output?: string;
  verbose: number;
  archive?: true;
  seed?: string;
  timeout?: string;
  realtime?: true;
  list?: true;
}

/** Runs the command line and returns the exit code; never exits itself. */
export async function main(argv: readonly string[], overrides: Partial<CliDeps> = {}): Promise<ExitCode> {
  const deps = { ...defaultDeps(), ...overrides };
  let parsed: Parsed;
  try {
    parsed = parseCommandLine(argv, deps);
  } catch (error) {
    if (error instanceof UsageError || error instanceof UnknownTestArgumentError) {
      deps.stderr.write(`raft-dstest: ${error.message}\n`);
      return ExitCode.Usage;
    }
    throw error;
  }
  if (parsed.command === 'done') return parsed.exitCode;
  if (parsed.command === 'list') return listCommand(deps);
  const stdout = deps.stdout as { isTTY?: boolean; columns?: number };
  const isTTY = deps.isTTY ?? stdout.isTTY === true;
  const animate = canAnimate({ isTTY, columns: stdout.columns, term: deps.env.TERM });
  return stressCommand(parsed.options, { ...deps, animate, color: shouldColor(deps.env, isTTY) });
}

function buildProgram(deps: CliDeps): Command {
  const countVerbose = (_: string, previous: number) => previous + 1;
  return new Command('raft-dstest')
    .description('Stress-test Raft: run MIT 6.824 lab tests many times on a deterministic simulator, in parallel.')
    .version(packageVersion(), '-V, --version')
    .argument('[tests...]', 'test names, a part (2A, 2B, 2C) or "all"')
    .option('-n, --iter <n>', 'runs of each test', '10')
    .option('-p, --workers <n>', 'worker threads running tests in parallel', '1')
    .option('-s, --sequential', 'do all runs of one test before the next (default: interleaved)')
    .option('-o, --output <dir>', 'where logs are written (default: reports/<YYYYmmdd_HHMMSS>)')
    .option('-v, --verbose', 'log Raft events too: -v debug, -vv trace (default: RAFT_LOG, else none)', countVerbose, 0)
    .option('-a, --archive', 'keep the logs of passing runs too (default: failing runs only)')
    .option('--seed <n>', 'seed of run 0, decimal or 0x-hex; run k uses seed + k (default: random)')
    .option('--timeout <seconds>', 'end a run that takes longer than this on the wall clock (default: none)')
    .option('--realtime', 'run on the wall clock instead of the simulator')
    .option('--list', 'list the tests with their parts, then exit')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(text),
      writeErr: (text) => deps.stderr.write(text),
      // Commander's own errors (unknown option, missing value) get the same one-line shape as ours.
      outputError: (text, write) => write(`raft-dstest: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`),
    });
}

function parseCommandLine(argv: readonly string[], deps: CliDeps): Parsed {
  const program = buildProgram(deps);
  try {
    program.parse(argv as string[], { from: 'user' });
  } catch (error) {
    // Commander has already printed help, the version or its error message.
    if (error instanceof CommanderError) return { command: 'done', exitCode: error.exitCode === 0 ? ExitCode.Passed : ExitCode.Usage };
    throw error;
  }
  const raw = program.opts<RawOptions>();
  if (raw.list) return { command: 'list' };

  const iterations = parseIterations(raw.iter);
  const workers = parseWorkers(raw.workers);
  const timeoutMs = raw.timeout === undefined ? undefined : parseTimeoutMs(raw.timeout);
  const logLevel = resolveLogLevel(raw.verbose, deps.env.RAFT_LOG);
  if (program.args.length === 0) throw new UsageError('no tests named; give test names, a part (2A, 2B, 2C) or "all" (see --list)');
  const tests = selectTests(program.args);
  // Every run needs a seed of its own: the last one, base + n - 1, must exist too.
  const seedRoom = Math.min(RANDOM_SEED_LIMIT, SEED_MAX - (iterations - 1) + 1);
  const seedBase = raw.seed === undefined ? deps.randomSeedBase(seedRoom) : parseSeed(raw.seed);
  checkSeedRange(seedBase, iterations);

  const options: StressOptions = {
    tests,
    iterations,
    workers,
    sequential: raw.sequential === true,
    seedBase,
    realtime: raw.realtime === true,
    logLevel,
    archive: raw.archive === true,
    outputDir: raw.output ?? defaultOutputDir(deps.now()),
  };
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  return { command: 'stress', options };
}

/** `--list`: every test the registry knows, with its part. */
export async function listCommand(deps: Pick<CliDeps, 'stdout'>): Promise<ExitCode> {
  const tests = listTests();
  const width = Math.max(...tests.map((t) => t.name.length));
  for (const test of tests) deps.stdout.write(`${test.name.padEnd(width)}  ${test.part}\n`);
  return ExitCode.Passed;
}

function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** The process entry point, for bin/raft-dstest.js. */
export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // A reader that stops early (`| head`) closes the pipe; the runs still
  // deserve an honest exit code, so lost output is not an error.
  const ignoreClosedPipe = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  };
  process.stdout.on('error', ignoreClosedPipe);
  let exitCode: number;
  try {
    exitCode = await main(argv);
  } catch (error) {
    // A bug of the tool, not of the Raft under test; it still must not pass as success.
    process.stderr.write(`raft-dstest: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    exitCode = ExitCode.Failed;
  }
  // Wait for stdout to drain so that a piped table is never cut short by exit.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(exitCode);
}
