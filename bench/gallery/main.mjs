// @ts-check
/**
 * `npm run gallery`: runs the suite against every bug of the gallery, plain
 * and in strict mode (-r), on the runner's worker pool, and prints the
 * catch table as Markdown. A suite run is every selected test once with one
 * seed; the table counts them from 1, and run k uses seed k − 1, so any cell
 * replays. Each mode does all --runs suite runs, and the table gives how
 * many of them failed, the first that did, the tests that failed (with the
 * suite runs each failed in), and the first failure's message.
 *
 *   npm run gallery -- [--runs 50] [--workers 2] [--bug <id>]... [--tests <arg>]...
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectTests } from '../../dist/runner/select.js';
import { DEFAULT_RUN_SETTINGS } from '../../dist/runner/settings.js';
import { stress } from '../../dist/runner/stress.js';
import { findBug, GALLERY } from './bugs.mjs';

/**
 * @typedef {import('./bugs.mjs').GalleryBug} GalleryBug
 * @typedef {import('../../src/runner/protocol.js').RunResult} RunResult
 * @typedef {object} ModeResult
 * @property {number} runs suite runs done
 * @property {number} failedRuns suite runs in which at least one test failed
 * @property {number | undefined} firstFailedRun the first suite run (from 0) that failed, or undefined when all passed
 * @property {readonly [string, number][]} failedTests each test that failed, with the suite runs it failed in, most first (suite order among equals)
 * @property {string | undefined} firstTest the first test that failed in the first failing suite run, in suite order
 * @property {string | undefined} firstMessage
 */

const MESSAGE_CHARS = 120;

/** @returns {Promise<number>} */
async function main() {
  const values = orUsage(() =>
    parseArgs({
      options: {
        runs: { type: 'string', default: '50' },
        workers: { type: 'string', default: '2' },
        bug: { type: 'string', multiple: true },
        tests: { type: 'string', multiple: true },
      },
    }),
  ).values;
  const runs = positive('--runs', values.runs ?? '50');
  const workers = positive('--workers', values.workers ?? '2');
  const bugs = (values.bug ?? []).map((id) => findBug(id) ?? usage(`--bug ${id} is not in the gallery; one of ${GALLERY.map((b) => b.id).join(', ')}`));
  const tests = orUsage(() => selectTests(values.tests ?? ['all']));
  const dir = await mkdtemp(join(tmpdir(), 'raft-dstest-gallery-'));
  try {
    process.stdout.write(`Gallery: ${tests.length} tests, ${runs} suite runs per bug (seeds 0-${runs - 1}), ${workers} workers\n\n`);
    process.stdout.write('| bug | kind | plain: failing suite runs (first): tests | strict (-r): failing suite runs (first): tests | first message (strict, else plain) |\n');
    process.stdout.write('| --- | --- | --- | --- | --- |\n');
    for (const bug of bugs.length > 0 ? bugs : GALLERY) {
      const plain = await runBug(bug, tests, runs, workers, false, dir);
      const strict = await runBug(bug, tests, runs, workers, true, dir);
      process.stdout.write(`${row(bug, plain, strict)}\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return 0;
}

/**
 * @param {GalleryBug} bug
 * @param {readonly string[]} tests
 * @param {number} runs
 * @param {number} workers
 * @param {boolean} strict
 * @param {string} dir
 * @returns {Promise<ModeResult>}
 */
async function runBug(bug, tests, runs, workers, strict, dir) {
  /** @type {RunResult[]} */
  const results = [];
  const module = new URL(`./bug-raft.mjs?bug=${encodeURIComponent(bug.id)}`, import.meta.url).href;
  const outputDir = join(dir, `${bug.id}-${strict ? 'strict' : 'plain'}`);
  await stress(
    {
      tests,
      iterations: runs,
      workers,
      sequential: false,
      seedBase: 0,
      settings: { ...DEFAULT_RUN_SETTINGS, raftModule: module, strict },
      archive: false,
      outputDir,
      // A wall-clock backstop only; the lab's own 120 s of virtual time ends a stuck run first.
      timeoutMs: 300_000,
    },
    { onRunFinished: ({ result }) => results.push(result) },
  );
  // The failing runs' logs are not read: let them go before the next mode writes its own.
  await rm(outputDir, { recursive: true, force: true });
  const failed = results.filter((r) => !r.passed).sort((a, b) => a.k - b.k || tests.indexOf(a.test) - tests.indexOf(b.test));
  /** @type {Map<string, number>} */
  const byTest = new Map();
  for (const r of failed) byTest.set(r.test, (byTest.get(r.test) ?? 0) + 1);
  const failedTests = [...byTest].sort((a, b) => b[1] - a[1] || tests.indexOf(a[0]) - tests.indexOf(b[0]));
  const failedRuns = new Set(failed.map((r) => r.k)).size;
  const first = failed[0];
  return {
    runs,
    failedRuns,
    firstFailedRun: first?.k,
    failedTests,
    firstTest: first?.test,
    firstMessage: first?.error?.split('\n')[0],
  };
}

/**
 * @param {GalleryBug} bug
 * @param {ModeResult} plain
 * @param {ModeResult} strict
 */
function row(bug, plain, strict) {
  const from = strict.firstMessage === undefined ? plain : strict;
  const shown = from.firstMessage === undefined ? '—' : clip(`${short(from.firstTest ?? '')}: ${from.firstMessage}`);
  const note = bug.note === undefined ? '' : ` (${bug.note})`;
  return `| ${bug.title}${note} | ${bug.kind} | ${runCell(plain)} | ${runCell(strict)} | ${shown.replaceAll('|', '\\|')} |`;
}

/** How many tests a cell names before it says how many more failed. */
const TESTS_SHOWN = 3;

/**
 * `3/50 (run 2): Figure82C ×3, Persist22C ×1` when suite runs 2 and later
 * failed, three of them in TestFigure82C; `0/50` when none did.
 * @param {ModeResult} result
 */
function runCell(result) {
  if (result.firstFailedRun === undefined) return `0/${result.runs}`;
  const shown = result.failedTests.slice(0, TESTS_SHOWN).map(([test, n]) => `${short(test)} ×${n}`);
  const more = result.failedTests.length - TESTS_SHOWN;
  if (more > 0) shown.push(`${more} more`);
  return `${result.failedRuns}/${result.runs} (run ${result.firstFailedRun + 1}): ${shown.join(', ')}`;
}

/** @param {string} test */
function short(test) {
  return test.replace(/^Test/, '');
}

/** @param {string} text */
function clip(text) {
  return text.length <= MESSAGE_CHARS ? text : `${text.slice(0, MESSAGE_CHARS - 1)}…`;
}

/**
 * @param {string} option
 * @param {string} value
 */
function positive(option, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usage(`${option} ${value} is not a whole number of at least 1`);
  return n;
}

/**
 * Bad arguments are one line and exit 2, not a stack.
 * @template T
 * @param {() => T} parse
 * @returns {T}
 */
function orUsage(parse) {
  try {
    return parse();
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
}

/**
 * @param {string} message
 * @returns {never}
 */
function usage(message) {
  process.stderr.write(`gallery: ${message}\n`);
  process.exit(2);
}

process.exitCode = await main();
