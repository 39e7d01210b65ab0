// Bundles what a worker thread loads, and the package's public entry, into
// dist/bundle: one module graph of ~60 files costs a starting thread more to
// resolve and link than it costs to run a whole short test, and every one of
// -p 4's threads loads it at the same moment. The two entries share their
// code through chunks, so a --raft module that imports the public entry
// ('raft-dstest') gets the very modules its worker thread already runs, not
// a second copy of them. Run after tsc: the input is dist/, its output.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunks are named by their hash: the last build's must not linger beside the new ones.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { worker: 'dist/runner/worker.js', index: 'dist/index.js' },
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
