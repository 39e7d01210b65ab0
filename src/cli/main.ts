/**
 * The command line: `raft-dstest [tests...]`. Parses and checks every
 * argument before anything runs (bad input exits 2 and leaves no files),
 * then hands over to a command. The only module that ends the process.
 */
import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { SEED_MAX } from '../runner/plan.js';
import { BadInputError } from '../runner/bad-input.js';
import { listTests, selectTests } from '../runner/select.js';
import type { StressOptions } from '../runner/stress.js';
import { listGoTests, selectGoTests } from '../runner/exec-go.js';
import { DEFAULT_HEAP_LIMIT_MB } from '../runner/pool.js';
import { PROBE_TIME_LIMIT_MS, probeRaftModule } from '../runner/raft-module.js';
import { PARTS, REGISTRY, type LabTest } from '../suite/registry.js';
import { shouldColor } from './color.js';
import { oneLineOutput, parseArguments } from './commander-io.js';
import { ExitCode } from './exit-codes.js';
import { canAnimate } from './progress.js';
import {
  checkSeedRange,
  defaultOutputDir,
  parseGrowth,
  parseHeapLimitMb,
  parseIterations,
  parseMaxFailures,
  parseSeed,
  parseShard,
  parseTimeoutMs,
  parseWorkers,
  MAX_WORKERS,
} from './options.js';
import { initCommand } from './init-command.js';
import { mergeCommand } from './merge-command.js';
import { reportCommand } from './report-command.js';
import { shardFromEnv } from './shard-env.js';
import type { SessionOptions } from './session.js';
import { addRunFlags, runSettingsFrom, type RunFlagValues } from './run-flags.js';
import { stressCommand, type SignalSource, type StressCommandDeps } from './stress-command.js';
import { UsageError } from './usage-error.js';

export interface CliDeps extends Omit<StressCommandDeps, 'animate' | 'color'> {
  env: NodeJS.ProcessEnv;
  /** The tests the arguments select from: the registry, or more in the project's own tests. */
  tests?: readonly LabTest[];
  /** Whether stdout is a terminal; taken from the stream when absent. */
  isTTY?: boolean;
  /** The local time, for the default output directory's name. */
  now: () => Date;
  /** A random seed base in [0, maxExclusive). */
  randomSeedBase: (maxExclusive: number) => number;
  /** How many threads the machine can run at once: -p's default. */
  availableParallelism: () => number;
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
    availableParallelism,
    signals: process as SignalSource,
    exit: (code) => process.exit(code),
    plainProgressIntervalMs: PLAIN_PROGRESS_INTERVAL_MS,
  };
}

type Parsed =
  | { command: 'list'; patterns: string[] }
  | { command: 'stress'; options: StressOptions; session: SessionOptions; color?: boolean; checkGo?: boolean }
  | { command: 'done'; exitCode: ExitCode };

interface RawOptions extends RunFlagValues {
  iter: string;
  workers?: string;
  sequential?: true;
  output?: string;
  archive?: true;
  seed?: string;
  timeout?: string;
  list?: true;
  timing?: true;
  json?: string;
  junit?: string;
  html?: string;
  shard?: string;
  shardTotal?: string;
  loop?: true;
  growth: string;
  maxFailures?: string;
  color?: boolean;
}

/** Runs the command line and returns the exit code; never exits itself. */
export async function main(argv: readonly string[], overrides: Partial<CliDeps> = {}): Promise<ExitCode> {
  const deps = { ...defaultDeps(), ...overrides };
  const command = argv[0] === 'merge' || argv[0] === 'init' || argv[0] === 'report' ? argv[0] : undefined;
  try {
    if (command === 'merge') return await mergeCommand(argv.slice(1), deps);
    if (command === 'init') return await initCommand(argv.slice(1), deps);
    if (command === 'report') return await reportCommand(argv.slice(1), deps);
    return await stressOrList(argv, deps);
  } catch (error) {
    // The one place where bad input becomes one line and exit 2; anything else is a bug of the tool.
    if (!(error instanceof BadInputError)) throw error;
    deps.stderr.write(`raft-dstest: ${command === 'init' ? 'init: ' : ''}${error.message}\n`);
    return ExitCode.Usage;
  }
}

