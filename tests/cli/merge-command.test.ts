import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildReport, formatJsonReport, type RunRecord } from '../../src/runner/report-json.js';
import { elementsNamed, parseXml } from '../runner/report-xml-check.js';
import { runCli, tableRows } from './report-cli-helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-merge-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function run(test: string, k: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return { test, k, seed: 100 + k, passed: true, wallMs: 10, simMs: 3000, raftMs: 2, saves: 4, savedBytes: 120, error: null, log: null, ...overrides };
}

async function reportFile(name: string, runs: RunRecord[], seed = 100): Promise<string> {
  const path = join(root, name);
  const header = { seed, mode: 'sim' as const, workers: 1, startedAt: '2025-06-07T08:09:10.000Z', wallMs: 5 };
  await writeFile(path, formatJsonReport(buildReport(header, ['TestReElection2A', 'TestBasicAgree2B'], runs)));
  return path;
}

describe('raft-dstest merge', () => {
  it('prints one table of every shard\'s runs and exits 0 when all passed', async () => {
    const a = await reportFile('a.json', [run('TestReElection2A', 0), run('TestBasicAgree2B', 0)]);
    const b = await reportFile('b.json', [run('TestReElection2A', 1), run('TestBasicAgree2B', 1)]);
    const { code, stdout, stderr } = await runCli(['merge', a, b]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(tableRows(stdout).map((row) => row.slice(0, 3))).toEqual([
      ['Test', 'Failed', 'Total'],
      ['TestReElection2A', '0', '2'],
      ['TestBasicAgree2B', '0', '2'],
    ]);
    expect(stdout).toContain('4 runs from 2 reports, 0 failed\n');
  });

  it('exits 1 when a run failed, and writes the merged JSON and JUnit', async () => {
    const a = await reportFile('a.json', [run('TestReElection2A', 0, { passed: false, error: 'no leader', log: 'x/TestReElection2A_0.log' })]);
    const b = await reportFile('b.json', [run('TestReElection2A', 1)]);
    const json = join(root, 'out', 'merged.json');
    const junit = join(root, 'out', 'merged.xml');
    const { code } = await runCli(['merge', a, b, '--json', json, '--junit', junit]);
    expect(code).toBe(1);
    const merged = JSON.parse(await readFile(json, 'utf8')) as ReturnType<typeof buildReport>;
    expect(merged.runs.map((r) => [r.k, r.passed])).toEqual([
      [0, false],
      [1, true],
    ]);
    expect(merged.workers).toBe(2);
    const cases = elementsNamed(parseXml(await readFile(junit, 'utf8')), 'testcase');
    expect(cases).toHaveLength(2);
    expect(elementsNamed(cases[0]!, 'failure')[0]!.text).toBe('no leader\nlog: x/TestReElection2A_0.log');
  });

  describe('bad input', () => {
    async function rejects(argv: string[], message: string) {
      const { code, stdout, stderr } = await runCli(['merge', ...argv]);
      expect(stderr).toBe(`raft-dstest: ${message}\n`);
      expect(code).toBe(2);
      expect(stdout).toBe('');
    }

    it('rejects a file that is not JSON', async () => {
      const path = join(root, 'notes.txt');
      await writeFile(path, 'hello');
      await rejects([path], `${path} is not a raft-dstest report: not JSON (Unexpected token 'h', "hello" is not valid JSON)`);
    });

    it('rejects JSON that is not a raft-dstest report', async () => {
      const path = join(root, 'package.json');
      await writeFile(path, '{"name": "x", "version": "1.0.0"}');
      await rejects([path], `${path} is not a raft-dstest report: version is "1.0.0", expected 1`);
    });

    it('rejects a file that does not exist', async () => {
      const path = join(root, 'missing.json');
      await rejects([path], `cannot read report "${path}": ENOENT: no such file or directory, open '${path}'`);
    });

    it('rejects reports of different seeds, and a run in two reports', async () => {
      const a = await reportFile('a.json', [run('TestReElection2A', 0)]);
      const b = await reportFile('b.json', [run('TestReElection2A', 1)], 7);
      await rejects([a, b], `${b} has seed 7 but ${a} has seed 100; only shards run with the same --seed merge`);
      const c = await reportFile('c.json', [run('TestReElection2A', 0)]);
      await rejects([a, c], `${c} repeats run TestReElection2A #0, already in ${a}; each shard must run different runs`);
    });

    it('rejects no reports at all', () => rejects([], "merge: missing required argument 'reports'"));

    it('rejects an output path it cannot write, before reading anything', async () => {
      const a = await reportFile('a.json', [run('TestReElection2A', 0)]);
      const file = join(root, 'file');
      await writeFile(file, '');
      await rejects([a, '--json', join(file, 'm.json')], `cannot write --json report "${join(file, 'm.json')}": ${file} is not a directory`);
      expect(existsSync(join(file, 'm.json'))).toBe(false);
    });
  });
});
