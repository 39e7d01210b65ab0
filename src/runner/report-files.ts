/**
 * Checking and writing report files (--json, --junit). Paths are checked
 * before any run starts and without creating anything, like the output
 * directory, so that a bad path fails at once and leaves nothing behind.
 */
import { constants } from 'node:fs';
import { access, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BadInputError } from './bad-input.js';
import { checkOutputDir, OutputDirError } from './output-dir.js';

export class ReportPathError extends BadInputError {
  override name = 'ReportPathError';
}

/** `flag` names the option in the message, e.g. `--json`. */
export async function checkReportPath(path: string, flag: string): Promise<void> {
  const cannot = (why: string) => new ReportPathError(`cannot write ${flag} report "${path}": ${why}`);
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) throw cannot('it is a directory');
  if (info !== undefined) {
    await access(path, constants.W_OK).catch(() => {
      throw cannot('it is not writable');
    });
    return;
  }
  try {
    await checkOutputDir(dirname(path));
  } catch (error) {
    if (!(error instanceof OutputDirError)) throw error;
    // The directory check names the directory; here the report's path leads and the reason follows.
    throw cannot(error.message.replace(/^cannot use output directory "[^"]*": /, ''));
  }
}

/** Writes the whole file at once (through a temporary file), so a reader never sees half a report. */
export async function writeReportFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}
