/**
 * `--go`: raft-dstest as a drop-in dstest for the Go lab. Each run is
 * `go test -run '^<Test>$'` in the current directory, for each test that the
 * arguments select from what `go test -list .` says the package has, by the
 * rules of the lab suite's own names (a part, `all`, a name, a regular
 * expression).
 */
import { BadInputError } from './bad-input.js';
import { loadExeca } from './load-execa.js';
import { PARTS } from '../suite/registry.js';
import { InvalidTestPatternError, selectTests, UnknownTestArgumentError } from './select.js';

export function goCommand(race: boolean): string {
  return `go test -run '^{test}$'${race ? ' -race' : ''}`;
}

/** Whether a command is --go's, with or without the race detector. */
export function isGoCommand(exec: string): boolean {
  return exec === goCommand(false) || exec === goCommand(true);
}

/** Whether a command is --go's with the race detector (`-r`). */
export function goRaceOn(exec: string): boolean {
  return exec === goCommand(true);
}

export class GoTestsError extends BadInputError {
  override name = 'GoTestsError';
}

/** The test names `go test -list .` prints, in its order. */
export async function listGoTests(cwd: string = process.cwd()): Promise<string[]> {
  const { execa } = await loadExeca();
  const listed = await execa('go', ['test', '-list', '.'], { cwd, reject: false, all: true, stdin: 'ignore' });
  if ((listed as { code?: string }).code === 'ENOENT') {
    throw new GoTestsError('--go needs the go command, but "go" was not found on PATH');
  }
  const output = typeof listed.all === 'string' ? listed.all : '';
  if (listed.exitCode !== 0) throw new GoTestsError(`--go: "go test -list ." failed in ${cwd}${listFailure(output, listed.shortMessage ?? `exit code ${listed.exitCode}`)}`);
  // The names, then a summary line such as `ok  6.824/raft 0.01s`.
  return output.split('\n').filter((line) => /^Test\w*$/.test(line.trim())).map((line) => line.trim());
}

/** At most this many of the compiler's lines are shown when the package does not build. */
const LIST_FAILURE_LINES_MAX = 20;

/**
 * What go said when listing failed: for a package that does not build, the
 * compiler's lines (`./raft.go:12:2: undefined: x`), not only the package
 * line above them (`# 6.824/raft [6.824/raft.test]`) nor go's closing one.
 */
function listFailure(output: string, fallback: string): string {
  const lines = output.split('\n').map((line) => line.trimEnd()).filter((line) => line !== '' && !/^FAIL\s.*\[(?:build|setup) failed\]$/.test(line));
  if (lines.length === 0) return `: ${fallback}`;
  if (lines.length === 1) return `: ${lines[0]}`;
  const shown = lines.slice(0, LIST_FAILURE_LINES_MAX).map((line) => `  ${line}`);
  if (lines.length > LIST_FAILURE_LINES_MAX) shown.push(`  … ${lines.length - LIST_FAILURE_LINES_MAX} more lines (run go test -list . to see them)`);
  return `:\n${shown.join('\n')}`;
}

/** A Go test's part, from its name's suffix as the lab names them (`TestFigure82C`), or '' for none. */
function goPart(name: string): string {
  const suffix = name.slice(-2).toUpperCase();
  return (PARTS as readonly string[]).includes(suffix) ? suffix : '';
}

/**
 * The tests of `listed` that the arguments select, each once, in the
 * package's order; throws GoTestsError for the first argument that selects
 * none, with the nearest listed name when one is near.
 */
export function selectGoTests(args: readonly string[], listed: readonly string[]): string[] {
  try {
    return selectTests(
      args,
      listed.map((name) => ({ name, part: goPart(name) })),
    );
  } catch (error) {
    if (!(error instanceof UnknownTestArgumentError) || error instanceof InvalidTestPatternError) throw error;
    const { argument, suggestion } = error;
    throw new GoTestsError(`no test that "go test -list ." lists matches "${argument}"${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`);
  }
}
