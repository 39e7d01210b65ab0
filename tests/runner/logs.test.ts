import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logFileName, logHeader, logTrailer, LogWriter, type LogOutcome } from '../../src/runner/logs.js';
import type { RunResult } from '../../src/runner/protocol.js';
import { replayCommand } from '../../src/runner/replay.js';
import { shellWord } from '../../src/runner/shell-words.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';
import { fullDisk, recordingFiles } from './helpers.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-logs-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const quiet = DEFAULT_RUN_SETTINGS;

describe('replayCommand', () => {
  // Issue 11, item 3: test names and commands were printed bare.
  it('quotes every word that is not plain, so that pasting the line runs exactly this run', () => {
    expect(replayCommand({ ...quiet, exec: 'echo {test}; exit 1' }, 'a;touch /tmp/x', 3)).toBe(`npx raft-dstest --exec 'echo {test}; exit 1' 'a;touch /tmp/x' --seed 3 -n 1`);
    expect(replayCommand({ ...quiet, raftModule: "my raft's/raft.mjs" }, 'T', 1)).toBe(`npx raft-dstest --raft 'my raft'\\''s/raft.mjs' T --seed 1 -n 1`);
    expect(replayCommand(quiet, 'two\nlines', 1)).toBe(`npx raft-dstest $'two\\nlines' --seed 1 -n 1`);
  });

  // Issue 11, item 3: a name that starts with '-' was pasted as an option (`unknown option '-weird'`, exit 2).
  it('puts a test name that starts with a dash after --, so that it is not read as an option', () => {
    expect(replayCommand({ ...quiet, exec: 'exit 1' }, '-weird', 5)).toBe(`npx raft-dstest --exec 'exit 1' --seed 5 -n 1 -- -weird`);
    expect(replayCommand({ ...quiet, exec: 'exit 1', logLevel: 'debug' }, '--x y', 5)).toBe(`npx raft-dstest --exec 'exit 1' --seed 5 -n 1 -v -- '--x y'`);
  });

  it('replays an external command with --exec, quoted for the shell', () => {
    expect(replayCommand({ ...quiet, exec: "go test -run '^{test}$'" }, 'X', 7)).toBe(
      `npx raft-dstest --exec 'go test -run '\\''^{test}$'\\''' X --seed 7 -n 1`,
    );
  });

  it('replays one run with its seed', () => {
    expect(replayCommand(quiet, 'TestReElection2A', 1234)).toBe('npx raft-dstest TestReElection2A --seed 1234 -n 1');
  });

  it('keeps the flags that shaped the run and its log', () => {
    expect(replayCommand({ ...quiet, realtime: true, logLevel: 'debug' }, 'T', 1)).toBe('npx raft-dstest T --seed 1 -n 1 --realtime -v');
    expect(replayCommand({ ...quiet, logLevel: 'trace' }, 'T', 1)).toBe('npx raft-dstest T --seed 1 -n 1 -vv');
    expect(replayCommand({ ...quiet, strict: true, checkDeterminism: true }, 'T', 1)).toBe('npx raft-dstest T --seed 1 -n 1 -r --check-determinism');
  });
});

describe('logHeader and logTrailer', () => {
  it('start a log with the test, the seed and the replay command, each on its own line', () => {
    expect(logHeader('TestReElection2A', 1241, { ...quiet, logLevel: 'debug' })).toBe(
      '# test: TestReElection2A\n# seed: 1241\n# replay: npx raft-dstest TestReElection2A --seed 1241 -n 1 -v\n',
    );
  });

  it('keep the three header lines three lines, whatever the test is called', () => {
    const text = logHeader('x\n# replay: rm -rf ~', 1241, quiet);
    expect(text.split('\n').slice(0, 3)).toEqual([`# test: $'x\\n# replay: rm -rf ~'`, '# seed: 1241', `# replay: npx raft-dstest $'x\\n# replay: rm -rf ~' --seed 1241 -n 1`]);
  });

  // Issue 11, item 10: a timeout, a dead worker or a strict-mode failure left no reason in the log.
  it('end the log of a failed run with every line of its error, and of a cut-off run with what cut it off', () => {
    expect(logTrailer({ passed: false, error: 'timed out after 2s' })).toBe('# error: timed out after 2s\n');
    expect(logTrailer({ passed: false, error: 'worker failed: boom\n    at x' })).toBe('# error: worker failed: boom\n# error:     at x\n');
    expect(logTrailer({ passed: false, interrupted: 'cut off by SIGTERM after 1.00s' })).toBe('# interrupted: cut off by SIGTERM after 1.00s\n');
    expect(logTrailer({ passed: true })).toBe('');
  });
});

