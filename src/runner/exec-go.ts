/**
 * `--go`: raft-dstest as a drop-in dstest for the Go lab. Each run is
 * `go test -run '^<Test>$'` in the current directory, and the test names are
 * checked first against what `go test -list .` says the package has.
 */
import { execa } from 'execa';
import { BadInputError } from './bad-input.js';
import { closestName } from './select.js';

export function goCommand(race: boolean): string {
  return `go test -run '^{test}$'${race ? ' -race' : ''}`;
}

export class GoTestsError extends BadInputError {
  override name = 'GoTestsError';
}

/** The test names `go test -list .` prints, in its order. */
export async function listGoTests(cwd: string = process.cwd()): Promise<string[]> {
  const listed = await execa('go', ['test', '-list', '.'], { cwd, reject: false, all: true, stdin: 'ignore' });
  if ((listed as { code?: string }).code === 'ENOENT') {
    throw new GoTestsError('--go needs the go command, but "go" was not found on PATH');
  }
  const output = typeof listed.all === 'string' ? listed.all : '';
  if (listed.exitCode !== 0) {
    const reason = output.trim().split('\n', 1)[0] || listed.shortMessage;
    throw new GoTestsError(`--go: "go test -list ." failed in ${cwd}: ${reason}`);
  }
  // The names, then a summary line such as `ok  6.824/raft 0.01s`.
  return output.split('\n').filter((line) => /^Test\w*$/.test(line.trim())).map((line) => line.trim());
}

/** Throws GoTestsError naming the first test the package does not have. */
export function checkGoTests(names: readonly string[], listed: readonly string[]): void {
  const known = new Set(listed);
  for (const name of names) {
    if (known.has(name)) continue;
    const suggestion = closestName(name, listed);
    throw new GoTestsError(`unknown test "${name}": "go test -list ." does not list it${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`);
  }
}
