import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/harness/timeline.js';
import { TIMELINES_ELEMENT_ID } from '../../src/runner/report-html.js';
import { buildReport, formatJsonReport, type RunRecord } from '../../src/runner/report-json.js';
import { timelinePathFor, writeTimelineFile } from '../../src/runner/timeline-files.js';
import { root as projectRoot } from './bin-helpers.js';
import { runCli } from './report-cli-helpers.js';

// `raft-dstest report` and `merge --html`: the HTML report of runs already
// done, from their JSON reports and the timelines beside their logs.

const viewerBuilt = existsSync(join(projectRoot, 'dist', 'viewer', 'timeline.js'));

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-report-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function run(test: string, k: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return { test, k, seed: 100 + k, passed: true, wallMs: 10, simMs: 3000, raftMs: 2, saves: 4, savedBytes: 120, error: null, log: null, ...overrides };
}

/** A failing run as a shard leaves it: its log (relative to the shard's folder) and its timeline beside it. */
async function failingRun(shard: string, test: string, k: number): Promise<RunRecord> {
  const log = join('logs', `${test}_${k}.log`);
  await mkdir(join(root, shard, 'logs'), { recursive: true });
  await writeFile(join(root, shard, log), `# test: ${test}\n# seed: ${100 + k}\n# replay: npx raft-dstest ${test} --seed ${100 + k} -n 1 -r\n`);
  const timeline: Timeline = { version: 1, test, seed: 100 + k, peers: 3, inspected: true, endMs: 5, failure: { atMs: 5, message: 'no leader' }, states: [], events: [], network: [], rpcs: [], log: [] };
  await writeTimelineFile(timelinePathFor(join(root, shard, log)), timeline);
  return run(test, k, { passed: false, error: 'no leader', log });
}

async function reportFile(path: string, runs: RunRecord[], seed = 100): Promise<string> {
  const header = { seed, mode: 'sim' as const, workers: 1, startedAt: '2025-06-07T08:09:10.000Z', wallMs: 5 };
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, formatJsonReport(buildReport(header, ['TestReElection2A'], runs)));
  return path;
}

const timelineKeys = (html: string) => Object.keys(JSON.parse(new RegExp(`id="${TIMELINES_ELEMENT_ID}">(.*?)</script>`).exec(html)![1]!));

describe.runIf(viewerBuilt)('raft-dstest report', () => {
  it('writes the HTML report of one JSON report, finding the logs beside it, and exits 0 though runs failed', async () => {
    const json = await reportFile(join(root, 'a', 'report.json'), [run('TestReElection2A', 0), await failingRun('a', 'TestReElection2A', 1)]);
    const html = join(root, 'out', 'report.html');
    const { code, stdout, stderr } = await runCli(['report', json, '--html', html]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote ${html}: 2 runs, 1 failed, 1 timeline\n`);
    const page = await readFile(html, 'utf8');
    expect(timelineKeys(page)).toEqual(['TestReElection2A#1']);
    expect(page).toContain('<code>npx raft-dstest TestReElection2A --seed 101 -n 1 -r</code>');
  });

  it('merges the reports of shards first, each finding its own logs', async () => {
    const a = await reportFile(join(root, 'a', 'shard.json'), [await failingRun('a', 'TestReElection2A', 0)]);
    const b = await reportFile(join(root, 'b', 'shard.json'), [await failingRun('b', 'TestReElection2A', 1), run('TestReElection2A', 2)]);
    const html = join(root, 'merged.html');
    const { code, stdout } = await runCli(['report', a, b, '--html', html]);
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote ${html}: 3 runs, 2 failed, 2 timelines\n`);
    expect(timelineKeys(await readFile(html, 'utf8'))).toEqual(['TestReElection2A#0', 'TestReElection2A#1']);
  });

  it('merge --html writes the same page and keeps merge\'s exit code', async () => {
    const a = await reportFile(join(root, 'a', 'shard.json'), [await failingRun('a', 'TestReElection2A', 0)]);
    const b = await reportFile(join(root, 'b', 'shard.json'), [run('TestReElection2A', 1)]);
    const html = join(root, 'merged.html');
    const { code, stdout } = await runCli(['merge', a, b, '--html', html]);
    expect(code).toBe(1);
    expect(stdout).toContain('2 runs from 2 reports, 1 failed\n');
    expect(timelineKeys(await readFile(html, 'utf8'))).toEqual(['TestReElection2A#0']);
  });

  describe('bad input', () => {
    async function rejects(argv: string[], message: string) {
      const { code, stdout, stderr } = await runCli(['report', ...argv]);
      expect(stderr).toBe(`raft-dstest: ${message}\n`);
      expect(code).toBe(2);
      expect(stdout).toBe('');
    }

    it('needs --html and at least one report', async () => {
      const a = await reportFile(join(root, 'a.json'), [run('TestReElection2A', 0)]);
      await rejects([a], "report: required option '--html <file>' not specified");
      await rejects(['--html', join(root, 'x.html')], "report: missing required argument 'reports'");
    });

    it('refuses an --html path it cannot write, before reading anything', async () => {
      await rejects([join(root, 'missing.json'), '--html', root], `cannot write --html report "${root}": it is a directory`);
    });

    it('refuses what is not a report, and reports that do not merge', async () => {
      const notes = join(root, 'notes.txt');
      await writeFile(notes, 'hello');
      await rejects([notes, '--html', join(root, 'r.html')], `${notes} is not a raft-dstest report: not JSON (Unexpected token 'h', "hello" is not valid JSON)`);
      const a = await reportFile(join(root, 'a.json'), [run('TestReElection2A', 0)]);
      const b = await reportFile(join(root, 'b.json'), [run('TestReElection2A', 0)]);
      await rejects([a, b, '--html', join(root, 'r.html')], `${b} repeats run TestReElection2A #0, already in ${a}; each shard must run different runs`);
      expect(existsSync(join(root, 'r.html'))).toBe(false);
    });
  });
});
