import { Readable, Writable } from 'node:stream';
import { runDslogs } from '../../../src/cli/dslogs/command.js';

/** A sink that keeps what is written, and can pretend to be a terminal of some width. */
export class Sink extends Writable {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string | undefined>;
  /** Make the output a terminal this wide. */
  terminalWidth?: number;
}

/** Runs raft-dslogs in-process with the given arguments and log on its input stream. */
export async function run(argv: string[], options: RunOptions = {}): Promise<Outcome> {
  const output = options.terminalWidth === undefined ? new Sink() : new Sink(true, options.terminalWidth);
  const errorOutput = new Sink();
  const status = await runDslogs({
    argv,
    input: Readable.from([options.input ?? '']),
    output,
    errorOutput,
    env: options.env ?? {},
  });
  return { status, stdout: output.text, stderr: errorOutput.text };
}

/** The example log of the brief: a header, harness lines and two events. */
export const EXAMPLE_LOG = [
  'Test: TestInitialElection2A (seed 42)',
  'replay: raft-dstest TestInitialElection2A --seed 42 -n 1',
  '000000 TEST Test (2A): initial election ...',
  '004213 TERM S1 election timeout: candidate for term 1',
  '004213 VOTE S0 grants vote to S1 for term 1',
  '035470 TEST   ... Passed --   3.5  3   62    7528    0',
  '',
].join('\n');

export const ESC = '\u001b';
