/**
 * End to end: -r and --check-determinism reach the runs in the worker threads.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { built, raftDstest, root } from './bin-helpers.js';
import { tableRows } from './report-cli-helpers.js';

const votesTwice = join(root, 'tests', 'cli', 'fixtures', 'strict', 'votes-twice-raft.mjs');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-strict-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(built)('strict mode through the bin', () => {
  it('passes the reference Raft with -r and --check-determinism, and says so first', async () => {
    const { code, stdout } = await raftDstest(['2A', '-n', '2', '-p', '2', '-r', '--check-determinism', '--seed', '1', '-o', join(dir, 'out')]);
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(1, 3)).toEqual([
      'strict mode on (-r): Raft invariants are checked after every event',
      'determinism check on: each run is done twice with its seed and must repeat event for event',
    ]);
  });

  it('catches a double-voting Raft that the plain runs pass, and keeps logs that replay with -r', async () => {
    const args = ['--raft', votesTwice, 'TestManyElections2A', '-n', '20', '-p', '2', '--seed', '0'];
    const plain = await raftDstest([...args, '-o', join(dir, 'plain')]);
    expect(plain.code).toBe(0);

    const out = join(dir, 'strict');
    const strict = await raftDstest([...args, '-r', '-o', out]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/strict mode: one vote per term violated at \d+\.\d{4}s: S\d voted for S\d in term \d+, then for S\d in the same term/);
    const failed = Number(tableRows(strict.stdout).find((row) => row[0] === 'TestManyElections2A')![1]);
    expect(failed).toBeGreaterThan(0);
    const files = await readdir(out);
    const logs = files.filter((file) => file.endsWith('.log'));
    expect(logs).toHaveLength(failed);
    // Each failing run was replayed for its timeline, which ends where the run failed.
    expect(files.filter((file) => file.endsWith('.timeline.json'))).toHaveLength(failed);
    const timeline = JSON.parse(await readFile(join(out, logs[0]!.replace(/\.log$/, '.timeline.json')), 'utf8'));
    expect(timeline.failure.message).toMatch(/^strict mode: [a-z ]+ violated at \d+\.\d{4}s: /);
    const log = await readFile(join(out, logs[0]!), 'utf8');
    expect(log).toMatch(/^# replay: npx raft-dstest --raft \S*votes-twice-raft\.mjs TestManyElections2A --seed \d+ -n 1 -r$/m);
    // Why it failed is the log's last word (issue 11, item 10).
    expect(log).toMatch(/\n# error: strict mode: [^\n]+ violated at [^\n]*\n(# error: [^\n]*\n)*$/);
  });
});
