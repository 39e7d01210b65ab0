import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIMELINES_ELEMENT_ID } from '../../src/runner/report-html.js';
import { fakePool } from '../runner/helpers.js';
import { root as projectRoot } from './bin-helpers.js';
import { expectUsageError, runCli } from './report-cli-helpers.js';

// --html on a stress run, and --shard auto, through the command line in process.

const viewerBuilt = existsSync(join(projectRoot, 'dist', 'viewer', 'timeline.js'));

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'raft-dstest-html-cli-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const timelineKeys = (html: string) => Object.keys(JSON.parse(new RegExp(`id="${TIMELINES_ELEMENT_ID}">(.*?)</script>`).exec(html)![1]!));

describe.runIf(viewerBuilt)('--html', () => {
  it('writes the page after the table: the command line, each failing run with its replay command and timeline', async () => {
    const out = join(root, 'out');
    const html = join(root, 'reports', 'run.html');
    const { create } = fakePool((task) => (task.k === 1 ? { passed: false, error: 'expected one leader, got none' } : {}), { timelines: true });
    const argv = ['TestReElection2A', 'TestBasicAgree2B', '-n', '3', '--seed', '40', '-r', '-o', out, '--html', html];
    const { code, stderr } = await runCli(argv, undefined, { createPool: create });
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('2 of 6 runs failed');
    expect(page).toContain(`command: <code>raft-dstest TestReElection2A TestBasicAgree2B -n 3 --seed 40 -r -o ${out} --html ${html}</code>`);
    expect(page).toContain('<code>npx raft-dstest TestReElection2A --seed 41 -n 1 -r</code>');
    expect(page).toContain(`<code>${join(out, 'TestBasicAgree2B_1.log')}</code>`);
    expect(timelineKeys(page)).toEqual(['TestReElection2A#1', 'TestBasicAgree2B#1']);
  });

  it('keeps the command line in the JSON report, so that a page made later from it shows it too', async () => {
    const json = join(root, 'run.json');
    await runCli(['TestReElection2A', '-n', '1', '--seed', '3', '-o', join(root, 'out'), '--json', json]);
    const command = `raft-dstest TestReElection2A -n 1 --seed 3 -o ${join(root, 'out')} --json ${json}`;
    expect(JSON.parse(await readFile(json, 'utf8')).command).toBe(command);
    const html = join(root, 'later.html');
    await runCli(['report', json, '--html', html]);
    expect(await readFile(html, 'utf8')).toContain(`command: <code>${command}</code>`);
  });

  it('quotes the words of the command line that a shell would split', async () => {
    const html = join(root, 'run.html');
    const out = join(root, 'my out');
    await runCli(['Test(Re|Initial)Election2A', '-n', '1', '--seed', '1', '-o', out, '--html', html]);
    expect(await readFile(html, 'utf8')).toContain(`command: <code>raft-dstest &#39;Test(Re|Initial)Election2A&#39; -n 1 --seed 1 -o &#39;${out}&#39; --html ${html}</code>`);
  });

  it('refuses an --html path it cannot write, before any run', async () => {
    await mkdir(join(root, 'dir'));
    await expectUsageError(['2A', '--html', join(root, 'dir')], `cannot write --html report "${join(root, 'dir')}": it is a directory`, join(root, 'never'));
  });
});

describe('--shard auto', () => {
  it('runs the shard the environment names, and says where it found it', async () => {
    const { code, stdout, pool } = await runCli(['TestReElection2A', '-n', '8', '--seed', '100', '--shard', 'auto', '-o', join(root, 'out')], undefined, {
      env: { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '4' },
    });
    expect(code).toBe(0);
    expect(stdout).toContain('shard 2/4 (from CI_NODE_INDEX=2, CI_NODE_TOTAL=4): runs 2–3 of each test\n');
    expect(pool.started.map((t) => `${t.k}@${t.seed}`)).toEqual(['2@102', '3@103']);
  });

  it('takes a Kubernetes Indexed Job\'s total from --shard-total', async () => {
    const { stdout, pool } = await runCli(['TestReElection2A', '-n', '8', '--seed', '100', '--shard', 'auto', '--shard-total', '2', '-o', join(root, 'out')], undefined, {
      env: { JOB_COMPLETION_INDEX: '0' },
    });
    expect(stdout).toContain('shard 1/2 (from JOB_COMPLETION_INDEX=0, --shard-total 2): runs 0–3 of each test\n');
    expect(pool.started.map((t) => t.k)).toEqual([0, 1, 2, 3]);
  });

  describe('bad input', () => {
    const rejects = (argv: string[], message: string, env: NodeJS.ProcessEnv = {}) =>
      runCli([...argv, '-o', join(root, 'never')], undefined, { env }).then(({ code, stdout, stderr, pool }) => {
        expect(stderr).toBe(`raft-dstest: ${message}\n`);
        expect([code, stdout, pool.started.length, existsSync(join(root, 'never'))]).toEqual([2, '', 0, false]);
      });

    it('needs an engine to name the shard', () =>
      rejects(
        ['2A', '--seed', '1', '--shard', 'auto'],
        '--shard auto found no shard in the environment: set RAFT_DSTEST_SHARD=<i>/<n>, or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with --shard-total <n> or RAFT_DSTEST_SHARD_TOTAL) or a GitLab parallel job (CI_NODE_INDEX and CI_NODE_TOTAL)',
      ));
    it('needs --seed like any shard', () => rejects(['2A', '--shard', 'auto'], '--shard needs --seed so every shard plans the same runs', { RAFT_DSTEST_SHARD: '1/2' }));
    it('has --shard-total only with --shard auto', () =>
      rejects(['2A', '--seed', '1', '--shard', '1/2', '--shard-total', '2'], '--shard-total goes with --shard auto (a Kubernetes Indexed Job); --shard i/n names its total itself'));
    it('names a bad variable', () => rejects(['2A', '--seed', '1', '--shard', 'auto'], '--shard auto: RAFT_DSTEST_SHARD must be <i>/<n> (e.g. 2/4), got "two"', { RAFT_DSTEST_SHARD: 'two' }));
  });
});
