/**
 * End to end: the built command line, as a user runs it (npm test builds
 * first). Stdout here is a pipe, as in CI.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bin, built, raftDstest, root } from './bin-helpers.js';
import { alive, waitFor } from '../runner/helpers.js';
import { hasEscapeCodes, hasSpinnerFrames } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-bin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(built)('bin/raft-dstest.js', () => {
  it('runs the 2A suite on two workers, passes, and prints a table of three tests each 0 failed of 3', async () => {
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await raftDstest(['2A', '-n', '3', '-p', '2', '-o', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^seed base: \d+\n/);
    const rows = stdout.split('\n').filter((line) => /^│ Test\w+/.test(line));
    expect(rows.map((row) => row.split('│').slice(1, 4).map((cell) => cell.trim()))).toEqual([
      ['TestInitialElection2A', '0', '3'],
      ['TestReElection2A', '0', '3'],
      ['TestManyElections2A', '0', '3'],
    ]);
    // In simulation every row has the wall time inside the Raft and a virtual time too: three mean ± stddev cells.
    for (const row of rows) expect(row.match(/\d+\.\d{2,3} ± \d+\.\d{2,3}/g)).toHaveLength(3);
    // A pipe gets no spinner frames and no colour.
    expect(hasEscapeCodes(stdout)).toBe(false);
    expect(hasSpinnerFrames(stdout)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects an unknown test with one line on stderr and exit code 2', async () => {
    const { code, stdout, stderr } = await raftDstest(['TestNoSuchTest', '-o', join(dir, 'out')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('raft-dstest: no test matches "TestNoSuchTest"; give test names (see --list), a part (2A, 2B, 2C, 2D), "all" or a regular expression\n');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('knows only the registry: the test-only fixture tests cannot be reached from the environment', async () => {
    const fixtures = join(root, 'tests', 'runner', 'fixtures', 'lab-fixtures.mjs');
    const { code, stderr } = await raftDstest(['FixturePass', '-n', '1', '-o', join(dir, 'out')], { env: { RAFT_DSTEST_EXTRA_TESTS: fixtures } });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^raft-dstest: no test matches "FixturePass"/);
  });

  it('writes byte-identical logs and timelines for one seed, twice', async () => {
    const [a, b] = [join(dir, 'A'), join(dir, 'B')];
    for (const out of [a, b]) {
      const { code } = await raftDstest(['TestInitialElection2A', '--seed', '42', '-n', '1', '-a', '-vv', '-o', out]);
      expect(code).toBe(0);
    }
    // -a keeps the passing run, and so replays it for its timeline.
    expect((await readdir(a)).sort()).toEqual(['TestInitialElection2A_0.log', 'TestInitialElection2A_0.timeline.json']);
    const [timelineA, timelineB] = await Promise.all([a, b].map((out) => readFile(join(out, 'TestInitialElection2A_0.timeline.json'), 'utf8')));
    expect(JSON.parse(timelineA!).rpcs.length).toBeGreaterThan(10);
    expect(timelineB).toBe(timelineA);
    const [logA, logB] = await Promise.all([readFile(join(a, 'TestInitialElection2A_0.log'), 'utf8'), readFile(join(b, 'TestInitialElection2A_0.log'), 'utf8')]);
    expect(logA.split('\n').slice(0, 3)).toEqual(['# test: TestInitialElection2A', '# seed: 42', '# replay: npx raft-dstest TestInitialElection2A --seed 42 -n 1 -vv']);
    expect(logA.split('\n').length).toBeGreaterThan(10);
    expect(logB).toBe(logA);
  });

  it('on SIGINT prints the partial table and exits 130', async () => {
    // Realtime runs take seconds, so the signal lands while the first one is going.
    const child = spawn(process.execPath, [bin, 'TestInitialElection2A', '--realtime', '-n', '5', '-p', '1', '-o', join(dir, 'out')], { cwd: root });
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!interrupted && stdout.includes('seed base:')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(code).toBe(130);
    expect(stdout).toMatch(/│ TestInitialElection2A +│ +0 │ +0 │ +- │/);
    expect(stdout).toContain('interrupted by SIGINT: 0/5 runs, 0 failed');
    expect(stdout).toContain('1 run cut off in flight (logs kept; counted neither passed nor failed), 4 runs not started');
  });

  // Issue 11, items 5 and 6: SIGTERM exited 143 with no table and no reports, the commands' process groups orphaned.
  it('on SIGTERM ends every command it started, keeps their output so far, prints the table, writes the report, and exits 143', async () => {
    const pids = join(dir, 'pids');
    const out = join(dir, 'out');
    const json = join(dir, 'report.json');
    const command = `echo started {k}; sleep 30 & echo $! >> ${pids}; wait`;
    const child = spawn(process.execPath, [bin, '--exec', command, 'X', '-n', '4', '-p', '2', '--seed', '0', '-o', out, '--json', json], { cwd: root });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    const sleeps = async () => (existsSync(pids) ? (await readFile(pids, 'utf8')).trim().split('\n').map(Number) : []);
    await waitFor(async () => (await sleeps()).length === 2, 'both commands to start');
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stdout).toMatch(/│ X +│ +0 │ +0 │/);
    expect(stdout).toContain('interrupted by SIGTERM: 0/4 runs, 0 failed');
    expect(stdout).toContain('2 runs cut off in flight (logs kept; counted neither passed nor failed), 2 runs not started');
    const report = JSON.parse(await readFile(json, 'utf8')) as { runs: unknown[]; interrupted: Array<{ k: number; log: string }> };
    expect(report.runs).toEqual([]);
    expect(report.interrupted.map((run) => run.k).sort()).toEqual([0, 1]);
    for (const run of report.interrupted) expect(await readFile(run.log, 'utf8')).toMatch(new RegExp(`\\nstarted ${run.k}\\n# interrupted: cut off by SIGTERM after `));
    const started = await sleeps();
    await waitFor(() => started.every((pid) => !alive(pid)), 'the sleeps to end');
  });
});
