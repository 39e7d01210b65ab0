/** Runs the built command line as a user would, for the end-to-end tests. */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = join(root, 'bin', 'raft-dstest.js');
/** The same command line with the fixture tests of tests/runner/fixtures added to the registry's. */
export const fixtureBin = join(root, 'tests', 'cli', 'fixtures', 'fixture-bin.mjs');
/** The end-to-end tests need dist/; `npm test` builds it first. */
export const built = existsSync(join(root, 'dist', 'cli', 'main.js'));

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall milliseconds the command took. */
  ms: number;
}

/**
 * The variables `--shard auto` reads, unset: the tests may themselves run as
 * a shard of a CI engine (a GitLab parallel job, a Kubernetes Indexed Job),
 * whose variables must not reach the command lines they start.
 */
const NO_SHARD_ENV = { RAFT_DSTEST_SHARD: undefined, RAFT_DSTEST_SHARD_TOTAL: undefined, JOB_COMPLETION_INDEX: undefined, CI_NODE_INDEX: undefined, CI_NODE_TOTAL: undefined };

/** Runs bin/raft-dstest.js (or `options.bin`) with a clean colour, log and shard environment plus `options.env`. */
export function raftDstest(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; bin?: string } = {}): Promise<Exit> {
  const startedMs = Date.now();
  const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, RAFT_LOG: undefined, ...NO_SHARD_ENV, ...options.env };
  return new Promise((done) => {
    execFile(process.execPath, [options.bin ?? bin, ...args], { cwd: options.cwd ?? root, env }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : (error.code as number), stdout, stderr, ms: Date.now() - startedMs });
    });
  });
}

/**
 * A fake `go` in `dir`/bin, to put first on PATH (Go need not be installed):
 * a shell script that records each call's arguments, then runs `body`.
 */
export async function fakeGo(dir: string, body: readonly string[]): Promise<{ env: NodeJS.ProcessEnv; calls: () => Promise<string[]> }> {
  const binDir = join(dir, 'bin');
  const callLog = join(dir, 'calls');
  await mkdir(binDir, { recursive: true });
  await writeFile(join(binDir, 'go'), ['#!/bin/sh', `echo "$*" >> '${callLog}'`, ...body].join('\n'));
  await chmod(join(binDir, 'go'), 0o755);
  return {
    env: { PATH: `${binDir}${delimiter}${process.env.PATH}` },
    calls: async () => (await readFile(callLog, 'utf8')).trim().split('\n'),
  };
}
