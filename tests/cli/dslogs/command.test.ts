import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDslogs } from '../../../src/cli/dslogs/command.js';
import { TOPICS } from '../../../src/sim/log.js';
import { ESC, EXAMPLE_LOG, run, Sink } from './io.js';

const LOG = [
  'Test: TestFigure82C (seed 7)',
  '000000 TEST Test (2C): Figure 8 ...',
  '000100 TIMR S0 election timer fired',
  '000200 VOTE S1 votes for S0 in term 1',
  '000300 TERM S2 follower in term 1',
  '000400 LEAD S0 leader for term 1',
  '000500 TEST     Error: one(100) failed to reach agreement',
  `    at Config.one (file:///project/dist/harness/config.js:120:11) ${'x'.repeat(150)}`,
  '',
].join('\n');

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

describe('raft-dslogs layout', () => {
  it('prints non-log lines unchanged and full width, and events one per row without -c', async () => {
    const { status, stdout, stderr } = await run([], { input: LOG });
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(lines(stdout)).toEqual(lines(LOG));
  });

  it('reads standard input when the file is "-"', async () => {
    const { status, stdout } = await run(['-'], { input: EXAMPLE_LOG });
    expect(status).toBe(0);
    expect(stdout).toContain('004213 VOTE S0 grants vote to S1 for term 1');
  });

  it('places each event in its peer column with -c, TEST lines at the left edge', async () => {
    const { stdout } = await run(['-c', '3'], { input: LOG });
    const out = lines(stdout);
    expect(out).toContain('000100 TIMR election timer fired');
    expect(out).toContain(`${' '.repeat(40)}000200 VOTE votes for S0 in term 1`);
    expect(out).toContain(`${' '.repeat(80)}000300 TERM follower in term 1`);
    expect(out).toContain('000000 TEST Test (2C): Figure 8 ...');
    expect(out).toContain('000500 TEST     Error: one(100) failed to reach agreement');
    // The stack trace line is longer than the width and is still not wrapped.
    expect(out).toContain(lines(LOG)[7]);
  });

  it('takes the column width from a terminal output', async () => {
    // 60 / 3 = 20 characters a column: S2 starts at 40, and its message wraps within the column.
    const { stdout } = await run(['--columns', '3'], { input: LOG, terminalWidth: 60, env: { NO_COLOR: '1' } });
    const out = lines(stdout);
    const at = out.findIndex((line) => line.includes('000300'));
    expect(out.slice(at, at + 2)).toEqual([`${' '.repeat(40)}000300 TERM`, `${' '.repeat(40)}follower in term 1`]);
  });

  it('accepts the --colums spelling of dslogs.py', async () => {
    const { stdout } = await run(['--colums', '3'], { input: LOG });
    expect(lines(stdout)).toContain(`${' '.repeat(80)}000300 TERM follower in term 1`);
  });

  it('handles CRLF line ends and a last line without a newline', async () => {
    const { stdout } = await run(['-c', '2'], { input: '000001 VOTE S1 a\r\n000002 VOTE S1 b' });
    expect(stdout).toBe(`${' '.repeat(60)}000001 VOTE a\n${' '.repeat(60)}000002 VOTE b\n`);
  });
});

describe('raft-dslogs topic filters', () => {
  it('--just keeps only the topics listed, case-insensitively, and the non-log lines', async () => {
    const { stdout } = await run(['-j', 'vote,Lead'], { input: LOG });
    expect(lines(stdout)).toEqual([
      'Test: TestFigure82C (seed 7)',
      '000200 VOTE S1 votes for S0 in term 1',
      '000400 LEAD S0 leader for term 1',
      lines(LOG)[7],
    ]);
  });

  it('--just shows TEST lines only when TEST is listed', async () => {
    const { stdout } = await run(['--just', 'test', '--just', 'TERM'], { input: LOG });
    expect(stdout).toContain('000000 TEST Test (2C): Figure 8 ...');
    expect(stdout).toContain('000300 TERM');
    expect(stdout).not.toContain('VOTE');
  });

  it('--ignore drops the topics listed, case-insensitively', async () => {
    const { stdout } = await run(['-i', 'timr,tErM'], { input: LOG });
    expect(stdout).not.toContain('TIMR');
    expect(stdout).not.toContain('TERM');
    expect(stdout).toContain('000200 VOTE');
    expect(stdout).toContain('000000 TEST');
  });

  it('--ignore TEST drops the harness lines but not the failure text that is not a log line', async () => {
    const { stdout } = await run(['-i', 'TEST'], { input: LOG });
    expect(stdout).not.toContain(' TEST ');
    expect(stdout).toContain('Test: TestFigure82C (seed 7)');
    expect(stdout).toContain('    at Config.one');
  });

  it('applies --ignore after --just', async () => {
    const { stdout } = await run(['-j', 'VOTE,LEAD', '-i', 'lead'], { input: LOG });
    expect(stdout).toContain('000200 VOTE');
    expect(stdout).not.toContain('LEAD');
  });
});

