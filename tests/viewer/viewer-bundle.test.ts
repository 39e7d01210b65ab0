/**
 * The viewer's script as `npm run build` bundles it (scripts/build-viewer.mjs):
 * it carries the licence notices of the npm packages bundled into it, since
 * every HTML report is a copy of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readViewerAssets } from '../../src/runner/viewer-assets.js';
import { root } from '../cli/bin-helpers.js';

const script = join(root, 'dist', 'viewer', 'timeline.js');
if (!existsSync(script)) console.warn('viewer bundle tests skipped: the viewer is not built; run npm run build (npm test does)');

function readJson(path: string): { version: string; license: string; devDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(path, 'utf8')) as { version: string; license: string; devDependencies?: Record<string, string> };
}

describe.runIf(existsSync(script))('the bundled viewer', () => {
  it('opens with one notice naming each d3 package it uses, its version and licence, and each licence text', async () => {
    const { script: text } = await readViewerAssets();
    expect(text.startsWith("/*!\nThe HTML report's viewer bundles these npm packages:\n")).toBe(true);
    const notice = text.slice(0, text.indexOf('*/') + 2);
    const direct = Object.keys(readJson(join(root, 'package.json')).devDependencies!).filter((name) => name.startsWith('d3-'));
    expect(direct.length).toBeGreaterThan(0);
    for (const name of direct) {
      const manifest = readJson(join(root, 'node_modules', name, 'package.json'));
      expect(notice).toContain(`\n  ${name} ${manifest.version} (${manifest.license})\n`);
      expect(notice).toContain(readFileSync(join(root, 'node_modules', name, 'LICENSE'), 'utf8').trim());
    }
    // The packages they pull in (d3-ease, under a BSD licence, comes with d3-zoom's transitions) have theirs too.
    const named = [...notice.matchAll(/^ {2}(\S+) \S+ \(\S+\)$/gm)].map((match) => match[1]!);
    expect(named.length).toBeGreaterThan(direct.length);
    for (const name of named) expect(notice).toContain(readFileSync(join(root, 'node_modules', name, 'LICENSE'), 'utf8').trim());
    expect(notice).not.toMatch(/<\/script/i);
  });
});
