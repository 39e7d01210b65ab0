// Worker start-up: how long after the pool is made, and after this process
// started, the first run's result arrives at -p 4. As the runner does, four
// runs go out at once, one per worker; each worker has to start its thread
// and load the suite before it can run. Prints one JSON line.
//
//   node bench/perf/startup.mjs --root <project> [--workers 4]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { root: { type: 'string' }, workers: { type: 'string', default: '4' } } });
const root = values.root ?? process.cwd();
const workers = Number(values.workers);
const loadedMs = performance.now();
const { createPool } = await import(pathToFileURL(join(root, 'dist/runner/pool.js')).href);

// Builds before the settings moved into one object (and the log into a sink) take the older task.
const settingsObject = existsSync(join(root, 'dist/runner/settings.js'));
const settings = { realtime: false, logLevel: 'none', strict: false, checkDeterminism: false, chargeCpu: false };
const discard = { write: async () => {} };

const poolMs = performance.now();
const pool = createPool({ workers });
const results = [];
for (let k = 0; k < workers; k++) {
  const task = settingsObject ? { test: 'TestInitialElection2A', k, seed: 1000 + k, settings, worker: k } : { test: 'TestInitialElection2A', k, seed: 1000 + k, worker: k, ...settings };
  const run = settingsObject ? pool.run(task, discard) : pool.run(task);
  results.push(run.then((result) => ({ atMs: performance.now(), passed: result.passed })));
}
const done = await Promise.all(results);
await pool.destroy();
const firstMs = Math.min(...done.map((d) => d.atMs));
const lastMs = Math.max(...done.map((d) => d.atMs));
console.log(
  JSON.stringify({
    workers,
    passed: done.every((d) => d.passed),
    // performance.now() counts from the start of this process.
    processToPoolMs: poolMs,
    importMs: poolMs - loadedMs,
    firstRunMs: firstMs - poolMs,
    allFirstRunsMs: lastMs - poolMs,
    firstRunSinceProcessStartMs: firstMs,
  }),
);