describe('logFileName', () => {
  it('is <Test>_<k>.log for a plain test name', () => {
    expect(logFileName('TestReElection2A', 7)).toBe('TestReElection2A_7.log');
  });

  // Issue 11, item 2: `--exec 'exit 1' '../precious' -o out` wrote precious_0.log outside out/.
  it('encodes every character that could leave the directory, hide the file or confuse a reader', () => {
    expect(logFileName('../precious', 0)).toBe('%2E%2E%2Fprecious_0.log');
    expect(logFileName('/etc/passwd', 1)).toBe('%2Fetc%2Fpasswd_1.log');
    expect(logFileName('.hidden', 0)).toBe('%2Ehidden_0.log');
    expect(logFileName('a\u0000b\nc d%', 0)).toBe('a%00b%0Ac%20d%25_0.log');
    expect(logFileName('é', 0)).toBe('%C3%A9_0.log');
  });

  it('keeps distinct names distinct, and cuts a very long one, keeping it unique with a hash', () => {
    expect(logFileName('a/b', 0)).not.toBe(logFileName('a%2Fb', 0));
    const long = logFileName('T'.repeat(1000), 0);
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).not.toBe(logFileName(`${'T'.repeat(999)}U`, 0));
  });
});

/** What RunLog receives: the bytes of these lines. */
const bytes = (...lines: string[]) => Buffer.from(lines.map((line) => `${line}\n`).join(''));

async function logRun(logs: LogWriter, run: { test?: string; k?: number; lines?: string[]; result: Pick<RunResult, 'passed' | 'error' | 'interrupted'> }): Promise<LogOutcome> {
  const log = logs.open({ test: run.test ?? 'TestReElection2A', k: run.k ?? 7, seed: 1241 });
  await log.write(bytes(...(run.lines ?? ['000000 TEST hello'])));
  return log.finish(run.result);
}

