// Worker start-up: how long after this process started the first run's
// result arrives at -p 4, two ways. Prints one JSON line.
//
// By default on the pool alone, as the runner uses it: four runs go out at
// once, one per worker, and each worker has to start its thread and load the
// suite before it can run. `--via cli` goes through the command line instead,
// as bin/raft-dstest.js does (TestInitialElection2A -n 4 -p 4, output
// discarded): its modules load and the arguments are parsed before the pool
// is made, and the figures are read off the pool's piscina, which the
// command line shares with this script, so nothing else is loaded to measure.
//
//   node bench/perf/startup.mjs --root <project> [--workers 4] [--via pool|cli]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { root: { type: 'string' }, workers: { type: 'string', default: '4' }, via: { type: 'string', default: 'pool' } } });
const root = resolve(values.root ?? '.');
const workers = Number(values.workers);
const moduleUrl = (path) => pathToFileURL(join(root, path)).href;

async function viaPool() {
  const loadedMs = performance.now();
  const { createPool } = await import(moduleUrl('dist/runner/pool.js'));

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
  return {
    passed: done.every((d) => d.passed),
    // performance.now() counts from the start of this process.
    processToPoolMs: poolMs,
    importMs: poolMs - loadedMs,
    firstRunMs: firstMs - poolMs,
    allFirstRunsMs: lastMs - poolMs,
    firstRunSinceProcessStartMs: firstMs,
  };
}

async function viaCli() {
  // The piscina the command line imports: the same file, so the same class.
  const piscinaPath = createRequire(join(root, 'package.json')).resolve('piscina');
  const loaded = await import(pathToFileURL(piscinaPath).href);
  const Piscina = loaded.Piscina ?? loaded.default.Piscina ?? loaded.default;
  const handedOver = [];
  const finished = [];
  const run = Piscina.prototype.run;
  Piscina.prototype.run = function (...args) {
    handedOver.push(performance.now());
    return run.apply(this, args).then((result) => {
      finished.push(performance.now());
      return result;
    });
  };
  const startedMs = performance.now();
  // The bundle the bin runs, or the modules tsc wrote in builds without one.
  const bundled = existsSync(join(root, 'dist/bundle/cli.js'));
  const { main } = await import(moduleUrl(bundled ? 'dist/bundle/cli.js' : 'dist/cli/main.js'));
  const cliLoadedMs = performance.now();
  const out = mkdtempSync(join(tmpdir(), 'raft-dstest-startup-'));
  const discard = { write: (_chunk, ...rest) => (rest.find((arg) => typeof arg === 'function')?.(), true) };
  try {
    const code = await main(['TestInitialElection2A', '-n', String(workers), '-p', String(workers), '--seed', '1000', '-o', join(out, 'reports')], { stdout: discard, stderr: discard });
    const doneMs = performance.now();
    return {
      passed: code === 0 && finished.length === workers,
      cliImportMs: cliLoadedMs - startedMs,
      firstHandoverSinceProcessStartMs: handedOver[0],
      firstRunSinceProcessStartMs: Math.min(...finished),
      allFirstRunsSinceProcessStartMs: Math.max(...finished),
      commandSinceProcessStartMs: doneMs,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (values.via !== 'pool' && values.via !== 'cli') {
  console.error('startup: --via is pool or cli');
  process.exit(2);
}
const figures = values.via === 'cli' ? await viaCli() : await viaPool();
console.log(JSON.stringify({ workers, via: values.via, ...figures }));
