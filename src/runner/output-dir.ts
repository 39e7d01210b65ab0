/**
 * Checks, before any run starts and without creating anything, that logs
 * could be written under a directory: bad input must not leave a partial
 * output directory behind, and a bad path should fail at once, not after
 * the first failing run.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BadInputError } from './bad-input.js';

export class OutputDirError extends BadInputError {
  override name = 'OutputDirError';
}

/** `what` names the directory in messages: the output directory, or another the runs write to. */
export async function checkOutputDir(dir: string, what = 'output directory'): Promise<void> {
  let path = resolve(dir);
  // Walk up to the nearest existing ancestor: the directories below it are
  // made on the first write, so that one must be a writable directory.
  for (;;) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      // Missing, or below a regular file: either way the ancestors say why.
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw new OutputDirError(`cannot use ${what} "${dir}": ${error.message}`);
    });
    if (info !== undefined) {
      if (!info.isDirectory()) throw new OutputDirError(`cannot use ${what} "${dir}": ${path} is not a directory`);
      await access(path, constants.W_OK).catch(() => {
        throw new OutputDirError(`cannot use ${what} "${dir}": ${path} is not writable`);
      });
      return;
    }
    const parent = dirname(path);
    if (parent === path) throw new OutputDirError(`cannot use ${what} "${dir}": no part of it exists`);
    path = parent;
  }
}
