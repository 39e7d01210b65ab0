/**
 * End to end: --go as a Go lab user switching from dstest.py meets it
 * (issue 14, items 6-12), with a fake `go` first on PATH (Go need not be
 * installed): arguments select from `go test -list .` as they do from the
 * suite, -v sets VERBOSE, the environment passes through untouched, a
 * package that does not build shows the compiler's lines, -r says the race
 * detector is on, a failure is reported in Go's words, and -p defaults to
 * the machine's available parallelism.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/runner/report-json.js';
import { built, fakeGo, raftDstest } from './bin-helpers.js';
import { tableRows } from './report-cli-helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-go-bin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A `go` that lists four lab tests (or fails to build with FAKE_GO_BROKEN), fails TestReElection2A as Go does, and records every call. */
const labGo = () =>
  fakeGo(dir, [
    'if [ "$1 $2" = "test -list" ]; then',
    '  if [ -n "$FAKE_GO_BROKEN" ]; then',
    "    printf '# 6.824/raft [6.824/raft.test]\\n./raft.go:12:2: undefined: votedFor\\n./raft.go:40:1: missing return\\nFAIL\\t6.824/raft [build failed]\\n'; exit 2",
    '  fi',
    "  printf 'TestInitialElection2A\\nTestReElection2A\\nTestBasicAgree2B\\nTestFigure8Unreliable2C\\nok  \\t6.824/raft\\t0.01s\\n'; exit 0",
    'fi',
    'echo "VERBOSE=${VERBOSE-unset} RAFT_LOG=${RAFT_LOG-unset}"',
    'case "$3" in *TestReElection2A*)',
    "  printf -- '--- FAIL: TestReElection2A (4.53s)\\n    config.go:362: expected one leader, got none\\nFAIL\\nexit status 1\\nFAIL\\t6.824/raft\\t4.535s\\n'; exit 1;;",
    'esac',
    'echo PASS',
  ]);

describe.runIf(built)('--go for a dstest.py user', () => {
  it('selects a part from go test -list, sets VERBOSE with -v, passes RAFT_LOG through, and reports a failure in Go\'s words', async () => {
    const go = await labGo();
    const out = join(dir, 'out');
    const json = join(dir, 'report.json');
    const { code, stdout, stderr } = await raftDstest(['--go', '2A', '-n', '1', '-p', '1', '-v', '-a', '--json', json, '-o', out], {
      env: { ...go.env, RAFT_LOG: '1' },
      cwd: dir,
    });
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(tableRows(stdout).slice(1).map((row) => [row[0], row[1], row[2]])).toEqual([
      ['TestInitialElection2A', '0', '1'],
      ['TestReElection2A', '1', '1'],
    ]);
    expect(stdout).toContain('verbosity level 1: each command runs with VERBOSE=1\n');
    expect(stdout).toMatch(/^FAIL TestReElection2A #0 \(seed \d+\): config\.go:362: expected one leader, got none/m);
    expect((await go.calls()).filter((call) => call.startsWith('test -run')).sort()).toEqual(['test -run ^TestInitialElection2A$', 'test -run ^TestReElection2A$']);
    expect(await readFile(join(out, 'TestInitialElection2A_0.log'), 'utf8')).toContain('\nVERBOSE=1 RAFT_LOG=1\n');
    const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
    expect(report.runs.find((run) => run.test === 'TestReElection2A')!.error).toBe('config.go:362: expected one leader, got none\nexit code 1');
  });

  it('selects by regular expression and all, says the race detector is on, sets no VERBOSE without -v, and defaults -p to the cores', async () => {
    const go = await labGo();
    const out = join(dir, 'out');
    const { code, stdout } = await raftDstest(['--go', '-r', 'Figure8', '-n', '1', '-a', '-o', out], { env: go.env, cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain('race detector on (-r): each run is go test -race\n');
    expect(stdout).toContain(`workers: ${Math.min(256, availableParallelism())}, the machine's available parallelism (-p to choose)\n`);
    expect(stdout).not.toContain('verbosity');
    expect(tableRows(stdout).slice(1).map((row) => row[0])).toEqual(['TestFigure8Unreliable2C']);
    expect(await readFile(join(out, 'TestFigure8Unreliable2C_0.log'), 'utf8')).toContain('\nVERBOSE=unset RAFT_LOG=unset\n');
    const all = await raftDstest(['--go', 'all', '-n', '1', '-p', '2', '-o', join(dir, 'all')], { env: go.env, cwd: dir });
    expect(all.stdout).not.toContain('workers:');
    expect(tableRows(all.stdout).slice(1).map((row) => row[0])).toEqual(['TestInitialElection2A', 'TestReElection2A', 'TestBasicAgree2B', 'TestFigure8Unreliable2C']);
  });

  it("shows the compiler's lines for a package that does not build, and names an argument that selects nothing", async () => {
    const go = await labGo();
    const broken = await raftDstest(['--go', '2A', '-o', join(dir, 'out')], { env: { ...go.env, FAKE_GO_BROKEN: '1' }, cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toBe(
      `raft-dstest: --go: "go test -list ." failed in ${dir}:\n  # 6.824/raft [6.824/raft.test]\n  ./raft.go:12:2: undefined: votedFor\n  ./raft.go:40:1: missing return\n`,
    );
    const none = await raftDstest(['--go', '2E', '-o', join(dir, 'out')], { env: go.env, cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('raft-dstest: no test that "go test -list ." lists matches "2E" (did you mean 2A?)\n');
  });
});
