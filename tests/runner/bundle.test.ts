import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKER } from '../../src/runner/pool.js';

const root = new URL('../../', import.meta.url);
const publicEntry = new URL('dist/bundle/index.js', root);

/** The files a built module imports by a relative path. */
function relativeImports(file: URL): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.\/[^"]+)"/gm)].map((match) => match[1]!);
}

// npm test builds first (scripts/build-bundle.mjs).
describe.runIf(existsSync(DEFAULT_WORKER) && existsSync(publicEntry))('the bundled worker and public entry (built)', () => {
  it('is what the package exports, with every name the separate modules export', async () => {
    const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { main: string; exports: { '.': { import: string } } };
    expect(manifest.exports['.'].import).toBe('./dist/bundle/index.js');
    expect(manifest.main).toBe('dist/bundle/index.js');
    const bundled = Object.keys(await import(publicEntry.href)).sort();
    expect(bundled).toEqual(Object.keys(await import(new URL('dist/index.js', root).href)).sort());
    expect(bundled).toContain('reference');
  });

  it('shares its code with the worker, so a --raft module importing the package gets the modules its thread runs', () => {
    const shared = relativeImports(publicEntry);
    expect(shared.length).toBeGreaterThan(0);
    expect(relativeImports(DEFAULT_WORKER)).toEqual(expect.arrayContaining(shared));
  });
});