async function stressOrList(argv: readonly string[], deps: CliDeps): Promise<ExitCode> {
  const parsed = parseCommandLine(argv, deps);
  if (parsed.command === 'stress') parsed.session.command = commandLine(argv);
  // With --go the arguments select from the package's own tests, as they select from the suite's.
  if (parsed.command === 'stress' && parsed.checkGo) parsed.options.tests = selectGoTests(parsed.options.tests, await listGoTests());
  // Probe the user's Raft once, in a thread of its own, so a bad module is a usage error before any run starts.
  if (parsed.command === 'stress' && parsed.options.settings.raftModule !== undefined) {
    const { timeoutMs, heapLimitMb } = parsed.options;
    await probeRaftModule(parsed.options.settings.raftModule, {
      timeLimitMs: Math.min(timeoutMs || PROBE_TIME_LIMIT_MS, PROBE_TIME_LIMIT_MS),
      heapLimitMb: heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB,
    });
  }
  if (parsed.command === 'done') return parsed.exitCode;
  if (parsed.command === 'list') return listCommand(deps, parsed.patterns, deps.tests);
  const stdout = deps.stdout as { isTTY?: boolean; columns?: number };
  const isTTY = deps.isTTY ?? stdout.isTTY === true;
  const animate = canAnimate({ isTTY, columns: stdout.columns, term: deps.env.TERM });
  return stressCommand(parsed.options, { ...deps, animate, color: shouldColor(parsed.color, deps.env, isTTY) }, parsed.session);
}

function buildProgram(deps: CliDeps): Command {
  const program = new Command('raft-dstest')
    .description('Stress-test Raft: run MIT 6.824 lab tests many times on a deterministic simulator, in parallel.')
    .version(packageVersion(), '-V, --version')
    .argument('[tests...]', `test names, a part (${PARTS.join(', ')}), "all", or regular expressions matched in the names (like go test -run)`)
    .option('-n, --iter <n>', 'runs of each test', '10')
    .option('-p, --workers <n>', "worker threads (or commands) running tests in parallel (default: the machine's available parallelism)")
    .option('-s, --sequential', 'do all runs of one test before the next (default: interleaved)')
    .option('-o, --output <dir>', 'where logs are written (default: reports/<YYYYmmdd_HHMMSS>)')
    .option('-a, --archive', 'keep the logs of passing runs too (default: failing runs only)')
    .option('--seed <n>', 'seed of run 0, decimal or 0x-hex; run k uses seed + k (default: random)')
    .option('--timeout <duration>', 'end a run that takes longer on the wall clock, as a failure: 90s, 2m, 1m30s; 0 for no limit', '10m')
    .option('-x, --max-failures <n>', 'stop starting runs after n failures (runs in flight finish), print the table, exit 1');
  return addRunFlags(program)
    .option('--color', 'colour the table and progress even when not on a terminal')
    .option('--no-color', 'never colour (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('--list', 'list the tests with their parts (those the test arguments select, if any), then exit')
    .option('-t, --timing', 'add Min, p50, p95 and Max wall seconds per run to the table')
    .option('--json <file>', 'write a JSON report of every run')
    .option('--junit <file>', 'write a JUnit XML report, one testcase per run')
    .option('--html <file>', 'write an HTML report: the table, each failing run and its timeline')
    .option('--shard <i/n|auto>', 'run only shard i of n of the planned runs (needs --seed); auto: the shard the CI engine names; merge the reports with "raft-dstest merge"')
    .option('--shard-total <n>', "with --shard auto in a Kubernetes Indexed Job: the number of shards (the Job's completions)")
    .option('-l, --loop', 'run again and again, multiplying the iterations by --growth each round, until Ctrl-C')
    .option('-g, --growth <k>', 'with --loop, the factor the iterations grow by after each round', '10')
    .addHelpText('after', '\nMerge shard reports: raft-dstest merge <report.json...> [--json <file>] [--junit <file>] [--html <file>]\nHTML report of JSON reports: raft-dstest report <report.json...> --html <file>\nStart your own Raft: raft-dstest init <dir>, then --raft <dir>/raft.mjs')
    .configureOutput(oneLineOutput(deps, 'raft-dstest'));
}

function parseCommandLine(argv: readonly string[], deps: CliDeps): Parsed {
  const registry = deps.tests ?? REGISTRY;
  const program = buildProgram(deps);
  const answered = parseArguments(program, argv);
  if (answered !== undefined) return { command: 'done', exitCode: answered };
  const raw = program.opts<RawOptions>();
  if (raw.list) {
    // Checks the patterns now, so that one matching nothing is a usage error like anywhere else.
    if (program.args.length > 0) selectTests(program.args, registry);
    return { command: 'list', patterns: program.args };
  }

  const iterations = parseIterations(raw.iter);
  // Unlike dstest.py's 1: most people stress on a machine of their own and want all of it.
  const workers = raw.workers === undefined ? Math.min(MAX_WORKERS, Math.max(1, deps.availableParallelism())) : parseWorkers(raw.workers);
  const timeoutMs = raw.timeout === undefined ? undefined : parseTimeoutMs(raw.timeout);
  const maxFailures = raw.maxFailures === undefined ? undefined : parseMaxFailures(raw.maxFailures);
  const settings = runSettingsFrom(raw, deps.env);
  const heapLimitMb = parseHeapLimitMb(deps.env.RAFT_DSTEST_HEAP_MB);
  const fromEnv = raw.shard === 'auto' ? shardFromEnv(deps.env, raw.shardTotal) : undefined;
  if (raw.shardTotal !== undefined && fromEnv === undefined) throw new UsageError('--shard-total goes with --shard auto (a Kubernetes Indexed Job); --shard i/n names its total itself');
  const shard = fromEnv?.shard ?? (raw.shard === undefined ? undefined : parseShard(raw.shard));
  const growth = parseGrowth(raw.growth);
  if (shard !== undefined && raw.seed === undefined) throw new UsageError('--shard needs --seed so every shard plans the same runs');
  if (program.args.length === 0) throw new UsageError(`no tests named; give test names, a part (${PARTS.join(', ')}) or "all" (see --list)`);
  // In exec mode test names are the command's business: free, except that --go selects them from go test -list (stressOrList).
  const tests = settings.exec !== undefined ? [...new Set(program.args)] : selectTests(program.args, registry);
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
    settings,
    archive: raw.archive === true,
    outputDir: raw.output ?? defaultOutputDir(deps.now()),
  };
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  if (maxFailures !== undefined) options.maxFailures = maxFailures;
  if (heapLimitMb !== undefined) options.heapLimitMb = heapLimitMb;
  const session: SessionOptions = { timing: raw.timing === true };
  if (raw.workers === undefined) session.defaultWorkers = true;
  if (shard !== undefined) session.shard = shard;
  if (fromEnv !== undefined) session.shardSource = fromEnv.source;
  if (raw.loop) session.growth = growth;
  if (raw.json !== undefined) session.json = raw.json;
  if (raw.junit !== undefined) session.junit = raw.junit;
  if (raw.html !== undefined) session.html = raw.html;
  return { command: 'stress', options, session, ...(raw.color === undefined ? {} : { color: raw.color }), ...(raw.go ? { checkGo: true } : {}) };
}

