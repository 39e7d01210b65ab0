/**
 * End to end: a whole Raft written from the skeleton `init` writes
 * (fixtures/student-raft.mjs) passes the suite saving through the skeleton's
 * StateEncoder, and the same Raft saving JSON.stringify of its whole state
 * makes the same saves, each holding the whole log: the saved bytes the -t
 * table and the JSON report show are what tells the two apart.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/runner/report-json.js';
import { built, raftDstest, root } from './bin-helpers.js';

const fixture = (name: string) => join(root, 'tests', 'cli', 'fixtures', name);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-student-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function savesPerRun(raft: string): Promise<Map<string, { saves: number | null; savedBytes: number | null }>> {
  const json = join(dir, `${raft}.json`);
  const tests = ['TestPersist12C', 'TestFigure82C', 'TestUnreliableChurn2C', 'TestSnapshotBasic2D'];
  const { code, stderr } = await raftDstest(['--raft', fixture(raft), ...tests, '-n', '1', '-p', '2', '--seed', '5', '--json', json, '-o', join(dir, raft)]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
  expect(report.runs.map((run) => [run.test, run.passed]).sort()).toEqual(tests.map((test) => [test, true]).sort());
  return new Map(report.runs.map((run) => [run.test, { saves: run.saves, savedBytes: run.savedBytes }]));
}

describe.runIf(built)('a student Raft written from the skeleton', () => {
  it("is read by strict mode through the skeleton's inspect(), as through one that copies its log: both pass, and a log matching bug is caught", async () => {
    const strict = (raft: string) => raftDstest(['--raft', fixture(raft), 'TestFigure8Unreliable2C', '-n', '2', '-p', '2', '--seed', '1', '-r', '-o', join(dir, raft)]);
    for (const raft of ['student-raft.mjs', 'student-copying-view-raft.mjs']) {
      const { code, stdout } = await strict(raft);
      expect(stdout, raft).toContain('2/2 runs, 0 failed');
      expect(code, raft).toBe(0);
    }
    const { code, stdout } = await strict('student-stale-tail-raft.mjs');
    expect(stdout).toMatch(/FAIL TestFigure8Unreliable2C #\d \(seed \d\): strict mode: log matching violated at/);
    expect(code).toBe(1);
  });

  it('passes 2C and 2D saving through StateEncoder, with the same saves as whole-state JSON and fewer bytes in them', async () => {
    const encoded = await savesPerRun('student-raft.mjs');
    const json = await savesPerRun('student-json-raft.mjs');
    for (const [test, run] of encoded) {
      // One seed, one run: the two Rafts differ only in the bytes of each save.
      expect(run.saves, test).toBeGreaterThan(10);
      expect(json.get(test)!.saves, test).toBe(run.saves);
      expect(json.get(test)!.savedBytes!, test).toBeGreaterThan(run.savedBytes!);
    }
  });
});
