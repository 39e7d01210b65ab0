/**
 * End to end through the built command line: exec mode, --go with a fake
 * `go` first on PATH (Go need not be installed), and the faults of item 1
 * with fixture tests, through the fixture command line (fixtureBin).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logFileName } from '../../src/runner/logs.js';
import { shellWord } from '../../src/runner/shell-words.js';
import { bin, built, fakeGo, fixtureBin, raftDstest } from './bin-helpers.js';
import { tableRows } from './report-cli-helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-exec-bin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Failed and Total per test, from the table. */
const counts = (stdout: string) => tableRows(stdout).slice(1).map((row) => [row[0], Number(row[1]), Number(row[2])]);

describe.runIf(built)('raft-dstest --exec (built)', () => {
  it('stresses a flaky command: exit 1, two rows with some failures, a log per failed run', async () => {
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await raftDstest(['--exec', 'bash -c "exit $((RANDOM % 2))"', 'A', 'B', '-n', '20', '-p', '4', '-o', out]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const rows = counts(stdout);
    expect(rows.map((row) => row[0])).toEqual(['A', 'B']);
    for (const [, failed, total] of rows) {
      expect(total).toBe(20);
      // 1 to 19 of 20 fair coin flips fail, except about once in 500,000 runs of this test.
      expect(failed).toBeGreaterThanOrEqual(1);
      expect(failed).toBeLessThanOrEqual(19);
    }
    const failedRuns = rows.reduce((sum, row) => sum + Number(row[1]), 0);
    expect(await readdir(out)).toHaveLength(failedRuns);
  });

  // The sleeps outlast the test's own time limit: that the tool exits at all shows it ended them, however slow the machine.
  it('ends `sleep 1000` at --timeout 2s: both runs failed as timed out, long before the sleep would end', async () => {
    const out = join(dir, 'out');
    const { code, stdout } = await raftDstest(['--exec', 'sleep 1000', 'X', '-n', '2', '-p', '2', '--timeout', '2s', '-o', out]);
    expect(code).toBe(1);
    expect(counts(stdout)).toEqual([['X', 2, 2]]);
    expect(stdout.match(/FAIL X #\d \(seed \d+\): timed out after 2s/g)).toHaveLength(2);
    expect((await readdir(out)).sort()).toEqual(['X_0.log', 'X_1.log']);
  });

  it('substitutes {test}, {seed} and {k} as data, sets the environment, and keeps output with -a', async () => {
    const out = join(dir, 'out');
    const marker = join(dir, 'pwned');
    const evil = `a;touch ${marker}`;
    const { code, stderr } = await raftDstest(
      ['--exec', 'echo "{test} {seed} {k} $RAFT_DSTEST_TEST $RAFT_DSTEST_SEED w$RAFT_DSTEST_WORKER"; echo {test}; echo oops >&2', 'T1', evil, '-n', '2', '--seed', '40', '-a', '-o', out],
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const log = await readFile(join(out, 'T1_1.log'), 'utf8');
    expect(log).toContain('\nT1 41 1 T1 41 w0\nT1\n');
    expect(log).toContain('\noops\n');
    // Issue 11, item 1: the name was run as a second command.
    expect(existsSync(marker)).toBe(false);
    // Issue 11, item 2: its log's name has no '/' to climb out with.
    expect((await readdir(out)).sort()).toEqual([logFileName(evil, 0), logFileName(evil, 1), 'T1_0.log', 'T1_1.log'].sort());
  });

  // Issue 11, item 2: the log went to ../precious_0.log, overwriting it.
  it('keeps the log of a test named ../precious inside -o, and overwrites nothing', async () => {
    const out = join(dir, 'out');
    await writeFile(join(dir, 'precious_0.log'), 'precious');
    const { code } = await raftDstest(['--exec', 'exit 1', '../precious', '-n', '1', '-o', out]);
    expect(code).toBe(1);
    expect(await readFile(join(dir, 'precious_0.log'), 'utf8')).toBe('precious');
    expect(await readdir(out)).toEqual(['%2E%2E%2Fprecious_0.log']);
  });

  // Issue 11, item 3: pasting a replay line must run exactly that run, whatever the name and the command hold.
  it('writes replay lines that, pasted into a shell, run the same run again, to the same log', async () => {
    const names = ['-weird', `a;touch ${join(dir, 'pwned')} 'q'`];
    const command = `echo "{test} {seed}"; exit 1 # it's`;
    const out = join(dir, 'out');
    expect((await raftDstest(['--exec', command, '-n', '1', '--seed', '8', '-o', out, '--', ...names])).code).toBe(1);
    for (const name of names) {
      const log = await readFile(join(out, logFileName(name, 0)), 'utf8');
      const replay = /^# replay: (.*)$/m.exec(log)![1]!;
      // npx raft-dstest, here: the built command line, run in a directory of its own so that its reports/ is the only one.
      const cwd = await mkdtemp(join(dir, 'replay-'));
      const pasted = `npx() { shift; ${shellWord(process.execPath)} ${shellWord(bin)} "$@"; }; ${replay}`;
      const code = await new Promise<number | null>((done) => execFile('bash', ['-c', pasted], { cwd }, (error) => done(error === null ? 0 : (error.code as number))));
      expect(code, replay).toBe(1);
      const [stamp] = await readdir(join(cwd, 'reports'));
      expect(await readFile(join(cwd, 'reports', stamp!, logFileName(name, 0)), 'utf8'), replay).toBe(log);
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  // Issue 11, item 9: 200,000 lines of output crashed the tool in formatLogFile.
  it('keeps a log of 200,000 lines whole, with the reason at its end', async () => {
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await raftDstest(['--exec', 'seq 1 200000; exit 1', 'Big', '-n', '1', '--seed', '3', '-o', out]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toContain(`FAIL Big #0 (seed 3): exit code 1 — log: ${join(out, 'Big_0.log')}`);
    const lines = (await readFile(join(out, 'Big_0.log'), 'utf8')).split('\n');
    expect(lines.slice(0, 4)).toEqual(['# test: Big', '# seed: 3', "# replay: npx raft-dstest --exec 'seq 1 200000; exit 1' Big --seed 3 -n 1", '1']);
    expect(lines.slice(-3)).toEqual(['200000', '# error: exit code 1', '']);
    expect(lines).toHaveLength(3 + 200_000 + 2);
  });
});

describe.runIf(built)('raft-dstest --go (built, fake go on PATH)', () => {
  /** A `go` that lists TestA and TestB, fails TestB, and records every call. */
  const fakeGoAB = () =>
    fakeGo(dir, [
      'if [ "$1 $2" = "test -list" ]; then echo TestA; echo TestB; echo "ok  	6.824/raft	0.01s"; exit 0; fi',
      'echo "=== RUN   $RAFT_DSTEST_TEST"',
      'case "$3" in *TestB*) echo "--- FAIL: TestB"; exit 1;; esac',
      'echo PASS',
    ]);

  it("runs go test -run '^Name$' per run in the current directory, with -race under -r", async () => {
    const go = await fakeGoAB();
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await raftDstest(['--go', '-r', 'TestA', 'TestB', '-n', '2', '-o', out], { env: go.env, cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(counts(stdout)).toEqual([
      ['TestA', 0, 2],
      ['TestB', 2, 2],
    ]);
    const calls = await go.calls();
    expect(calls[0]).toBe('test -list .');
    expect(calls.filter((c) => c.startsWith('test -run')).sort()).toEqual([
      'test -run ^TestA$ -race',
      'test -run ^TestA$ -race',
      'test -run ^TestB$ -race',
      'test -run ^TestB$ -race',
    ]);
    expect(await readFile(join(out, 'TestB_0.log'), 'utf8')).toContain('\n=== RUN   TestB\n--- FAIL: TestB\n');
  });

  it('rejects a name go test -list does not list, with exit 2 and no runs', async () => {
    const go = await fakeGoAB();
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await raftDstest(['--go', 'TestC', '-o', out], { env: go.env, cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toBe('raft-dstest: no test that "go test -list ." lists matches "TestC" (did you mean TestA?)\n');
    expect(stdout).toBe('');
    expect(await go.calls()).toEqual(['test -list .']);
    expect(existsSync(out)).toBe(false);
  });

  it('says in one line that go is missing, and exits 2', async () => {
    // A PATH with nothing on it: node is started by its full path.
    const { code, stdout, stderr } = await raftDstest(['--go', 'TestA', '-o', join(dir, 'out')], { env: { PATH: join(dir, 'empty') }, cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toBe('raft-dstest: --go needs the go command, but "go" was not found on PATH\n');
    expect(stdout).toBe('');
  });
});

describe.runIf(built)('faulty lab runs through the command line (fixture tests)', () => {
  it('fails a hung run at --timeout and keeps the line it logged before hanging; the other runs pass', async () => {
    const out = join(dir, 'out');
    // Without the timeout the run would never end, and the test would fail at its own time limit.
    const { code, stdout } = await raftDstest(['FixtureHangSync', 'FixturePass', '-n', '2', '-p', '2', '--timeout', '1s', '--seed', '5', '-o', out], {
      bin: fixtureBin,
    });
    expect(code).toBe(1);
    // In registry order: the fixtures module lists FixturePass first.
    expect(counts(stdout)).toEqual([
      ['FixturePass', 0, 2],
      ['FixtureHangSync', 2, 2],
    ]);
    expect(stdout).toContain('FAIL FixtureHangSync #0 (seed 5): timed out after 1s');
    const log = await readFile(join(out, 'FixtureHangSync_0.log'), 'utf8');
    expect(log).toMatch(/^\d{6,} TEST fixture: started$/m);
    // Issue 11, item 10: why the run failed ends its log.
    expect(log).toMatch(/\n# error: timed out after 1s\n$/);
  });

  it('fails runs that exit or run out of memory (RAFT_DSTEST_HEAP_MB), keeping their logs', async () => {
    const out = join(dir, 'out');
    const { code, stdout } = await raftDstest(['FixtureExit', 'FixtureOom', 'FixturePass', '-n', '1', '--seed', '5', '-o', out], {
      bin: fixtureBin,
      env: { RAFT_DSTEST_HEAP_MB: '64' },
    });
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL FixtureExit #0 (seed 5): worker exited with code 3 (process.exit called during the run)');
    expect(stdout).toMatch(/FAIL FixtureOom #0 \(seed 5\): worker ran out of memory: /);
    expect(counts(stdout)).toEqual([
      ['FixturePass', 0, 1],
      ['FixtureExit', 1, 1],
      ['FixtureOom', 1, 1],
    ]);
    for (const file of ['FixtureExit_0.log', 'FixtureOom_0.log']) {
      expect(await readFile(join(out, file), 'utf8')).toMatch(/^\d{6,} TEST fixture: started$/m);
    }
    expect(await readFile(join(out, 'FixtureExit_0.log'), 'utf8')).toMatch(/\n# error: worker exited with code 3 \(process\.exit called during the run\)\n$/);
    expect(await readFile(join(out, 'FixtureOom_0.log'), 'utf8')).toMatch(/\n# error: worker ran out of memory: [^\n]+\n$/);
  });

  it('gives each run its worker slot as RAFT_DSTEST_WORKER', async () => {
    const out = join(dir, 'out');
    const { code } = await raftDstest(['FixtureWorkerEnv', '-n', '6', '-p', '3', '-a', '-o', out], { bin: fixtureBin });
    expect(code).toBe(0);
    const slots = new Set<string>();
    for (const file of (await readdir(out)).filter((name) => name.endsWith('.log'))) slots.add(/worker=(\S+)/.exec(await readFile(join(out, file), 'utf8'))![1]!);
    expect([...slots].every((slot) => ['0', '1', '2'].includes(slot))).toBe(true);
    expect(slots.size).toBeGreaterThanOrEqual(2);
  });
});
