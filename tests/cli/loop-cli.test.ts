import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalSource } from '../../src/cli/stress-command.js';
import type { JsonReport } from '../../src/runner/report-json.js';
import { runCli, tableRows } from './report-cli-helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-loop-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('-l/--loop', () => {
  it('runs round after round, growing by -g, with fresh seeds, a table each, failing rounds included, until Ctrl-C (exit 130)', async () => {
    const signals = new EventEmitter();
    const out = join(root, 'out');
    const json = join(root, 'loop.json');
    let started = 0;
    const { code, stdout, pool } = await runCli(
      ['TestReElection2A', '-n', '1', '-p', '1', '-g', '3', '-l', '--seed', '50', '-o', out, '--json', json],
      (task) => {
        started += 1;
        // Round 3 (9 runs) is interrupted while its 3rd run is in flight, which is cut off.
        if (started === 1 + 3 + 3) signals.emit('SIGINT');
        return { passed: task.k !== 2 };
      },
      { signals: signals as SignalSource },
    );
    expect(code).toBe(130);
    expect(pool.started.map((t) => t.seed)).toEqual([50, 51, 52, 53, 54, 55, 56]);
    expect(pool.started.map((t) => t.k)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(stdout).toContain('round 1: 1 iterations; runs 0–0 of each test\n');
    expect(stdout).toContain('round 2: 3 iterations; runs 1–3 of each test\n');
    expect(stdout).toContain('round 3: 9 iterations; runs 4–12 of each test\n');
    // One table per round, each with that round's counts: a failing round does not stop the loop.
    expect(tableRows(stdout).filter((row) => row[0] === 'TestReElection2A').map((row) => [row[1], row[2]])).toEqual([
      ['0', '1'],
      ['1', '3'],
      ['0', '2'],
    ]);
    expect(stdout).toContain('interrupted by SIGINT: 2/9 runs, 0 failed');
    expect((await readdir(out)).sort()).toEqual(['TestReElection2A_2.log', 'TestReElection2A_6.log']);
    // The report holds every round's runs, and the one cut off apart.
    const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
    expect(report.runs.map((r) => r.seed)).toEqual([50, 51, 52, 53, 54, 55]);
    expect(report.interrupted.map((r) => r.seed)).toEqual([56]);
    expect(report.tests[0]).toMatchObject({ runs: 6, failed: 1 });
  });

  it('stops after the round in which -x/--max-failures was reached, exiting 1', async () => {
    const { code, pool, stdout } = await runCli(['TestReElection2A', '-n', '2', '-p', '1', '-l', '-x', '1', '--seed', '0', '-o', root], (task) => ({ passed: task.k !== 3 }));
    expect(code).toBe(1);
    // Round 1 (k 0–1) passes, round 2 (k 2–21) stops starting runs after k 3 fails.
    expect(pool.started.map((t) => t.k)).toEqual([0, 1, 2, 3]);
    expect(stdout).not.toContain('round 3');
  });

  it('does not loop without -l', async () => {
    const { pool, stdout } = await runCli(['TestReElection2A', '-n', '2', '-g', '5', '-o', root]);
    expect(pool.started).toHaveLength(2);
    expect(stdout).not.toContain('round');
  });
});