/** The command line as a user could type it again, for the HTML report. */
function commandLine(argv: readonly string[]): string {
  const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);
  return ['raft-dstest', ...argv.map(quote)].join(' ');
}

/** `--list`: every test the registry knows (or those the patterns select), with its part. */
export async function listCommand(deps: Pick<CliDeps, 'stdout'>, patterns: readonly string[] = [], registry: readonly LabTest[] = REGISTRY): Promise<ExitCode> {
  const chosen = new Set(patterns.length === 0 ? [] : selectTests(patterns, registry));
  const tests = listTests(registry).filter((test) => patterns.length === 0 || chosen.has(test.name));
  const width = Math.max(...tests.map((t) => t.name.length));
  for (const test of tests) {
    const note = test.goName === undefined ? '' : `  (${test.goName} in the course's 2022 test_test.go, which go test does not run)`;
    deps.stdout.write(`${test.name.padEnd(width)}  ${test.part}${note}\n`);
  }
  return ExitCode.Passed;
}

function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** The process entry point, for bin/raft-dstest.js. */
export async function run(argv: readonly string[] = process.argv.slice(2), overrides: Partial<CliDeps> = {}): Promise<void> {
  // A reader that stops early (`| head`) closes the pipe; the runs still
  // deserve an honest exit code, so lost output is not an error.
  const ignoreClosedPipe = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  };
  process.stdout.on('error', ignoreClosedPipe);
  let exitCode: number;
  try {
    exitCode = await main(argv, overrides);
  } catch (error) {
    // A bug of the tool, not of the Raft under test; it still must not pass as success.
    process.stderr.write(`raft-dstest: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    exitCode = ExitCode.Failed;
  }
  // Wait for stdout to drain so that a piped table is never cut short by exit.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(exitCode);
}
