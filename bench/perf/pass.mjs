// One process, one worker thread: runs every test of the seed command `seeds`
// times against the build of the project at `--root`, and prints one JSON
// line of what each test cost. The runs are in a worker thread with the
// resource limits the pool gives its workers (this project's, also when
// --root names another build, so that two builds are measured alike): the
// young generation's size changes the cost of collection, and a pass on the
// main thread, with V8's default size, is not what users' runs cost. The main
// thread only waits meanwhile, so the process's CPU is the worker's. The
// benchmark starts this afresh for each mode (plain, strict, determinism
// check), so that each has a clean heap and JIT, and reads the process's peak
// RSS at the end as what one idle main thread and one worker doing only runs
// need.
//
//   node bench/perf/pass.mjs --root <project> --seeds 5 [--strict] [--check-determinism] [--seed 1000]
import { parseArgs } from 'node:util';
import { cpuUsage, resourceUsage } from 'node:process';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { SEED_COMMAND_TESTS } from './seed-command.mjs';

if (isMainThread) {
  const project = fileURLToPath(new URL('../..', import.meta.url));
  const { DEFAULT_HEAP_LIMIT_MB, YOUNG_GENERATION_MB } = await import(pathToFileURL(join(project, 'dist/runner/pool.js')).href);
  const worker = new Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    resourceLimits: { maxOldGenerationSizeMb: DEFAULT_HEAP_LIMIT_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  const result = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  // maxRSS is in kilobytes.
  console.log(JSON.stringify({ ...result, youngGenerationMb: YOUNG_GENERATION_MB, peakRssMb: resourceUsage().maxRSS / 1024 }));
} else {
  parentPort.postMessage(await measure());
}

async function measure() {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      seeds: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1000' },
      strict: { type: 'boolean', default: false },
      'check-determinism': { type: 'boolean', default: false },
    },
  });
  const root = values.root ?? process.cwd();
  const seeds = Number(values.seeds);
  const seedBase = Number(values.seed);
  const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
  const { runLabTest } = await load('suite/run-test.js');
  const { SimClock } = await load('sim/sim-clock.js');
  const { Network } = await load('labrpc/network.js');

  const settings = { strict: values.strict, checkDeterminism: values['check-determinism'] };

  /**
   * Counts a run's events and RPCs by wrapping the simulator's clock and the
   * network's cleanup. The wrapper costs a call per event, so the counts come
   * from a run of their own: one seed, one run, so they are the timed run's.
   */
  async function countRun(test, seed) {
    const counts = { events: 0, rpcs: 0, bytes: 0 };
    const runNext = SimClock.prototype.runNext;
    const cleanup = Network.prototype.cleanup;
    SimClock.prototype.runNext = function countedRunNext() {
      const ran = runNext.call(this);
      if (ran) counts.events++;
      return ran;
    };
    Network.prototype.cleanup = function countedCleanup() {
      counts.rpcs += this.rpcTotal;
      counts.bytes += this.byteTotal;
      return cleanup.call(this);
    };
    try {
      await runLabTest({ test, seed });
    } finally {
      SimClock.prototype.runNext = runNext;
      Network.prototype.cleanup = cleanup;
    }
    return counts;
  }

  // Warm the JIT on every test first, as a worker is warm after its first few runs.
  for (const test of SEED_COMMAND_TESTS) await runLabTest({ test, seed: seedBase - 1, ...settings });

  const tests = [];
  for (const test of SEED_COMMAND_TESTS) {
    const row = { test, runs: 0, failed: 0, cpuMs: 0, wallMs: 0, events: 0, rpcs: 0, bytes: 0 };
    for (let k = 0; k < seeds; k++) {
      const seed = seedBase + k;
      const cpu0 = cpuUsage();
      const wall0 = performance.now();
      const outcome = await runLabTest({ test, seed, ...settings });
      row.wallMs += performance.now() - wall0;
      const cpu = cpuUsage(cpu0);
      row.cpuMs += (cpu.user + cpu.system) / 1000;
      row.runs++;
      if (!outcome.passed) row.failed++;
    }
    tests.push(row);
  }
  // The counts come after every timed run, for two reasons. Wrapping the
  // prototypes throws away the optimised code of their callers, which V8
  // would then compile again inside the timed runs, a cost users' runs never
  // pay. And an untimed run between two timed ones would absorb the
  // background compiling the timed runs set off, which users' runs do pay.
  for (const row of tests) {
    for (let k = 0; k < seeds; k++) {
      const counts = await countRun(row.test, seedBase + k);
      row.events += counts.events;
      row.rpcs += counts.rpcs;
      row.bytes += counts.bytes;
    }
  }
  return { seeds, seedBase, ...settings, tests };
}
