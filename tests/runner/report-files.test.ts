/**
 * Writing a report file (issue 11, item 4): whole or not at all, through a
 * temporary file that nothing planted can redirect and that never outlives
 * the write.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReportFile } from '../../src/runner/report-files.js';
import { fullDisk } from './helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-report-files-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeReportFile', () => {
  it('writes the text, making the directory, and replaces an earlier report whole', async () => {
    const path = join(root, 'deep', 'report.json');
    await writeReportFile(path, 'first');
    await writeReportFile(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(join(root, 'deep'))).toEqual(['report.json']);
  });

  it('follows no link planted where a temporary file would once have gone', async () => {
    const path = join(root, 'report.json');
    const victim = join(root, 'victim');
    await writeFile(victim, 'precious');
    // The name the temporary file had before: <path>.<pid>.tmp.
    await symlink(victim, `${path}.${process.pid}.tmp`);
    await writeReportFile(path, 'report');
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await readFile(path, 'utf8')).toBe('report');
  });

  it('removes its temporary file when the rename fails, and says why', async () => {
    // A directory (not empty) where the report should go: rename cannot replace it.
    const path = join(root, 'report.json');
    await mkdir(path);
    await writeFile(join(path, 'inside'), '');
    await expect(writeReportFile(path, 'report')).rejects.toThrow(/^(EISDIR|ENOTEMPTY|EEXIST)/);
    expect((await readdir(root)).sort()).toEqual(['report.json']);
  });

  it('removes its temporary file when the disk is full, and says so', async () => {
    const path = join(root, 'report.json');
    await expect(writeReportFile(path, 'x'.repeat(1000), fullDisk(100))).rejects.toThrow(/^ENOSPC/);
    expect(await readdir(root)).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });
});
