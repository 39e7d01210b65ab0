// A paired comparison of two builds' CPU per pass, for a machine whose load
// swings: both builds are loaded into this one process and every run of one
// is followed by the same run (test and seed) of the other, in alternating
// order, so that both see the same load. Prints each round's CPU per pass of
// both and the median of the per-round ratios b / a.
//
// With --worker the runs are in one worker thread with the resource limits
// the pool gives its workers (this project's, for both builds), as users'
// runs execute: the young generation's size changes what collection costs.
// The main thread only waits meanwhile, so the process's CPU is the worker's.
//
//   node bench/perf/ab.mjs --a <checkout> --b <checkout> [--seeds 3] [--rounds 5] [--worker]
import { cpuUsage } from 'node:process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, Worker } from 'node:worker_threads';
import { median } from './compare.mjs';
import { SEED_COMMAND_TESTS } from './seed-command.mjs';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    seeds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    worker: { type: 'boolean', default: false },
  },
});
if (values.a === undefined || values.b === undefined) {
  console.error('ab: give both builds, --a <checkout> and --b <checkout>');
  process.exit(2);
}

if (isMainThread && values.worker) {
  const project = fileURLToPath(new URL('../..', import.meta.url));
  const { DEFAULT_HEAP_LIMIT_MB, YOUNG_GENERATION_MB } = await import(pathToFileURL(join(project, 'dist/runner/pool.js')).href);
  const worker = new Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    resourceLimits: { maxOldGenerationSizeMb: DEFAULT_HEAP_LIMIT_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  await new Promise((done, fail) => {
    worker.once('exit', done);
    worker.once('error', fail);
  });
} else {
  await compare();
}

async function compare() {
  const seeds = Number(values.seeds);
  const rounds = Number(values.rounds);
  const load = async (root) => (await import(pathToFileURL(join(resolve(root), 'dist/suite/run-test.js')).href)).runLabTest;
  const builds = [await load(values.a), await load(values.b)];

  async function cpuMsOf(runLabTest, test, seed) {
    const start = cpuUsage();
    const outcome = await runLabTest({ test, seed });
    const used = cpuUsage(start);
    if (!outcome.passed) throw new Error(`${test} seed ${seed} failed: ${outcome.error}`);
    return (used.user + used.system) / 1000;
  }

  // Warm both.
  for (const test of SEED_COMMAND_TESTS) for (const run of builds) await cpuMsOf(run, test, 999);

  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const perPass = [0, 0];
    let flip = round % 2;
    for (const test of SEED_COMMAND_TESTS) {
      for (let k = 0; k < seeds; k++) {
        const seed = 1000 + k;
        for (const side of flip ? [1, 0] : [0, 1]) perPass[side] += (await cpuMsOf(builds[side], test, seed)) / seeds;
        flip ^= 1;
      }
    }
    ratios.push(perPass[1] / perPass[0]);
    console.log(`round ${round + 1}: a ${perPass[0].toFixed(1)} ms, b ${perPass[1].toFixed(1)} ms CPU per pass, b / a ${(perPass[1] / perPass[0]).toFixed(3)}`);
  }
  console.log(`median b / a over ${rounds} rounds: ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`);
}
