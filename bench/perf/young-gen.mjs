// What a worker's young generation size costs and saves: for each size,
// a fresh process starts one worker thread with that young generation (as
// the pool does) and runs passes of the seed command's tests in it; the
// process reports the CPU per pass and its peak RSS. The sizes alternate
// round by round, so that all see the same load; the medians are printed.
// The differences in peak RSS between sizes are what each worker of the
// pool would add or save.
//
//   node bench/perf/young-gen.mjs [--root <project>] [--sizes 6,16,32] [--rounds 5] [--passes 3]
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { cpuUsage, resourceUsage } from 'node:process';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { median } from './compare.mjs';
import { SEED_COMMAND_TESTS } from './seed-command.mjs';

const self = fileURLToPath(import.meta.url);

if (!isMainThread) {
  // The worker: one warm-up pass, then the timed ones.
  const { root, passes } = workerData;
  const { runLabTest } = await import(pathToFileURL(join(root, 'dist/suite/run-test.js')).href);
  const pass = async (seed) => {
    for (const test of SEED_COMMAND_TESTS) {
      const outcome = await runLabTest({ test, seed });
      if (!outcome.passed) throw new Error(`${test} seed ${seed} failed`);
    }
  };
  await pass(999);
  // The main thread only waits meanwhile: the process's CPU is this thread's and its collector's.
  const start = cpuUsage();
  for (let k = 0; k < passes; k++) await pass(1000 + k);
  const used = cpuUsage(start);
  parentPort.postMessage({ cpuMsPerPass: (used.user + used.system) / 1000 / passes });
} else if (process.argv[2] === '--child') {
  // One process, one worker of the given young generation.
  const [, , , root, youngMb, passes] = process.argv;
  const worker = new Worker(self, {
    workerData: { root, passes: Number(passes) },
    resourceLimits: { maxOldGenerationSizeMb: 2048, maxYoungGenerationSizeMb: Number(youngMb) },
  });
  const result = await new Promise((res, rej) => {
    worker.once('message', res);
    worker.once('error', rej);
  });
  await worker.terminate();
  console.log(JSON.stringify({ ...result, peakRssMb: resourceUsage().maxRSS / 1024 }));
} else {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', default: resolve(fileURLToPath(new URL('../..', import.meta.url))) },
      sizes: { type: 'string', default: '6,16,32' },
      rounds: { type: 'string', default: '5' },
      passes: { type: 'string', default: '3' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const rounds = Number(values.rounds);
  const run = promisify(execFile);
  const results = new Map(sizes.map((size) => [size, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sizes : [...sizes].reverse();
    const line = [];
    for (const size of order) {
      const { stdout } = await run(process.execPath, [self, '--child', resolve(values.root), String(size), values.passes]);
      const result = JSON.parse(stdout);
      results.get(size).push(result);
      line.push(`${size} MB: ${result.cpuMsPerPass.toFixed(1)} ms, ${result.peakRssMb.toFixed(0)} MB`);
    }
    console.log(`round ${round + 1}: ${line.join('; ')}`);
  }
  const base = results.get(sizes[0]);
  for (const size of sizes) {
    const rs = results.get(size);
    const cpu = median(rs.map((r) => r.cpuMsPerPass));
    // Paired: each round's ratio to the first size's run of the same round.
    const ratio = median(rs.map((r, k) => r.cpuMsPerPass / base[k].cpuMsPerPass));
    const rss = median(rs.map((r) => r.peakRssMb));
    console.log(`young generation ${size} MB: CPU per pass ${cpu.toFixed(1)} ms (median ratio ${ratio.toFixed(2)}× ${sizes[0]} MB's), peak RSS ${rss.toFixed(0)} MB`);
  }
}
