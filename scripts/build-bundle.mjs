// Bundles what a worker thread loads, the package's public entry and the
// command line into dist/bundle: a module graph of ~60 files costs a starting
// thread more to resolve and link than it costs to run a whole short test,
// and every one of -p 4's threads loads it. The entries share their code
// through chunks, so a --raft module that imports the public entry
// ('raft-dstest') gets the very modules its worker thread already runs, not
// a second copy of them. Run after tsc: the input is dist/, its output.
// Every path a module builds from import.meta.url climbs to the project's
// root first ('../../dist/...'), so it holds from dist/bundle as from dist/<dir>.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunks are named by their hash: the last build's must not linger beside the new ones.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { worker: 'dist/runner/worker.js', index: 'dist/index.js', cli: 'dist/cli/main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The dependencies stay where npm put them; only the project's own files are joined.
  packages: 'external',
  sourcemap: true,
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});
