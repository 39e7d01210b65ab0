/**
 * `raft-dstest init <dir>`: a starting point for a lab user's own Raft, a
 * skeleton peer that runs under `--raft` as written (and fails the tests,
 * since it never elects) plus a README saying how to run the suite on it.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { oneLineOutput, parseArguments } from './commander-io.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

export interface InitDeps {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface InitOptions {
  /** Where to write the starter; created if missing, refused unless empty. */
  dir: string;
}

// The templates are files rather than string constants so that they stay
// what they produce: templates/raft.mjs is linted with the project, and the
// tests load and type-check the copy that init writes. They ship in the
// package ("files"), two levels above this module in src/ and in dist/ alike.
const TEMPLATES = new URL('../../templates/', import.meta.url);

/** The starter's files: the template each is copied from, and what it is for. */
const FILES = [
  { name: 'raft.mjs', purpose: 'a Raft peer to fill in, plain JavaScript with JSDoc types' },
  { name: 'README.md', purpose: 'how to run the lab tests against it' },
] as const;

/** Parses `init`'s arguments (those after the word `init`) and writes the starter. */
export async function initCommand(argv: readonly string[], deps: InitDeps): Promise<ExitCode> {
  const program = new Command('raft-dstest init')
    .description('Write a skeleton Raft peer to <dir>/raft.mjs, to fill in and test with --raft.')
    .argument('<dir>', 'a new or empty directory')
    .configureOutput(oneLineOutput(deps, 'raft-dstest: init'));
  const answered = parseArguments(program, argv);
  if (answered !== undefined) return answered;
  return init({ dir: program.args[0]! }, deps);
}

/**
 * Writes the starter into `options.dir` and says what to run next; refuses
 * to overwrite anything, with a UsageError the command line reports.
 */
export async function init(options: InitOptions, deps: InitDeps): Promise<ExitCode> {
  const { dir } = options;
  await prepareDirectory(dir);
  const raftPath = join(dir, 'raft.mjs');
  const values = { raftPath: shellWord(raftPath) };
  for (const file of FILES) {
    const template = await readFile(new URL(file.name, TEMPLATES), 'utf8');
    await writeNew(join(dir, file.name), fill(template, values));
  }
  for (const file of FILES) deps.stdout.write(`wrote ${join(dir, file.name)}: ${file.purpose}\n`);
  deps.stdout.write(`next: npx raft-dstest 2A -n 10 --raft ${values.raftPath}\n`);
  return ExitCode.Passed;
}

/** Creates `dir` if it is missing; refuses one that holds anything, or a path that is not a directory. */
async function prepareDirectory(dir: string): Promise<void> {
  const stats = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    // Missing, or below a file: either way mkdir says best what is wrong.
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw pathError('read', dir, error);
  });
  if (stats === undefined) {
    // Parents are created only when missing: Node's recursive mkdir never
    // returns where the kernel refuses a new entry with ENOENT, as in /proc.
    const parentExists = await stat(dirname(dir)).then(
      () => true,
      () => false,
    );
    await mkdir(dir, { recursive: !parentExists }).catch((error: NodeJS.ErrnoException) => {
      throw pathError('create', dir, error);
    });
    return;
  }
  if (!stats.isDirectory()) throw new UsageError(`${dir} is a file; give a new or empty directory`);
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw pathError('read', dir, error);
  });
  if (entries.length > 0) {
    const holds = entries.length === 1 ? entries[0] : `${entries.length} entries`;
    throw new UsageError(`${dir} is not empty (it holds ${holds}); give a new or empty directory, so that nothing is overwritten`);
  }
}

/** Writes a file that must not exist yet, so that a file appearing meanwhile is never overwritten. */
async function writeNew(path: string, text: string): Promise<void> {
  await writeFile(path, text, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new UsageError(`${path} already exists; not overwriting it`);
    throw pathError('write', path, error);
  });
}

function pathError(action: 'read' | 'create' | 'write', path: string, error: NodeJS.ErrnoException): UsageError {
  return new UsageError(`cannot ${action} ${path}: ${error.code ?? error.message}`);
}

/** Replaces each `{{name}}` in a template with its value. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** A path as a shell word: bare when that is safe, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
