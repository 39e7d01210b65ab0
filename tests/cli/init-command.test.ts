/**
 * `raft-dstest init <dir>`: the starter it writes loads under --raft, fails
 * the tests honestly, type-checks against the package's types, and nothing
 * that exists is ever overwritten.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadRaftFactory } from '../../src/runner/raft-module.js';
import { runLabTest } from '../../src/suite/run-test.js';
import { built, root } from './bin-helpers.js';
import { capture } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-init-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function init(argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(['init', ...argv], { stdout: stdout.stream, stderr: stderr.stream, env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const template = (name: string) => readFile(join(root, 'templates', name), 'utf8');

describe('raft-dstest init', () => {
  it('writes the skeleton and a README into a new directory, creating its parents, and says what to run next', async () => {
    const target = join(dir, 'labs', 'mine');
    const { code, stdout, stderr } = await init([target]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect((await readdir(target)).sort()).toEqual(['README.md', 'raft.mjs']);
    // The peer's header and the README give the same command, the one printed last (issue 14, item 5).
    const raft = await readFile(join(target, 'raft.mjs'), 'utf8');
    expect(raft).toBe((await template('raft.mjs')).replace('{{raftPath}}', `${target}/raft.mjs`));
    expect(raft).toContain(` *     npx raft-dstest 2A -n 10 --raft ${target}/raft.mjs\n`);
    expect(raft).not.toContain('{{raftPath}}');
    expect(stdout).toBe(
      `wrote ${target}/raft.mjs: a Raft peer to fill in, plain JavaScript with JSDoc types\n` +
        `wrote ${target}/README.md: how to run the lab tests against it\n` +
        `next: npx raft-dstest 2A -n 10 --raft ${target}/raft.mjs\n`,
    );
    const readme = await readFile(join(target, 'README.md'), 'utf8');
    expect(readme).toContain(`    npx raft-dstest 2A -n 10 --raft ${target}/raft.mjs\n`);
    expect(readme).not.toContain('{{');
  });

  it('is reached through the command line as its own word', async () => {
    const stdout = capture();
    const code = await main(['init', join(dir, 'mine')], { stdout: stdout.stream, stderr: capture().stream, env: {} });
    expect(code).toBe(0);
    expect(stdout.text()).toContain(`next: npx raft-dstest 2A -n 10 --raft ${join(dir, 'mine')}/raft.mjs`);
  });

  it('quotes a path the shell would split', async () => {
    const target = join(dir, "my raft's");
    const { code, stdout } = await init([target]);
    expect(code).toBe(0);
    const quoted = `'${target.replace("'", `'\\''`)}/raft.mjs'`;
    expect(stdout).toContain(`next: npx raft-dstest 2A -n 10 --raft ${quoted}\n`);
    expect(await readFile(join(target, 'README.md'), 'utf8')).toContain(`--raft ${quoted}\n`);
  });

  it('writes into an existing empty directory', async () => {
    const { code } = await init([dir]);
    expect(code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'raft.mjs']);
  });

  it('refuses a directory that holds anything, in one line naming it, and changes nothing', async () => {
    await writeFile(join(dir, 'raft.mjs'), 'my own work\n');
    const { code, stdout, stderr } = await init([dir]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`raft-dstest: init: ${dir} is not empty (it holds raft.mjs); give a new or empty directory, so that nothing is overwritten\n`);
    expect(await readdir(dir)).toEqual(['raft.mjs']);
    expect(await readFile(join(dir, 'raft.mjs'), 'utf8')).toBe('my own work\n');

    await mkdir(join(dir, 'sub'));
    expect((await init([dir])).stderr).toContain(`${dir} is not empty (it holds 2 entries)`);
  });

  it('refuses a path that is a file, or one it cannot create', async () => {
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'x');
    expect(await init([file])).toEqual({ code: 2, stdout: '', stderr: `raft-dstest: init: ${file} is a file; give a new or empty directory\n` });
    expect(await init([join(file, 'mine')])).toEqual({ code: 2, stdout: '', stderr: `raft-dstest: init: cannot create ${join(file, 'mine')}: ENOTDIR\n` });
  });

  it('needs exactly one directory', async () => {
    expect(await init([])).toEqual({ code: 2, stdout: '', stderr: "raft-dstest: init: missing required argument 'dir'\n" });
    const extra = await init([join(dir, 'a'), join(dir, 'b')]);
    expect(extra.code).toBe(2);
    expect(extra.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });

  it('prints its help on --help and exits 0', async () => {
    const { code, stdout } = await init(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: raft-dstest init [options] <dir>');
  });
});

describe('the skeleton init writes', () => {
  it('passes the --raft checks and fails the election test honestly: no leader, no crash', async () => {
    await init([dir]);
    const raft = await loadRaftFactory(join(dir, 'raft.mjs'));
    const outcome = await runLabTest({ test: 'TestInitialElection2A', seed: 1, raft });
    expect(outcome.passed).toBe(false);
    expect(outcome.error).toBe('expected one leader, got none');
  });

  // The type-check reads the package's declarations from dist/ (npm test builds them).
  describe.runIf(built)('type-checks with tsc against the package types', () => {
    /** Runs tsc on `target`/raft.mjs with raft-dstest resolved to this repository's build, as an installed package would be. */
    async function typeCheck(target: string): Promise<{ code: number; output: string }> {
      const tsconfig = {
        compilerOptions: {
          allowJs: true,
          checkJs: true,
          noEmit: true,
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          skipLibCheck: true,
          types: [],
          paths: { 'raft-dstest': [join(root, 'dist', 'index.d.ts')] },
        },
        files: ['raft.mjs'],
      };
      await writeFile(join(target, 'tsconfig.json'), JSON.stringify(tsconfig));
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      return new Promise((done) => {
        execFile(process.execPath, [tsc, '-p', target], (error, stdout, stderr) => {
          done({ code: error === null ? 0 : (error.code as number), output: stdout + stderr });
        });
      });
    }

    it('as written', async () => {
      await init([dir]);
      const { code, output } = await typeCheck(dir);
      expect(output).toBe('');
      expect(code).toBe(0);
    });

    it('and catches a peer that breaks the contract', async () => {
      await init([dir]);
      const path = join(dir, 'raft.mjs');
      const source = await readFile(path, 'utf8');
      const broken = source.replace("return { term: this.currentTerm, isLeader: this.role === 'leader' };", 'return { term: String(this.currentTerm), isLeader: true };');
      expect(broken).not.toBe(source);
      await writeFile(path, broken);
      const { code, output } = await typeCheck(dir);
      expect(code).not.toBe(0);
      expect(output).toContain("error TS2322: Type 'string' is not assignable to type 'number'.");
    });
  });
});
