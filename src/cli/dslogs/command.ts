import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Topic } from '../../sim/log.js';
import { DslogsUsageError, parseArgs, PROGRAM } from './options.js';
import { parseLogLine } from './parse.js';
import { DEFAULT_WIDTH, renderLine, shouldColor, type Layout } from './render.js';

/** The world the command runs in, injected so tests can hand it their own streams. */
export interface DslogsIO {
  /** The arguments after the program name. */
  readonly argv: readonly string[];
  /** Read when no file is given, or the file is "-". */
  readonly input: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly output: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly errorOutput: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit statuses, as raft-dstest uses them: success, failure, bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The log could not be read: bad usage, as a wrong path is. */
class UnreadableLogError extends Error {}

/** Writing the output failed; kept apart from read errors so each is reported as what it is. */
class OutputError extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent of it is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function unreadable(file: string | undefined, error: unknown): UnreadableLogError {
  const code = errorCode(error);
  const reason = (code !== undefined && REASONS[code]) || (error instanceof Error ? error.message : String(error));
  if (file === undefined) return new UnreadableLogError(`cannot read standard input: ${reason}`);
  return new UnreadableLogError(`cannot read log file "${file}": ${reason}; expected a readable file, or - for standard input`);
}

/** Opens the log. Opening before printing anything makes a bad path an error with no partial output. */
async function openLog(file: string | undefined, io: DslogsIO): Promise<NodeJS.ReadableStream> {
  if (file === '-') return io.input;
  if (file === undefined) {
    // Waiting on a terminal for a log nobody is typing would look like a hang; "-" still asks for it.
    if (io.input.isTTY === true) {
      throw new DslogsUsageError('no log to read: standard input is a terminal; expected a log file, or a log piped in');
    }
    return io.input;
  }
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw unreadable(file, error);
  }
  // A directory opens but fails on the first read (EISDIR), which print() reports like any read error.
  return handle.createReadStream({ autoClose: true });
}

async function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  try {
    if (text !== '' && !output.write(text)) await once(output, 'drain');
  } catch (error) {
    throw new OutputError(error);
  }
}

/** Turns a block of complete lines into the text to print. */
function renderBlock(lines: readonly string[], topics: ReadonlySet<Topic>, layout: Layout): string {
  let text = '';
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const parsed = parseLogLine(line);
    if (parsed === undefined) {
      // Not a log line (header, failure text, stack trace): shown as written, whatever the filters.
      text += `${line}\n`;
    } else if (topics.has(parsed.topic)) {
      for (const row of renderLine(parsed, layout)) text += `${row}\n`;
    }
  }
  return text;
}

/** Streams the log through the printer a chunk at a time, so long logs and live pipes both work. */
async function print(
  source: NodeJS.ReadableStream,
  file: string | undefined,
  topics: ReadonlySet<Topic>,
  layout: Layout,
  output: NodeJS.WritableStream,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for await (const chunk of source) {
      pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      await write(output, renderBlock(lines, topics, layout));
    }
  } catch (error) {
    throw error instanceof OutputError ? error : unreadable(file, error);
  }
  pending += decoder.decode();
  if (pending !== '') await write(output, renderBlock([pending], topics, layout));
}

/**
 * raft-dslogs as a function: parses `io.argv`, prints the log to `io.output`
 * and returns the exit status. A problem the user can fix is one line on
 * `io.errorOutput` and status 2. It never exits the process.
 */
export async function runDslogs(io: DslogsIO): Promise<number> {
  const fail = (message: string, status: number): number => {
    io.errorOutput.write(`${PROGRAM}: ${message}\n`);
    return status;
  };
  try {
    const parsed = parseArgs(io.argv, (text) => io.output.write(text));
    if (parsed.kind === 'done') return EXIT_OK;
    const { options } = parsed;
    const { isTTY, columns } = io.output;
    const layout: Layout = {
      width: isTTY === true && columns !== undefined && columns > 0 ? columns : DEFAULT_WIDTH,
      columns: options.columns,
      color: shouldColor(options.color, io.env, isTTY === true),
    };
    const source = await openLog(options.file, io);
    await print(source, options.file === '-' ? undefined : options.file, options.topics, layout, io.output);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof DslogsUsageError || error instanceof UnreadableLogError) return fail(error.message, EXIT_USAGE);
    if (error instanceof OutputError) {
      // The reader went away (`raft-dslogs run.log | head`): that is how such a pipe ends.
      if (errorCode(error.reason) === 'EPIPE') return EXIT_OK;
      return fail(`cannot write the output: ${error.message}`, EXIT_FAILED);
    }
    throw error;
  }
}
