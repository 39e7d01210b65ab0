/**
 * End to end: with --raft, the first run of each test is done twice and
 * fails where the two go different ways (issue 14, item 2), which catches a
 * peer whose state carries from one run into the next; --no-spot-check
 * turns it off, and it is off where it has no meaning.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { built, raftDstest, root } from './bin-helpers.js';
import { expectRefused } from './report-cli-helpers.js';

const fixture = (name: string) => join(root, 'tests', 'cli', 'fixtures', name);
const SPOT_CHECK_LINE = 'determinism spot-check on (--raft): the first run of each test is done twice and must repeat event for event (--no-spot-check to skip)';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-spot-check-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(built)('the determinism spot-check of a --raft module', () => {
  it('fails the first run of a test whose peer keeps state from run to run, and only that run', async () => {
    const out = join(dir, 'out');
    const { code, stdout } = await raftDstest(['--raft', fixture('module-state-raft.mjs'), 'TestInitialElection2A', '-n', '3', '-p', '1', '--seed', '4', '-o', out]);
    expect(code).toBe(1);
    expect(stdout).toContain(SPOT_CHECK_LINE);
    expect(stdout).toMatch(/^FAIL TestInitialElection2A #0 \(seed 4\): determinism check: the two runs of this seed diverge at event #\d+/m);
    expect(stdout).toContain('3/3 runs, 1 failed');
    const log = await readFile(join(out, 'TestInitialElection2A_0.log'), 'utf8');
    // The replay is run 0 again, so it checks again without a flag of its own.
    expect(log).toContain(`# replay: npx raft-dstest --raft ${fixture('module-state-raft.mjs')} TestInitialElection2A --seed 4 -n 1\n`);
    expect(log).toMatch(/# error: {3}second run: .*S0 save/);
  });

  it('is off with --no-spot-check, and for the reference Raft', async () => {
    const off = await raftDstest(['--raft', fixture('module-state-raft.mjs'), 'TestInitialElection2A', '-n', '3', '-p', '1', '--seed', '4', '--no-spot-check', '-o', join(dir, 'off')]);
    expect(off.code).toBe(0);
    expect(off.stdout).not.toContain('spot-check');
    const reference = await raftDstest(['TestInitialElection2A', '-n', '1', '-o', join(dir, 'reference')]);
    expect(reference.code).toBe(0);
    expect(reference.stdout).not.toContain('spot-check');
  });

  it('refuses --no-spot-check without --raft', async () => {
    const out = join(dir, 'never');
    expect(expectRefused(await raftDstest(['TestInitialElection2A', '--no-spot-check', '-o', out]), out)).toBe(
      'raft-dstest: --no-spot-check turns off the determinism spot-check of a --raft module and has no meaning without --raft\n',
    );
  });
});
