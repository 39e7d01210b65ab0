import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { built, raftDstest } from './bin-helpers.js';

const register = new URL('./fixtures/module-log/register.mjs', import.meta.url);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-lazy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The packages under node_modules that a command line loaded, on any of its threads. */
async function packagesLoaded(args: string[]): Promise<Set<string>> {
  const log = join(dir, 'modules');
  const { code, stderr } = await raftDstest([...args, '-o', join(dir, 'out')], { env: { NODE_OPTIONS: `--import ${register.href}`, MODULE_LOG: log } });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const urls = (await readFile(log, 'utf8')).trim().split('\n');
  return new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));
}

describe.runIf(built)('what the command line loads', () => {
  it('leaves execa and ora alone for lab runs off a terminal: only --exec, --go and a spinner need them', async () => {
    const lab = await packagesLoaded(['TestInitialElection2A', '-n', '2', '-p', '2', '--seed', '1']);
    expect(lab).toContain('piscina');
    expect(lab).not.toContain('execa');
    expect(lab).not.toContain('ora');
    expect(await packagesLoaded(['--exec', 'true', 'TestA', '-n', '1', '-p', '1', '--seed', '1'])).toContain('execa');
  });
});
