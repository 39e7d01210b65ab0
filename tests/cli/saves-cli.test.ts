/**
 * What the command line says about a Raft's saves: each kept log ends with
 * how many saves its run made and the bytes they held, -t adds them to the
 * table per test, and a run whose saving took most of its wall time gets a
 * hint, in its log and once per test on the terminal.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatBytes, savingHint } from '../../src/runner/save-report.js';
import { runCli, tableRows } from './report-cli-helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-saves-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('savingHint', () => {
  it('speaks when saving took at least half of a run and half a second, and names the fix', () => {
    const hint = savingHint({ wallMs: 44_000, saves: { count: 14_022, bytes: 1.16 * 1024 ** 3, ms: 40_100 } });
    expect(hint).toBe(
      "saving state took up to 40.1 s of this run's 44.0 s (14022 saves, 1.16 GB in all); a save that encodes the whole state costs more as the log grows, on every save: " +
        "encode only what changed since the last save (as StateEncoder does in the skeleton 'raft-dstest init' writes), and profile with --cpu-prof <dir>",
    );
    expect(savingHint({ wallMs: 44_000, saves: { count: 9, bytes: 90, ms: 21_000 } })).toBeUndefined();
    expect(savingHint({ wallMs: 800, saves: { count: 9, bytes: 90, ms: 499 } })).toBeUndefined();
    expect(savingHint({ wallMs: 800 })).toBeUndefined();
  });

  it('writes sizes in powers of 1024', () => {
    expect([0, 1, 1023, 1024, 1536, 27.2 * 1024 ** 2, 3 * 1024 ** 4].map(formatBytes)).toEqual(['0 bytes', '1 byte', '1023 bytes', '1.00 KB', '1.50 KB', '27.2 MB', '3.00 TB']);
  });
});

describe('saves on the command line', () => {
  it('end each kept log, and with -t fill the Saves and Saved columns', async () => {
    const out = join(root, 'out');
    const { code, stdout } = await runCli(['TestReElection2A', 'TestBasicAgree2B', '-n', '2', '--seed', '10', '-a', '-t', '-o', out], (task) => ({
      raftMs: 4,
      saves: { count: 10 * (task.k + 1), bytes: 2048 * (task.k + 1), ms: 0 },
    }));
    expect(code).toBe(0);
    const rows = tableRows(stdout);
    expect(rows[0]).toEqual(['Test', 'Failed', 'Total', 'Time', 'Min', 'p50', 'p95', 'Max', 'In Raft', 'Saves', 'Saved', 'Sim time']);
    expect(rows[1]!.slice(9, 11)).toEqual(['15', '3.00 KB']);
    expect((await readFile(join(out, 'TestReElection2A_1.log'), 'utf8')).endsWith('# saves: 20 saves, 4.00 KB in all\n')).toBe(true);
    // Without -t the table keeps its usual columns.
    expect(tableRows((await runCli(['TestReElection2A', '-n', '1', '-o', out])).stdout)[0]).not.toContain('Saves');
  });

  it('hint once per test when saving dominated a run, and say so in its log before the error', async () => {
    const out = join(root, 'out');
    const { code, stdout } = await runCli(['TestReElection2A', 'TestBasicAgree2B', '-n', '3', '--seed', '10', '-o', out], (task) =>
      task.test === 'TestBasicAgree2B'
        ? { saves: { count: 3, bytes: 30, ms: 1 } }
        : { wallMs: 3000, saves: { count: 900, bytes: 5 * 1024 ** 2, ms: 2500 }, ...(task.k === 1 ? { passed: false, error: 'one(101) failed to reach agreement' } : {}) },
    );
    expect(code).toBe(1);
    const hints = stdout.split('\n').filter((line) => line.startsWith('hint: '));
    expect(hints).toEqual([`hint: TestReElection2A #0 (seed 10): ${savingHint({ wallMs: 3000, saves: { count: 900, bytes: 5 * 1024 ** 2, ms: 2500 } })}`]);
    const log = (await readFile(join(out, 'TestReElection2A_1.log'), 'utf8')).split('\n');
    expect(log.slice(-5)).toEqual([
      '000000 TEST run TestReElection2A 1',
      '# saves: 900 saves, 5.00 MB in all',
      expect.stringMatching(/^# hint: saving state took up to 2\.5 s of this run's 3\.0 s/),
      '# error: one(101) failed to reach agreement',
      '',
    ]);
  });
});
