/**
 * The file system as the runner's outputs (logs, reports) need it, behind an
 * interface so that tests can hand in a disk that fills up. Files are only
 * ever created new: create() never opens a file that exists, nor follows a
 * link planted where the file is to go.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';

export interface OutputFile {
  /** Writes all of `data` at the end of the file. */
  append(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface OutputFiles {
  /** Makes the directory and its missing parents. */
  mkdir(path: string): Promise<void>;
  /** Creates a new file (O_EXCL): rejects with EEXIST when anything is there already. */
  create(path: string): Promise<OutputFile>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file if it is there. */
  remove(path: string): Promise<void>;
}

export const nodeOutputFiles: OutputFiles = {
  mkdir: async (path) => {
    await mkdir(path, { recursive: true });
  },
  create: async (path) => {
    const handle = await open(path, 'wx');
    return {
      append: async (data) => {
        // write() may take less than it is given; each call goes on where the last stopped.
        for (let offset = 0; offset < data.length; ) offset += (await handle.write(data, offset)).bytesWritten;
      },
      close: () => handle.close(),
    };
  },
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
};