describe('LogWriter', () => {
  it('writes failing runs only, to <output>/<Test>_<k>.log, with the header, the log and the error', async () => {
    const output = join(root, 'out');
    const logs = new LogWriter({ outputDir: output, archive: false, settings: quiet });
    expect(await logRun(logs, { k: 1, result: { passed: true } })).toEqual({});
    const outcome = await logRun(logs, { k: 2, lines: ['000000 TEST hello', '050000 TEST --- FAIL: TestReElection2A (5.00s)'], result: { passed: false, error: 'boom' } });
    const path = join(output, 'TestReElection2A_2.log');
    expect(outcome).toEqual({ path });
    expect(await readdir(output)).toEqual(['TestReElection2A_2.log']);
    expect(await readFile(path, 'utf8')).toBe(
      [
        '# test: TestReElection2A',
        '# seed: 1241',
        '# replay: npx raft-dstest TestReElection2A --seed 1241 -n 1',
        '000000 TEST hello',
        '050000 TEST --- FAIL: TestReElection2A (5.00s)',
        '# error: boom',
        '',
      ].join('\n'),
    );
    expect(logs.paths).toEqual([path]);
  });

  it('writes every run with archive, and every interrupted run without', async () => {
    const logs = new LogWriter({ outputDir: root, archive: true, settings: quiet });
    await logRun(logs, { k: 0, result: { passed: true } });
    await logRun(logs, { k: 1, result: { passed: false, error: 'x' } });
    await logRun(logs, { test: 'TestInitialElection2A', k: 0, result: { passed: true } });
    expect((await readdir(root)).sort()).toEqual(['TestInitialElection2A_0.log', 'TestReElection2A_0.log', 'TestReElection2A_1.log']);
    const quietLogs = new LogWriter({ outputDir: join(root, 'cut'), archive: false, settings: quiet });
    const { path } = await logRun(quietLogs, { result: { passed: false, interrupted: 'cut off by SIGINT after 0.50s' } });
    expect(await readFile(path!, 'utf8')).toMatch(/\n000000 TEST hello\n# interrupted: cut off by SIGINT after 0\.50s\n$/);
  });

  it('makes no directory when nothing is kept', async () => {
    const output = join(root, 'never', 'made');
    const logs = new LogWriter({ outputDir: output, archive: false, settings: quiet });
    await logRun(logs, { result: { passed: true } });
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('ends the last line of output that had no newline before the error', async () => {
    const logs = new LogWriter({ outputDir: root, archive: false, settings: quiet });
    const log = logs.open({ test: 'X', k: 0, seed: 1 });
    await log.write(Buffer.from('no newline at the end'));
    const { path } = await log.finish({ passed: false, error: 'exit code 1' });
    expect((await readFile(path!, 'utf8')).split('\n').slice(3)).toEqual(['no newline at the end', '# error: exit code 1', '']);
  });

  // Issue 11, item 2: an existing file was overwritten, and a planted link followed.
  it('never overwrites a file it did not create, nor follows a link planted at its name: it takes the next free name', async () => {
    await writeFile(join(root, 'X_0.log'), 'precious');
    await symlink(join(root, 'victim'), join(root, 'X_0~1.log'));
    const logs = new LogWriter({ outputDir: root, archive: false, settings: quiet });
    const { path } = await logRun(logs, { test: 'X', k: 0, result: { passed: false, error: 'x' } });
    expect(path).toBe(join(root, 'X_0~2.log'));
    expect(await readFile(join(root, 'X_0.log'), 'utf8')).toBe('precious');
    expect(existsSync(join(root, 'victim'))).toBe(false);
    expect(await readFile(path!, 'utf8')).toContain('# error: x');
  });

  it('keeps a traversing test name inside the output directory', async () => {
    const output = join(root, 'out');
    const logs = new LogWriter({ outputDir: output, archive: false, settings: quiet });
    const { path } = await logRun(logs, { test: '../precious', k: 0, result: { passed: false, error: 'x' } });
    expect(path).toBe(join(output, '%2E%2E%2Fprecious_0.log'));
    expect(await readdir(root)).toEqual(['out']);
  });

  // Issue 11, item 9: a big log was held whole in memory and written in one piece.
  it('moves a log larger than the spill size to its file while the run goes on, and removes it if the run passes', async () => {
    const files = recordingFiles();
    const logs = new LogWriter({ outputDir: root, archive: false, settings: quiet, files, spillBytes: 100 });
    const log = logs.open({ test: 'Big', k: 0, seed: 1 });
    for (let i = 0; i < 50; i++) await log.write(bytes(`line ${i}`));
    // On disk before the run ends: at most the spill size was ever held.
    expect(files.created).toEqual([join(root, 'Big_0.log')]);
    expect(await readFile(join(root, 'Big_0.log'), 'utf8')).toContain('line 40\n');
    expect(await log.finish({ passed: true })).toEqual({});
    expect(existsSync(join(root, 'Big_0.log'))).toBe(false);
    const kept = logs.open({ test: 'Big', k: 1, seed: 2 });
    for (let i = 0; i < 50; i++) await kept.write(bytes(`line ${i}`));
    const { path } = await kept.finish({ passed: false, error: 'late' });
    const text = await readFile(path!, 'utf8');
    expect(text.split('\n').slice(3, 5)).toEqual(['line 0', 'line 1']);
    expect(text).toMatch(/\nline 49\n# error: late\n$/);
  });

  // Issue 11, item 8: on a full disk 113 of 150 logs were left empty, yet all were named as written.
  it('on a full disk, names each log it could not write and why, and leaves no partial file', async () => {
    const disk = fullDisk(600);
    const logs = new LogWriter({ outputDir: root, archive: false, settings: quiet, files: disk });
    const outcomes = [];
    for (let k = 0; k < 5; k++) outcomes.push(await logRun(logs, { k, lines: ['x'.repeat(150)], result: { passed: false, error: 'boom' } }));
    const written = outcomes.filter((o) => o.path !== undefined);
    const failed = outcomes.filter((o) => o.failure !== undefined);
    expect(written.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    expect(written.length + failed.length).toBe(5);
    for (const { failure } of failed) {
      expect(failure!.error.message).toMatch(/^ENOSPC/);
      expect(failure!.path).toMatch(/TestReElection2A_\d\.log$/);
      expect(existsSync(failure!.path)).toBe(false);
    }
    expect(logs.paths).toEqual(written.map((o) => o.path));
    expect(logs.failures).toEqual(failed.map((o) => o.failure));
    for (const path of logs.paths) expect(await readFile(path, 'utf8')).toMatch(/# error: boom\n$/);
    expect((await readdir(root)).sort()).toEqual(written.map((o) => basename(o.path!)).sort());
  });
});

describe('shellWord', () => {
  it('gives back, through a real shell, exactly the word it was given', async () => {
    const { execFileSync } = await import('node:child_process');
    const words = ['plain', 'a;b', "it's", 'tab\there', 'two\nlines', '$(x) `y` "z" \\ *', '', 'é ✓', '\u0001\u007f'];
    const printed = execFileSync('bash', ['-c', `printf '%s\\0' ${words.map(shellWord).join(' ')}`]).toString('utf8');
    expect(printed.split('\0').slice(0, -1)).toEqual(words);
    for (const word of words) expect(shellWord(word), JSON.stringify(word)).not.toContain('\n');
  });
});
