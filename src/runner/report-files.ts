/**
 * Checking and writing report files (--json, --junit). Paths are checked
 * before any run starts and without creating anything, like the output
 * directory, so that a bad path fails at once and leaves nothing behind.
 */
import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { access, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BadInputError } from './bad-input.js';
import { checkOutputDir, OutputDirError } from './output-dir.js';
import { nodeOutputFiles, type OutputFiles } from './output-files.js';

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

/**
 * Writes the whole file at once, so that a reader never sees half a report:
 * into a temporary file beside it, then renamed over it. The temporary file
 * has a name no one can guess and is created new (O_EXCL), so nothing
 * planted there is followed or overwritten, and it is removed whatever
 * goes wrong.
 */
export async function writeReportFile(path: string, text: string, files: OutputFiles = nodeOutputFiles): Promise<void> {
  await files.mkdir(dirname(path));
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await files.create(temporary);
  try {
    await file.append(Buffer.from(text));
    await file.close();
    await files.rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await files.remove(temporary).catch(() => undefined);
    throw error;
  }
}
