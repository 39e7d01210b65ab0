/**
 * How every command wires commander: its help and errors go to the injected
 * streams, an error is one line in the shape of ours (`raft-dstest: …`), and
 * parsing never exits the process.
 */
import { type Command, CommanderError, type OutputConfiguration } from 'commander';
import { ExitCode } from './exit-codes.js';

interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Output settings for a command whose error lines start with `prefix` (e.g. `raft-dstest: merge`). */
export function oneLineOutput(streams: Streams, prefix: string): OutputConfiguration {
  return {
    writeOut: (text) => streams.stdout.write(text),
    writeErr: (text) => streams.stderr.write(text),
    outputError: (text, write) => write(`${prefix}: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`),
  };
}

/**
 * Parses `argv` (the words after the command). Returns the exit code when
 * commander has already answered — help, the version, or an error it printed
 * — and undefined when the command should go on.
 */
export function parseArguments(program: Command, argv: readonly string[]): ExitCode | undefined {
  try {
    program.exitOverride().parse(argv as string[], { from: 'user' });
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Passed : ExitCode.Usage;
    throw error;
  }
}
