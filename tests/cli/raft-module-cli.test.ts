/**
 * `--raft <module>` refusals through the command line in process: the module
 * is probed in a thread of its own (the built probe worker), before any run
 * starts, and each bad module is one line on stderr with exit 2.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { root, type Exit } from './bin-helpers.js';
import { expectRefused, runCli } from './report-cli-helpers.js';

const fixture = (name: string) => join(root, 'tests', 'cli', 'fixtures', name);
const probeWorker = new URL('../../dist/runner/raft-probe-worker.js', import.meta.url);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-raft-module-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The command line in process, as an Exit; no run may start. */
async function cliExit(argv: string[]): Promise<Exit> {
  const { code, stdout, stderr, pool } = await runCli(argv);
  expect(pool.started).toHaveLength(0);
  return { code, stdout, stderr, ms: 0 };
}

describe.runIf(existsSync(probeWorker))('--raft refusals (in process, built probe)', () => {
  it('refuses a module without make(options) in one line, exit 2, before any run', async () => {
    const out = join(dir, 'out');
    const stderr = expectRefused(await cliExit(['--raft', fixture('no-make.mjs'), '2A', '-o', out]), out);
    expect(stderr).toBe(
      `raft-dstest: --raft module "${fixture('no-make.mjs')}" exports no make(options) function (it exports raft); it must implement the lab interface (make, start, getState, kill, handlers)\n`,
    );
  });

  it('refuses a module that cannot be loaded, naming the path', async () => {
    const out = join(dir, 'out');
    const missing = join(dir, 'missing.mjs');
    expect(expectRefused(await cliExit(['--raft', missing, '2A', '-o', out]), out)).toBe(
      `raft-dstest: cannot load --raft module "${missing}": no file at ${missing}\n`,
    );
    expect(expectRefused(await cliExit(['--raft', fixture('unloadable-raft.mjs'), '2A', '-o', out]), out)).toContain(
      `raft-dstest: cannot load --raft module "${fixture('unloadable-raft.mjs')}": Cannot find package 'raft-dstest-fixture-no-such-package'`,
    );
  });

  it('refuses a module with a syntax error, saying how to find the line', async () => {
    const out = join(dir, 'out');
    const module = join(dir, 'syntax-error.mjs');
    await writeFile(module, 'export function make( {\n');
    expect(expectRefused(await cliExit(['--raft', module, '2A', '-o', out]), out)).toBe(
      `raft-dstest: cannot load --raft module "${module}": SyntaxError: Unexpected end of input (node --check ${module} shows where)\n`,
    );
  });

  it('refuses a TypeScript module, saying to compile it first', async () => {
    const out = join(dir, 'out');
    const module = fixture('typescript-raft.ts');
    expect(expectRefused(await cliExit(['--raft', module, '2A', '-o', out]), out)).toBe(
      `raft-dstest: --raft module "${module}" is TypeScript, which Node 20 cannot load; compile it to JavaScript (tsc) and pass the .js file\n`,
    );
  });

  it('refuses a factory whose make() throws, or whose peers miss part of the interface', async () => {
    const out = join(dir, 'out');
    expect(expectRefused(await cliExit(['--raft', fixture('make-throws-raft.mjs'), '2A', '-o', out]), out)).toBe(
      `raft-dstest: --raft module "${fixture('make-throws-raft.mjs')}": make() threw RangeError: this peer cannot start\n`,
    );
    expect(expectRefused(await cliExit(['--raft', fixture('wrong-shape-raft.mjs'), '2A', '-o', out]), out)).toBe(
      `raft-dstest: --raft module "${fixture('wrong-shape-raft.mjs')}": make() returned an object without getState() and handlers.RequestVote\n`,
    );
  });

  it('has no meaning with --exec', async () => {
    const { code, stderr } = await cliExit(['--raft', fixture('no-make.mjs'), '--exec', 'true', 'X']);
    expect(code).toBe(2);
    expect(stderr).toBe('raft-dstest: --raft has no meaning with --exec or --go: the command is the test\n');
  });
});
