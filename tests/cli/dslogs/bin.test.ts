import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_LOG } from './io.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'bin/raft-dslogs.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built launcher as a user would, with no terminal and no colour variables. */
function runBin(args: string[]): Promise<Result> {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

describe('bin/raft-dslogs.js (end to end, needs `npm run build`)', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/cli/dslogs/main.js'))) throw new Error('dist/ is missing raft-dslogs: run `npm run build` first');
    dir = await mkdtemp(join(tmpdir(), 'raft-dslogs-bin-'));
    file = join(dir, 'run.log');
    await writeFile(file, EXAMPLE_LOG);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a log file in three peer columns and exits 0', async () => {
    const { code, stdout, stderr } = await runBin([file, '-c', '3']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'Test: TestInitialElection2A (seed 42)',
        'replay: raft-dstest TestInitialElection2A --seed 42 -n 1',
        '000000 TEST Test (2A): initial election ...',
        `${' '.repeat(40)}004213 TERM election timeout: candidate`,
        `${' '.repeat(40)}            for term 1`,
        '004213 VOTE grants vote to S1 for term',
        '            1',
        '035470 TEST   ... Passed --   3.5  3   62    7528    0',
        '',
      ].join('\n'),
    );
  });

  it('exits 2 with one line for an unknown topic', async () => {
    const { code, stdout, stderr } = await runBin([file, '-j', 'FOO']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^raft-dslogs: unknown topic "FOO" in --just; expected one of TIMR, VOTE, [^\n]*\n$/);
  });
});
