import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLogFile, LogWriter } from '../../src/runner/logs.js';
import type { RunResult } from '../../src/runner/protocol.js';
import { replayCommand } from '../../src/runner/replay.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-logs-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function result(overrides: Partial<RunResult>): RunResult {
  return { test: 'TestReElection2A', k: 7, seed: 1241, passed: true, wallMs: 5, simMs: 5000, log: ['000000 TEST hello', '050000 TEST --- PASS: TestReElection2A (5.00s)'], ...overrides };
}

const quiet = DEFAULT_RUN_SETTINGS;

describe('replayCommand', () => {
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

describe('formatLogFile', () => {
  it('starts with the test, the seed and the replay command, then the log, every line newline-terminated', () => {
    const text = formatLogFile(result({ passed: false, error: 'expected one leader, got none' }), { ...quiet, logLevel: 'debug' });
    expect(text).toBe(
      [
        '# test: TestReElection2A',
        '# seed: 1241',
        '# replay: npx raft-dstest TestReElection2A --seed 1241 -n 1 -v',
        '000000 TEST hello',
        '050000 TEST --- PASS: TestReElection2A (5.00s)',
        '',
      ].join('\n'),
    );
  });

  it('gives the error of a run that left no log (its worker died)', () => {
    const text = formatLogFile(result({ passed: false, error: 'worker failed: boom\n    at x', log: [] }), quiet);
    expect(text.split('\n').slice(3)).toEqual(['# error: worker failed: boom', '# error:     at x', '']);
  });
});

describe('LogWriter', () => {
  it('writes failing runs only, to <output>/<Test>_<k>.log', async () => {
    const output = join(root, 'out');
    const logs = new LogWriter({ outputDir: output, archive: false, settings: quiet });
    expect(logs.write(result({ k: 1 }))).toBeUndefined();
    const path = logs.write(result({ k: 2, passed: false, error: 'boom' }));
    await logs.flush();
    expect(path).toBe(join(output, 'TestReElection2A_2.log'));
    expect(await readdir(output)).toEqual(['TestReElection2A_2.log']);
    const text = await readFile(path!, 'utf8');
    expect(text.startsWith('# test: TestReElection2A\n# seed: 1241\n# replay: npx raft-dstest TestReElection2A --seed 1241 -n 1\n')).toBe(true);
    expect(logs.paths).toEqual([path]);
  });

  it('writes every run with archive', async () => {
    const logs = new LogWriter({ outputDir: root, archive: true, settings: quiet });
    logs.write(result({ k: 0 }));
    logs.write(result({ k: 1, passed: false, error: 'x' }));
    logs.write(result({ test: 'TestInitialElection2A', k: 0 }));
    await logs.flush();
    expect((await readdir(root)).sort()).toEqual(['TestInitialElection2A_0.log', 'TestReElection2A_0.log', 'TestReElection2A_1.log']);
  });

  it('makes no directory when nothing is kept', async () => {
    const output = join(root, 'never', 'made');
    const logs = new LogWriter({ outputDir: output, archive: false, settings: quiet });
    logs.write(result({}));
    await logs.flush();
    expect(existsSync(output)).toBe(false);
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('reports a write that failed when flushed', async () => {
    // A directory cannot be made inside a regular file.
    const logs = new LogWriter({ outputDir: join(import.meta.filename, 'out'), archive: true, settings: quiet });
    logs.write(result({}));
    await expect(logs.flush()).rejects.toThrow();
  });
});
