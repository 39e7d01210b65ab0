/**
 * A disk that fills up during a stress run (issue 11, item 8): every log and
 * report that could not be written is named with its path and the reason,
 * no log is named that is not there, every report that can be written is,
 * no temporary file is left, and failed runs still exit 1.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/runner/report-json.js';
import { fullDisk } from '../runner/helpers.js';
import { runCli } from './report-cli-helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-full-disk-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every run fails, with a log of some 10 kB. */
const failing = () => ({ passed: false, error: 'expected one leader, got none', lines: ['000000 TEST '.padEnd(10_000, 'x')] });

/** The sizes of a log and of the two reports of the run below, on a disk with room for all. */
async function sizesOnAnEmptyDisk(argv: (dir: string) => string[]): Promise<{ log: number; json: number; junit: number }> {
  const dir = join(root, 'measure');
  await runCli(argv(dir), failing);
  const size = async (path: string) => (await readFile(path)).length;
  return { log: await size(join(dir, 'out', 'TestReElection2A_0.log')), json: await size(join(dir, 'report.json')), junit: await size(join(dir, 'junit.xml')) };
}

describe('a full disk', () => {
  it('names each log it could not write, lists only the logs written, writes the report that fits, and exits 1', async () => {
    const argv = (dir: string) => ['TestReElection2A', '-n', '12', '--seed', '1', '-o', join(dir, 'out'), '--json', join(dir, 'report.json'), '--junit', join(dir, 'junit.xml')];
    const sizes = await sizesOnAnEmptyDisk(argv);
    const dir = join(root, 'full');
    const [out, json, junit] = [join(dir, 'out'), join(dir, 'report.json'), join(dir, 'junit.xml')];
    // Room for three logs and the JSON report (a little less long than on an empty disk, since it names fewer logs); the JUnit report no longer fits.
    const disk = fullDisk(3 * sizes.log + sizes.json + sizes.junit / 4);
    const { code, stdout, stderr } = await runCli(argv(dir), failing, { outputFiles: disk });
    expect(code).toBe(1);
    const written = (await readdir(out)).sort();
    expect(written).toHaveLength(3);
    const unwritten = 12 - written.length;
    // Each failure line says where its log is, or that it could not be written and why.
    const lines = stdout.split('\n').filter((line) => line.startsWith('FAIL '));
    expect(lines).toHaveLength(12);
    expect(lines.filter((line) => / — log: /.test(line)).map((line) => /— log: (.*)$/.exec(line)![1]).sort()).toEqual(written.map((name) => join(out, name)));
    const notWritten = lines.filter((line) => line.includes(' — log not written ('));
    expect(notWritten).toHaveLength(unwritten);
    for (const line of notWritten) expect(line).toMatch(/ — log not written \(.*\/TestReElection2A_\d+\.log: ENOSPC: no space left on device, write\)$/);
    expect(stdout).toContain(`12/12 runs, 12 failed`);
    expect(stdout).toContain(`; ${written.length} logs in ${out}; ${unwritten} logs could not be written`);
    // The JSON report fitted, and names only the logs that are there; the JUnit report is named as not written.
    const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
    expect(report.runs.filter((run) => run.log !== null).map((run) => run.log).sort()).toEqual(written.map((name) => join(out, name)));
    expect(stderr).toContain(`raft-dstest: could not write --junit report "${junit}": ENOSPC: no space left on device, write\n`);
    expect(stderr).toMatch(new RegExp(`raft-dstest: ${unwritten} logs could not be written, e\\.g\\. .*: ENOSPC: no space left on device, write; the lines above name each one\\n`));
    expect(existsSync(junit)).toBe(false);
    // No temporary file, no empty or partial log.
    expect((await readdir(dir)).sort()).toEqual(['out', 'report.json']);
    for (const name of written) expect(await readFile(join(out, name), 'utf8')).toMatch(/# error: expected one leader, got none\n$/);
  });

  it('exits 2 when every run passed but a kept log could not be written', async () => {
    const out = join(root, 'out');
    const { code, stderr } = await runCli(['TestReElection2A', '-n', '3', '-a', '-o', out], undefined, { outputFiles: fullDisk(0) });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^raft-dstest: 3 logs could not be written, e\.g\. .*TestReElection2A_\d\.log: ENOSPC/);
    expect(await readdir(out)).toEqual([]);
  });
});
