/**
 * End to end: `--raft <module>` stresses a user's own Raft with the suite,
 * refuses a module it cannot use before any run starts, and runs the
 * skeleton that `init` writes.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../src/suite/registry.js';
import { built, raftDstest, root } from './bin-helpers.js';
import { expectRefused, tableRows } from './report-cli-helpers.js';

const fixture = (name: string) => join(root, 'tests', 'cli', 'fixtures', name);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-raft-module-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The table's test rows as [name, failed, total]. */
function results(stdout: string): string[][] {
  return tableRows(stdout)
    .filter((row) => row[0]?.startsWith('Test') && row[0] !== 'Test')
    .map((row) => [row[0]!, row[1]!, row[2]!]);
}

describe.runIf(built)('--raft', () => {
  it('passes every part, 2A to 2D, with the reference Raft taken through the public entry only', async () => {
    const { code, stdout, stderr } = await raftDstest(['--raft', fixture('wrapped-reference-raft.mjs'), 'all', '-n', '1', '-p', '2', '-o', join(dir, 'out')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const tests = REGISTRY;
    expect(tests).toHaveLength(27);
    expect(results(stdout)).toEqual(tests.map((test) => [test.name, '0', '1']));
  });

  it.each(['TestFigure8Unreliable2C', 'TestSnapshotInstallCrash2D'])('gives, through the public entry, the very log the built-in reference gives for a seed of %s', async (test) => {
    const args = [test, '--seed', '7', '-n', '1', '-a', '-vv'];
    const builtIn = await raftDstest([...args, '-o', join(dir, 'builtin')]);
    const wrapped = await raftDstest([...args, '--raft', fixture('wrapped-reference-raft.mjs'), '-o', join(dir, 'wrapped')]);
    expect([builtIn.code, wrapped.code]).toEqual([0, 0]);
    const body = async (out: string) => (await readFile(join(dir, out, `${test}_0.log`), 'utf8')).split('\n').slice(3);
    const [a, b] = [await body('builtin'), await body('wrapped')];
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
  });

  it('fails the runs of a Raft that never elects, and its logs replay with --raft', async () => {
    const module = fixture('leaderless-raft.mjs');
    const out = join(dir, 'out');
    const { code, stdout } = await raftDstest(['--raft', module, 'TestInitialElection2A', '-n', '2', '--seed', '5', '-o', out]);
    expect(code).toBe(1);
    expect(stdout).toContain('expected one leader, got none');
    expect((await readdir(out)).sort()).toEqual([
      'TestInitialElection2A_0.log',
      'TestInitialElection2A_0.timeline.json',
      'TestInitialElection2A_1.log',
      'TestInitialElection2A_1.timeline.json',
    ]);
    const log = await readFile(join(out, 'TestInitialElection2A_1.log'), 'utf8');
    expect(log).toContain(`# replay: npx raft-dstest --raft ${module} TestInitialElection2A --seed 6 -n 1\n`);
  });

  it('fails only the runs in which a peer throws, with the stack in their logs, and the pool carries on', async () => {
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await raftDstest(['--raft', fixture('throwing-timer-raft.mjs'), '2A', '-n', '2', '-p', '2', '--seed', '3', '-o', out]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    // The bug bites three-peer clusters only; TestManyElections2A has seven.
    expect(results(stdout)).toEqual([
      ['TestInitialElection2A', '2', '2'],
      ['TestReElection2A', '2', '2'],
      ['TestManyElections2A', '0', '2'],
    ]);
    const logs = (await readdir(out)).filter((file) => file.endsWith('.log'));
    expect(logs.sort()).toEqual(['TestInitialElection2A_0.log', 'TestInitialElection2A_1.log', 'TestReElection2A_0.log', 'TestReElection2A_1.log']);
    const log = await readFile(join(out, 'TestReElection2A_1.log'), 'utf8');
    // One virtual second in: the fixture's BUG_AFTER_MS.
    expect(log).toMatch(/\n010000 TEST {5}TypeError: fixture bug: a timer callback threw\n010000 TEST {9}at [^\n]*fixtureTimerBug [^\n]*throwing-timer-raft\.mjs:\d+:\d+\)\n/);
    expect(log).toMatch(/--- FAIL: TestReElection2A \(1\.00s\)\n# saves: \d+ saves?, .+ in all\n# error: TypeError: fixture bug: a timer callback threw\n/);
  });

  // Issue 14, item 2: a fresh worker thread loads the module before any run; the traps must already be there.
  it('fails a run that draws from a Math.random its module kept aside as it loaded', async () => {
    const { code, stdout } = await raftDstest(['--raft', fixture('kept-random-raft.mjs'), 'TestInitialElection2A', '-n', '1', '-p', '1', '--no-spot-check', '-o', join(dir, 'out')]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL TestInitialElection2A #0 \(seed \d+\): OutsideSimulationError: Math\.random was called during a simulated run/m);
  });

  // Issue 14, item 5: a TypeScript Raft compiled to CommonJS was refused, naming nothing it found.
  it("takes tsc's CommonJS export default, and names what a module exports when it has no make()", async () => {
    const out = join(dir, 'out');
    const commonjs = await raftDstest(['--raft', fixture('commonjs-default-raft.cjs'), 'TestInitialElection2A', '-n', '1', '--no-spot-check', '-o', out]);
    expect(commonjs.stderr).toBe('');
    expect(commonjs.code).toBe(1);
    expect(commonjs.stdout).toMatch(/^FAIL TestInitialElection2A #0 \(seed \d+\): expected one leader, got none/m);
    const misnamed = fixture('commonjs-misnamed-raft.cjs');
    const never = join(dir, 'never');
    expect(expectRefused(await raftDstest(['--raft', misnamed, '2A', '-o', never]), never)).toBe(
      `raft-dstest: --raft module "${misnamed}" exports no make(options) function (it exports Raft, default.Raft, default.default.makeRaft); it must implement the lab interface (make, start, getState, kill, handlers)\n`,
    );
  });

  // Issue 11, item 7: the first ended the tool silently with exit code 3, the second hung it for good.
  it('refuses, in one line with exit 2, a module that ends the process as it loads or whose make() never returns (--timeout)', async () => {
    const out = join(dir, 'out');
    const exits = fixture('exit-on-load-raft.mjs');
    expect(expectRefused(await raftDstest(['--raft', exits, '2A', '-o', out]), out)).toBe(
      `raft-dstest: --raft module "${exits}" ended its thread (process.exit(3)) while loading or in make(); a peer must never end the process\n`,
    );
    const spins = fixture('spinning-make-raft.mjs');
    expect(expectRefused(await raftDstest(['--raft', spins, '2A', '--timeout', '1s', '-o', out]), out)).toBe(
      `raft-dstest: --raft module "${spins}" did not finish loading and make() within 1s; a peer must return from make() at once and do its work in timers and callbacks\n`,
    );
  });

});

describe.runIf(built)('init, then --raft on the skeleton', () => {
  it('writes a peer that runs and fails the tests honestly (exit 1), without crashing the runner', async () => {
    const mine = join(dir, 'mine');
    const made = await raftDstest(['init', mine]);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toContain(`next: npx raft-dstest 2A -n 10 --raft ${mine}/raft.mjs\n`);

    const out = join(dir, 'out');
    const { code, stdout, stderr } = await raftDstest(['2A', '-n', '1', '--raft', join(mine, 'raft.mjs'), '-o', out]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(results(stdout)).toEqual([
      ['TestInitialElection2A', '1', '1'],
      ['TestReElection2A', '1', '1'],
      ['TestManyElections2A', '1', '1'],
    ]);
    expect(stdout.match(/: expected one leader, got none — log: /g)).toHaveLength(3);
  });
});
