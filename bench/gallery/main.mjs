// @ts-check
/**
 * `npm run gallery`: runs the suite against every bug of the gallery, plain
 * and in strict mode (-r), on the runner's worker pool, and prints the
 * catch table as Markdown. A suite run is every selected test once with one
 * seed; the table counts them from 1, and run k uses seed k − 1, so any cell
 * replays. Each mode runs suite runs until one fails (at most --runs of
 * them), and the table says which run that was, the first test that failed
 * in it, and the first message.
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
 * @property {number | undefined} firstFailedRun the first suite run (from 0) that failed, or undefined when all `runs` passed
 * @property {number} runs
 * @property {string | undefined} firstTest the first test that failed in it, in suite order
 * @property {string | undefined} firstMessage
 */

const MESSAGE_CHARS = 120;

/** @returns {Promise<number>} */
async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '50' },
      workers: { type: 'string', default: '2' },
      bug: { type: 'string', multiple: true },
      tests: { type: 'string', multiple: true },
    },
  });
  const runs = positive('--runs', values.runs ?? '50');
  const workers = positive('--workers', values.workers ?? '2');
  const bugs = (values.bug ?? []).map((id) => findBug(id) ?? usage(`--bug ${id} is not in the gallery; one of ${GALLERY.map((b) => b.id).join(', ')}`));
  const tests = selectTests(values.tests ?? ['all']);
  const dir = await mkdtemp(join(tmpdir(), 'raft-dstest-gallery-'));
  try {
    process.stdout.write(`Gallery: ${tests.length} tests, ${runs} suite runs per bug (seeds 0-${runs - 1}), ${workers} workers\n\n`);
    process.stdout.write('| bug | kind | plain: first failing suite run: test | strict (-r): first failing suite run: test | first message (strict, else plain) |\n');
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
  await stress(
    {
      tests,
      iterations: runs,
      workers,
      sequential: false,
      seedBase: 0,
      settings: { ...DEFAULT_RUN_SETTINGS, raftModule: module, strict },
      archive: false,
      outputDir: join(dir, `${bug.id}-${strict ? 'strict' : 'plain'}`),
      // A wall-clock backstop only; the lab's own 120 s of virtual time ends a stuck run first.
      timeoutMs: 300_000,
      // The runs already going when one fails finish; those of later seeds are ignored below.
      maxFailures: 1,
    },
    { onRunFinished: ({ result }) => results.push(result) },
  );
  const failed = results.filter((r) => !r.passed).sort((a, b) => a.k - b.k || tests.indexOf(a.test) - tests.indexOf(b.test));
  const first = failed[0];
  if (first === undefined) return { firstFailedRun: undefined, runs, firstTest: undefined, firstMessage: undefined };
  return { firstFailedRun: first.k, runs, firstTest: first.test, firstMessage: first.error?.split('\n')[0] };
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

/**
 * `run 3: Figure82C` for a catch in the third suite run (seed 2), `none in 50` for none.
 * @param {ModeResult} result
 */
function runCell(result) {
  return result.firstFailedRun === undefined ? `none in ${result.runs}` : `run ${result.firstFailedRun + 1}: ${short(result.firstTest ?? '')}`;
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
 * @param {string} message
 * @returns {never}
 */
function usage(message) {
  process.stderr.write(`gallery: ${message}\n`);
  process.exit(2);
}

process.exitCode = await main();
