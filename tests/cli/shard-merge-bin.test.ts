/**
 * End to end, on the built command line and the real suite: two shards of a
 * plan, merged, are the unsharded run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/runner/report-json.js';
import { elementsNamed, parseXml } from '../runner/report-xml-check.js';
import { built, raftDstest as run } from './bin-helpers.js';

/** The reports are compared as text, so no colour. */
const raftDstest = (args: string[]) => run(args, { env: { NO_COLOR: '1' } });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-shard-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = async (name: string) => JSON.parse(await readFile(join(dir, name), 'utf8')) as JsonReport;
const runKeys = (report: JsonReport) => report.runs.map((r) => `${r.test}#${r.k}@${r.seed}:${r.passed}:${r.simMs}`).sort();

describe.runIf(built)('--shard and merge, end to end', () => {
  it('shards 1/2 and 2/2 merge into the totals, runs and seeds of the unsharded run', async () => {
    const common = ['2A', '-n', '3', '-p', '2', '--seed', '4242', '-o', join(dir, 'logs')];
    const results = await Promise.all([
      raftDstest([...common, '--json', join(dir, 'all.json')]),
      raftDstest([...common, '--shard', '1/2', '--json', join(dir, 's1.json')]),
      raftDstest([...common, '--shard', '2/2', '--json', join(dir, 's2.json')]),
    ]);
    for (const result of results) expect(result.stderr).toBe('');
    const merge = await raftDstest(['merge', join(dir, 's1.json'), join(dir, 's2.json'), '--json', join(dir, 'merged.json'), '--junit', join(dir, 'merged.xml')]);
    expect(merge.stderr).toBe('');
    expect(merge.code).toBe(results[0]!.code);
    const [all, s1, s2, merged] = await Promise.all(['all.json', 's1.json', 's2.json', 'merged.json'].map(read));
    expect(s1!.runs.length + s2!.runs.length).toBe(9);
    expect(s1!.runs.length).toBeGreaterThan(0);
    expect(s2!.runs.length).toBeGreaterThan(0);
    // Same runs, same seeds, and (the simulator being deterministic) the same outcomes and virtual times.
    expect(runKeys(merged!)).toEqual(runKeys(all!));
    expect(merged!.tests.map((t) => [t.name, t.runs, t.failed, t.meanSimMs])).toEqual(all!.tests.map((t) => [t.name, t.runs, t.failed, t.meanSimMs]));
    // The merged table prints the same Failed and Total as the unsharded one.
    const counts = (stdout: string) => stdout.split('\n').filter((l) => /^│ Test\w+/.test(l)).map((l) => l.split('│').slice(1, 4).map((c) => c.trim()));
    expect(counts(merge.stdout)).toEqual(counts(results[0]!.stdout));
    expect(elementsNamed(parseXml(await readFile(join(dir, 'merged.xml'), 'utf8')), 'testcase')).toHaveLength(9);
  });
});
