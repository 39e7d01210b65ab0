// What a timeline costs: for every lab test, the wall time of a plain run
// against a run recorded for its timeline at trace level (what the replay of
// a kept run does), and the size of the timeline file. Passing runs are
// never recorded, so they pay none of this.
//
//   npm run build && node bench/timeline-cost.mjs [seeds per test, default 5]
import { performance } from 'node:perf_hooks';
import { listTests } from '../dist/runner/select.js';
import { runLabTest } from '../dist/suite/run-test.js';

const seeds = Number(process.argv[2] ?? 5);
const tests = listTests().map((test) => test.name);

// Warm the JIT on every test first, so the first one measured is not penalised.
for (const test of tests) await runLabTest({ test, seed: 0, timeline: true, logLevel: 'trace' });

async function timeMs(request) {
  const startedMs = performance.now();
  const outcome = await runLabTest(request);
  return { ms: performance.now() - startedMs, outcome };
}

let plainTotalMs = 0;
let recordedTotalMs = 0;
console.log(`${'test'.padEnd(26)} ${'plain ms'.padStart(9)} ${'recorded ms'.padStart(12)} ${'ratio'.padStart(6)} ${'RPCs'.padStart(6)} ${'KB'.padStart(6)}`);
for (const test of tests) {
  let plainMs = 0;
  let recordedMs = 0;
  let rpcs = 0;
  let bytes = 0;
  // Alternate the two kinds of run, so that a busy machine slows both alike.
  for (let seed = 1; seed <= seeds; seed++) {
    plainMs += (await timeMs({ test, seed })).ms;
    const recorded = await timeMs({ test, seed, timeline: true, logLevel: 'trace' });
    recordedMs += recorded.ms;
    rpcs += recorded.outcome.timeline.rpcs.length;
    bytes += JSON.stringify(recorded.outcome.timeline).length;
  }
  plainTotalMs += plainMs;
  recordedTotalMs += recordedMs;
  const row = [
    test.padEnd(26),
    (plainMs / seeds).toFixed(1).padStart(9),
    (recordedMs / seeds).toFixed(1).padStart(12),
    (recordedMs / plainMs).toFixed(2).padStart(6),
    String(Math.round(rpcs / seeds)).padStart(6),
    String(Math.round(bytes / seeds / 1024)).padStart(6),
  ];
  console.log(row.join(' '));
}
console.log(`all ${tests.length} tests × ${seeds} seeds: plain ${(plainTotalMs / 1000).toFixed(2)} s, recorded ${(recordedTotalMs / 1000).toFixed(2)} s (${(recordedTotalMs / plainTotalMs).toFixed(2)}x)`);
