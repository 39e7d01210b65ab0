import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutputDir, OutputDirError } from '../../src/runner/output-dir.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-out-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('checkOutputDir', () => {
  it('accepts an existing directory and one still to be made, making nothing', async () => {
    await checkOutputDir(root);
    await checkOutputDir(join(root, 'a', 'b'));
    expect(existsSync(join(root, 'a'))).toBe(false);
  });

  it('rejects a path through a regular file', async () => {
    const file = join(root, 'file');
    await writeFile(file, '');
    await expect(checkOutputDir(file)).rejects.toThrow(new OutputDirError(`cannot use output directory "${file}": ${file} is not a directory`));
    await expect(checkOutputDir(join(file, 'sub'))).rejects.toBeInstanceOf(OutputDirError);
  });
});
