import { Command, CommanderError, Option } from 'commander';
import { TOPICS, type Topic } from '../../sim/log.js';

/** What the user asked for, validated. */
export interface DslogsOptions {
  /** The log file as given: "-" or undefined means the input stream. */
  readonly file: string | undefined;
  /** Number of peer columns, or undefined for one line per row. */
  readonly columns: number | undefined;
  /** Topics to show: the --just list (all topics without it) minus the --ignore list. */
  readonly topics: ReadonlySet<Topic>;
  /** true / false when --color / --no-color was given; undefined to decide from the environment. */
  readonly color: boolean | undefined;
}

/** Bad usage: the message is the one line printed after "raft-dslogs: ". */
export class DslogsUsageError extends Error {
  override readonly name = 'DslogsUsageError';
}

/** What parsing the command line produced: options to run with, or text already printed (--help, --version). */
export type ParsedArgs = { readonly kind: 'run'; readonly options: DslogsOptions } | { readonly kind: 'done' };

export const PROGRAM = 'raft-dslogs';

const HELP_AFTER = `
Each log line is "<time> <TOPIC> S<peer> <message>"; harness lines are
"<time> TEST <message>". Topics:
  ${TOPICS.slice(0, 8).join(' ')}
  ${TOPICS.slice(8).join(' ')}

Layout:
  Without -c, one event per row: time, topic, peer, message.
  With -c <n>, each event is printed in the column of its peer (S0 leftmost);
  a column is (terminal width / n) characters wide, and 120 characters stand
  for the terminal width when the output is not a terminal.
  TEST lines, and events whose peer has no column, span the full width.
  Lines that are not log lines (the header, failure text, stack traces) are
  printed unchanged and are never filtered out.
  Long events wrap within their column (the full width without -c); nothing
  is cut off, and wrapped rows are indented under the start of the message.

Filters:
  -j keeps only the topics listed and -i drops the ones listed; both may be
  given and repeated. Topics are case-insensitive. TEST lines are shown unless
  filtered out: -i TEST drops them, and -j shows them only if TEST is listed.

Colour:
  One colour per topic, when the output is a terminal. --color / --no-color
  decide; otherwise a non-empty NO_COLOR turns colour off, and FORCE_COLOR
  (other than 0 or false) turns it on even when the output is not a terminal.

Examples:
  raft-dslogs failed-run.log -c 5 -i TIMR,LOG2
  raft-dslogs failed-run.log -j cmit,pers,test --color | less -R
  cat failed-run.log | raft-dslogs -c 3

Exit status: 0 on success, 2 on bad usage (unknown topic, bad -c, unreadable file).
`;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function buildProgram(write: (text: string) => void): Command {
  return new Command(PROGRAM)
    .description('Pretty-print a raft-dstest log: a colour per topic, optionally one column per peer.')
    .argument('[file]', 'the log file; standard input when omitted or "-"')
    .option('-c, --columns <n>', 'print each peer in its own column; n is the number of peers')
    .addOption(new Option('--colums <n>', 'the spelling dslogs.py users know').hideHelp())
    .option('-j, --just <topics>', 'show only these topics (comma-separated)', collect)
    .option('-i, --ignore <topics>', 'hide these topics (comma-separated)', collect)
    .option('--color', 'colour even when the output is not a terminal')
    .option('--no-color', 'never colour')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_AFTER)
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: write, outputError: () => {} });
}

/**
 * Parses and validates the command line. Throws DslogsUsageError with one
 * line naming the bad value and what is allowed.
 */
export function parseArgs(argv: readonly string[], write: (text: string) => void): ParsedArgs {
  const program = buildProgram(write);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return { kind: 'done' };
    // Commander's messages start with "error: " and may put a suggestion on a second line.
    const message = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    throw new DslogsUsageError(`${message}; see ${PROGRAM} --help`);
  }
  const raw = program.opts<{ columns?: string; colums?: string; just?: string[]; ignore?: string[]; color?: boolean }>();
  const file = program.args[0];
  return {
    kind: 'run',
    options: {
      file,
      columns: parseColumns(raw.columns ?? raw.colums),
      topics: selectTopics(raw.just, raw.ignore),
      color: raw.color,
    },
  };
}

/** Validates -c: a positive integer written in decimal digits. */
export function parseColumns(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new DslogsUsageError(`invalid --columns "${value}"; expected a positive integer (the number of peers)`);
  }
  return n;
}

/**
 * Turns one or more comma-separated topic lists into topics, case-insensitively.
 * Empty items (a trailing comma) are skipped, but a list with no topic at all is an error.
 */
export function parseTopicList(values: readonly string[], option: '--just' | '--ignore'): Topic[] {
  const topics: Topic[] = [];
  for (const item of values.flatMap((value) => value.split(','))) {
    const name = item.trim().toUpperCase();
    if (name === '') continue;
    if (!(TOPICS as readonly string[]).includes(name)) {
      throw new DslogsUsageError(`unknown topic "${item.trim()}" in ${option}; expected one of ${TOPICS.join(', ')}`);
    }
    topics.push(name as Topic);
  }
  if (topics.length === 0) {
    throw new DslogsUsageError(`no topic given to ${option}; expected one or more of ${TOPICS.join(', ')}`);
  }
  return topics;
}

function selectTopics(just: readonly string[] | undefined, ignore: readonly string[] | undefined): Set<Topic> {
  const shown = new Set<Topic>(just === undefined ? TOPICS : parseTopicList(just, '--just'));
  if (ignore !== undefined) for (const topic of parseTopicList(ignore, '--ignore')) shown.delete(topic);
  return shown;
}