describe('raft-dslogs colour', () => {
  it('colours a terminal by default', async () => {
    const { stdout } = await run([], { input: LOG, terminalWidth: 100 });
    expect(stdout).toContain(`${ESC}[`);
  });

  it('uses no ANSI at all with NO_COLOR, even on a terminal', async () => {
    const { stdout } = await run(['-c', '3'], { input: LOG, terminalWidth: 100, env: { NO_COLOR: '1' } });
    expect(stdout).toContain('000200 VOTE');
    expect(stdout).not.toContain(ESC);
  });

  it('does not colour when the output is not a terminal', async () => {
    const { stdout } = await run([], { input: LOG });
    expect(stdout).not.toContain(ESC);
  });

  it('colours with FORCE_COLOR even when the output is not a terminal', async () => {
    const { stdout } = await run([], { input: LOG, env: { FORCE_COLOR: '1' } });
    expect(stdout).toMatch(new RegExp(`${ESC}\\[[0-9;]+m000200 VOTE S1 votes for S0 in term 1${ESC}\\[0m`));
    // Lines that are not log lines stay exactly as written.
    expect(lines(stdout)[0]).toBe('Test: TestFigure82C (seed 7)');
  });

  it('--no-color beats FORCE_COLOR, and --color beats NO_COLOR', async () => {
    expect((await run(['--no-color'], { input: LOG, env: { FORCE_COLOR: '1' } })).stdout).not.toContain(ESC);
    expect((await run(['--color'], { input: LOG, env: { NO_COLOR: '1' } })).stdout).toContain(ESC);
  });
});

describe('raft-dslogs bad input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raft-dslogs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs with bad input: status 2, nothing on stdout, one line on stderr that contains each of `mentions`. */
  async function expectUsageError(argv: string[], mentions: string[]): Promise<void> {
    const { status, stdout, stderr } = await run(argv, { input: EXAMPLE_LOG });
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^raft-dslogs: [^\n]+\n$/);
    for (const mention of mentions) expect(stderr).toContain(mention);
  }

  it.each([
    [['-j', 'VOTE,FOO'], ['"FOO"', '--just', TOPICS.join(', ')]],
    [['--ignore', 'vote,bar'], ['"bar"', '--ignore', TOPICS.join(', ')]],
    [['-j', ','], ['--just', TOPICS.join(', ')]],
  ])('an unknown or missing topic (%j) exits 2', async (argv, mentions) => {
    await expectUsageError(argv, mentions);
  });

  it.each([['0'], ['-1'], ['abc'], ['2.5'], ['3x'], ['']])('-c %j exits 2', async (value) => {
    await expectUsageError(['-c', value], [`"${value}"`, 'positive integer']);
  });

  it('a file that does not exist exits 2', async () => {
    const missing = join(dir, 'missing.log');
    await expectUsageError([missing], [`"${missing}"`, 'no such file', 'readable file']);
  });

  it('a directory given as the log exits 2', async () => {
    await expectUsageError([dir], [`"${dir}"`, 'directory', 'readable file']);
  });

  it.skipIf(process.getuid?.() === 0)('a file without read permission exits 2', async () => {
    const locked = join(dir, 'locked.log');
    await writeFile(locked, EXAMPLE_LOG);
    await chmod(locked, 0o000);
    await expectUsageError([locked], [`"${locked}"`, 'permission denied']);
  });

  it('an input that fails while being read exits 2', async () => {
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('input/output error'), { code: 'EIO' }));
      },
    });
    const errorOutput = new Sink();
    const status = await runDslogs({ argv: [], input: failing, output: new Sink(), errorOutput, env: {} });
    expect(status).toBe(2);
    expect(errorOutput.text).toBe('raft-dslogs: cannot read standard input: input/output error\n');
  });

  it('a terminal on standard input with no file exits 2 instead of waiting', async () => {
    const input = Object.assign(Readable.from(['']), { isTTY: true });
    const errorOutput = new Sink();
    const status = await runDslogs({ argv: [], input, output: new Sink(), errorOutput, env: {} });
    expect(status).toBe(2);
    expect(errorOutput.text).toMatch(/^raft-dslogs: no log to read[^\n]*\n$/);
  });

  it.each([
    [['--jsut', 'VOTE'], ['--jsut', '--just']],
    [['-c'], ['--columns']],
    [['a.log', 'b.log'], ['too many arguments']],
  ])('a command line commander rejects (%j) exits 2 with one line', async (argv, mentions) => {
    await expectUsageError(argv, mentions);
  });

  it('--help prints the usage and exits 0', async () => {
    const { status, stdout, stderr } = await run(['--help']);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('Usage: raft-dslogs');
    expect(stdout).toContain('wrap');
  });
});
