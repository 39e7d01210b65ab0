/**
 * End to end: `--raft <module>` stresses a user's own Raft with the suite.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { built, raftDstest, root } from './bin-helpers.js';
import { tableRows } from './report-cli-helpers.js';

const fixture = (name: string) => join(root, 'tests', 'cli', 'fixtures', name);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-raft-module-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(built)('--raft', () => {
  it('runs the suite against a user module, which passes as the reference does', async () => {
    const { code, stdout, stderr } = await raftDstest(['--raft', fixture('wrapped-reference-raft.mjs'), '2A', '-n', '2', '-p', '2', '-o', join(dir, 'out')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = tableRows(stdout).filter((row) => row[0]?.startsWith('Test') && row[0] !== 'Test');
    expect(rows.map((row) => [row[0], row[1], row[2]])).toEqual([
      ['TestInitialElection2A', '0', '2'],
      ['TestReElection2A', '0', '2'],
      ['TestManyElections2A', '0', '2'],
    ]);
  });

  it('fails the runs of a Raft that never elects, and its logs replay with --raft', async () => {
    const module = fixture('leaderless-raft.mjs');
    const out = join(dir, 'out');
    const { code, stdout } = await raftDstest(['--raft', module, 'TestInitialElection2A', '-n', '2', '--seed', '5', '-o', out]);
    expect(code).toBe(1);
    expect(stdout).toContain('expected one leader, got none');
    expect((await readdir(out)).sort()).toEqual(['TestInitialElection2A_0.log', 'TestInitialElection2A_1.log']);
    const log = await readFile(join(out, 'TestInitialElection2A_1.log'), 'utf8');
    expect(log).toContain(`# replay: npx raft-dstest --raft '${module}' TestInitialElection2A --seed 6 -n 1\n`);
  });

  it('refuses a module without make(options) in one line, exit 2, before any run', async () => {
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await raftDstest(['--raft', fixture('no-make.mjs'), '2A', '-o', out]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('exports no make(options) function');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a module that cannot be loaded, naming the path', async () => {
    const { code, stderr } = await raftDstest(['--raft', join(dir, 'missing.mjs'), '2A', '-o', join(dir, 'out')]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`cannot load --raft module "${join(dir, 'missing.mjs')}"`);
  });

  it('has no meaning with --exec', async () => {
    const { code, stderr } = await raftDstest(['--raft', fixture('no-make.mjs'), '--exec', 'true', 'X']);
    expect(code).toBe(2);
    expect(stderr).toBe('raft-dstest: --raft has no meaning with --exec or --go: the command is the test\n');
  });
});
