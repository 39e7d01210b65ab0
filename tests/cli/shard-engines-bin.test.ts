/**
 * End to end on the built command line: `--shard auto` under the variables
 * that CI engines set, merged back into the unsharded run; and the examples
 * in examples/ (a GitHub Actions matrix, a Kubernetes Indexed Job) run the
 * way their engines would run them. The plan has failing runs (a Raft that
 * votes twice, under strict mode), so that results, not only counts, must
 * match, and the merged HTML report has timelines to show.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { TIMELINES_ELEMENT_ID } from '../../src/runner/report-html.js';
import type { JsonReport } from '../../src/runner/report-json.js';
import { bin, built, raftDstest, root, type Exit } from './bin-helpers.js';

const votesTwice = join(root, 'tests', 'cli', 'fixtures', 'strict', 'votes-twice-raft.mjs');
/** What every run of this file plans: 8 runs each of two tests, some of which fail. */
const TESTS = `--raft ${votesTwice} -r TestManyElections2A TestInitialElection2A`;
const RUNS = '8';
const SEED = '0';

let dir: string;
let unsharded: JsonReport;
let unshardedExit: Exit;

beforeAll(async () => {
  if (!built) return;
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-engines-'));
  unshardedExit = await raftDstest([...TESTS.split(' '), '-n', RUNS, '--seed', SEED, '-p', '2', '--json', join(dir, 'all.json'), '-o', join(dir, 'all')]);
  unsharded = await readJson(join(dir, 'all.json'));
}, 120_000);

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function readJson(path: string): Promise<JsonReport> {
  return JSON.parse(await readFile(path, 'utf8')) as JsonReport;
}

/** What must match between a merged report and the unsharded run: every run, its seed and its result. */
function results(report: JsonReport) {
  return report.runs.map((run) => ({ test: run.test, k: run.k, seed: run.seed, passed: run.passed, error: run.error, simMs: run.simMs }));
}

async function timelineKeys(htmlPath: string): Promise<string[]> {
  const html = await readFile(htmlPath, 'utf8');
  return Object.keys(JSON.parse(new RegExp(`id="${TIMELINES_ELEMENT_ID}">(.*?)</script>`).exec(html)![1]!)).sort();
}

const failingKeys = (report: JsonReport) => report.runs.filter((run) => !run.passed).map((run) => `${run.test}#${run.k}`).sort();

/**
 * Runs a shell script as a CI step would, in `cwd`, with `npx raft-dstest`
 * standing for this build's bin (no registry, no network).
 */
function step(script: string, env: Record<string, string>, cwd: string): Promise<Exit> {
  const npx = `npx() { if [ "$1" = raft-dstest ]; then shift; node ${JSON.stringify(bin)} "$@"; else echo "unexpected npx $*" >&2; return 127; fi; }\n`;
  const startedMs = Date.now();
  return new Promise((done) => {
    execFile('bash', ['-c', npx + script], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env } }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : (error.code as number), stdout, stderr, ms: Date.now() - startedMs });
    });
  });
}

describe.runIf(built)('--shard auto on CI engines', () => {
  it('4 shards, each under another engine\'s variables, merge into the unsharded run', async () => {
    expect(unshardedExit.code).toBe(1);
    expect(failingKeys(unsharded).length).toBeGreaterThan(0);
    const engines: [Record<string, string>, string[], string][] = [
      [{ RAFT_DSTEST_SHARD: '1/4' }, [], 'RAFT_DSTEST_SHARD=1/4'],
      [{ JOB_COMPLETION_INDEX: '1' }, ['--shard-total', '4'], 'JOB_COMPLETION_INDEX=1, --shard-total 4'],
      [{ JOB_COMPLETION_INDEX: '2', RAFT_DSTEST_SHARD_TOTAL: '4' }, [], 'JOB_COMPLETION_INDEX=2, RAFT_DSTEST_SHARD_TOTAL=4'],
      [{ CI_NODE_INDEX: '4', CI_NODE_TOTAL: '4' }, [], 'CI_NODE_INDEX=4, CI_NODE_TOTAL=4'],
    ];
    const shards = await Promise.all(
      engines.map(([env, flags], i) =>
        raftDstest([...TESTS.split(' '), '-n', RUNS, '--seed', SEED, '--shard', 'auto', ...flags, '--json', join(dir, `e${i + 1}.json`), '-o', join(dir, `e${i + 1}`)], { env }),
      ),
    );
    for (const [i, shard] of shards.entries()) {
      expect(shard.stderr).toBe('');
      expect(shard.stdout).toContain(`shard ${i + 1}/4 (from ${engines[i]![2]}): runs ${2 * i}–${2 * i + 1} of each test\n`);
    }
    const html = join(dir, 'engines.html');
    const merge = await raftDstest(['merge', ...engines.map((_, i) => join(dir, `e${i + 1}.json`)), '--json', join(dir, 'engines.json'), '--html', html]);
    expect(merge.stderr).toBe('');
    expect(merge.code).toBe(unshardedExit.code);
    expect(results(await readJson(join(dir, 'engines.json')))).toEqual(results(unsharded));
    expect(await timelineKeys(html)).toEqual(failingKeys(unsharded));
  });

  it('refuses --shard auto where no engine says which shard this is', async () => {
    const { code, stderr } = await raftDstest(['2A', '-n', '2', '--seed', '1', '--shard', 'auto', '-o', join(dir, 'none')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^raft-dstest: --shard auto found no shard in the environment: set RAFT_DSTEST_SHARD=<i>\/<n>, or run as a Kubernetes Indexed Job/);
  });
});

/** Replaces the workflow expressions the example uses; any other left over fails the test. */
function expand(text: string, values: Record<string, string>): string {
  const expanded = text.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
  expect(expanded).not.toContain('${{');
  return expanded;
}

describe.runIf(built)('the GitHub Actions example', () => {
  interface Step {
    name?: string;
    run?: string;
    uses?: string;
    if?: string;
    with?: Record<string, string | boolean>;
  }
  interface Job {
    needs?: string;
    if?: string;
    env?: Record<string, string>;
    strategy?: { 'fail-fast': boolean; matrix: { shard: number[] } };
    steps: Step[];
  }
  let workflow: { env: Record<string, string>; jobs: { shard: Job; merge: Job } };

  beforeAll(async () => {
    workflow = parse(await readFile(join(root, 'examples', 'github-actions', 'raft-dstest-shards.yml'), 'utf8'));
  });

  it('runs a matrix of shards that names each one through RAFT_DSTEST_SHARD, and keeps every report', () => {
    const { shard, merge } = workflow.jobs;
    const shards = shard.strategy!.matrix.shard;
    expect(shards).toEqual(Array.from({ length: Number(workflow.env.SHARDS) }, (_, i) => i + 1));
    expect(shard.strategy!['fail-fast']).toBe(false);
    expect(shard.env!.RAFT_DSTEST_SHARD).toBe(`\${{ matrix.shard }}/${shards.length}`);
    const run = shard.steps.find((s) => s.run?.includes('raft-dstest'))!;
    expect(run.run).toContain('--shard auto');
    expect(run.run).toContain('--seed "$SEED"');
    const upload = shard.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('always()');
    expect(upload.with!.path).toBe('reports/');
    expect(merge.needs).toBe('shard');
    expect(merge.if).toBe('always()');
    const download = merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(String(upload.with!.name).replace('${{ matrix.shard }}', '*')).toBe(download.with!.pattern);
    expect(download.with).toMatchObject({ path: 'reports', 'merge-multiple': true });
    expect(merge.steps.find((s) => s.run?.includes('raft-dstest merge'))!.run).toContain('--html reports/report.html');
  });

  it('its shard and merge steps, run as Actions would, give the unsharded run and an HTML report', async () => {
    const workspace = join(dir, 'actions');
    const { shard, merge } = workflow.jobs;
    const plan = { SEED, TESTS, RUNS };
    const runOf = (job: Job) => job.steps.find((s) => s.run?.includes('npx raft-dstest'))!.run!;
    const exits = await Promise.all(
      shard.strategy!.matrix.shard.map(async (i) => {
        const values = { 'matrix.shard': String(i), 'github.run_id': SEED };
        const env = { ...workflow.env, ...shard.env!, ...plan };
        const expandedEnv = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, expand(String(value), values)]));
        await mkdir(workspace, { recursive: true });
        return step(expand(runOf(shard), values), expandedEnv, workspace);
      }),
    );
    for (const exit of exits) {
      expect(exit.stderr).toBe('');
      expect([0, 1]).toContain(exit.code);
    }
    // The artifacts of every shard, downloaded with merge-multiple, are the shards' reports/ folders in one place: here, as written.
    const merged = await step(expand(runOf(merge), {}), { ...workflow.env, ...plan }, workspace);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(unshardedExit.code);
    const all = await readJson(join(workspace, 'reports', 'all.json'));
    expect(results(all)).toEqual(results(unsharded));
    expect(await timelineKeys(join(workspace, 'reports', 'report.html'))).toEqual(failingKeys(unsharded));
    // The shards' command lines, which differ only in where they write, one per line in the merged report and page.
    const commands = [1, 2, 3, 4].map((i) => `raft-dstest ${TESTS} -n ${RUNS} -p 2 --seed ${SEED} --shard auto --json reports/shard-${i}.json -o reports/shard-${i}`);
    expect(all.command!.split('\n').sort()).toEqual(commands);
    expect(await readFile(join(workspace, 'reports', 'report.html'), 'utf8')).toContain('<p class="meta">commands of the 4 shards:</p>');
  });
});

describe.runIf(built)('the Kubernetes example', () => {
  interface Container {
    command: string[];
    args: string[];
    env: { name: string; value: string }[];
    volumeMounts: { name: string; mountPath: string }[];
  }
  interface Job {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: {
      completionMode?: string;
      completions?: number;
      parallelism?: number;
      template: { spec: { restartPolicy: string; containers: Container[]; volumes: { name: string; persistentVolumeClaim: { claimName: string } }[] } };
    };
  }
  interface Claim {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: { accessModes: string[] };
  }
  let documents: (Job | Claim)[];
  let shards: Job;
  let merge: Job;

  beforeAll(async () => {
    documents = parseAllDocuments(await readFile(join(root, 'examples', 'kubernetes', 'raft-dstest-indexed-job.yaml'), 'utf8')).map((d) => d.toJS() as Job | Claim);
    shards = documents.find((d) => d.metadata.name === 'raft-dstest-shards') as Job;
    merge = documents.find((d) => d.metadata.name === 'raft-dstest-merge') as Job;
  });

  it('holds what Kubernetes needs to accept it: Jobs that never restart a pod in place, sharing one volume where the scripts write', () => {
    expect(documents.map((d) => [d.apiVersion, d.kind, d.metadata.name])).toEqual([
      ['v1', 'PersistentVolumeClaim', 'raft-dstest-reports'],
      ['batch/v1', 'Job', 'raft-dstest-shards'],
      ['batch/v1', 'Job', 'raft-dstest-merge'],
    ]);
    // Pods of several nodes write to the one volume at once.
    expect((documents[0] as Claim).spec.accessModes).toEqual(['ReadWriteMany']);
    for (const job of [shards, merge]) {
      const pod = job.spec.template.spec;
      // A Job's pods may not have restartPolicy Always.
      expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
      const [volume] = pod.volumes;
      expect(volume!.persistentVolumeClaim.claimName).toBe(documents[0]!.metadata.name);
      const container = pod.containers[0]!;
      expect(container.volumeMounts).toEqual([{ name: volume!.name, mountPath: envOf(job).REPORTS }]);
    }
  });

  const envOf = (job: Job) => Object.fromEntries(job.spec.template.spec.containers[0]!.env.map(({ name, value }) => [name, value]));
  const scriptOf = (job: Job) => {
    const { command, args } = job.spec.template.spec.containers[0]!;
    expect(command).toEqual(['bash', '-c']);
    return args[0]!;
  };

  it('is an Indexed Job whose shard total matches its completions, and a merge Job that waits for them all', () => {
    expect(shards.kind).toBe('Job');
    expect(shards.spec.completionMode).toBe('Indexed');
    expect(shards.spec.parallelism).toBe(shards.spec.completions);
    expect(Number(envOf(shards).RAFT_DSTEST_SHARD_TOTAL)).toBe(shards.spec.completions);
    expect(Number(envOf(merge).SHARDS)).toBe(shards.spec.completions);
    expect(scriptOf(shards)).toContain('--shard auto');
    expect(scriptOf(merge)).toContain('--html "$REPORTS/report.html"');
  });

  it('its pods, run with the JOB_COMPLETION_INDEX Kubernetes gives each, and its merge give the unsharded run', async () => {
    const reports = join(dir, 'kubernetes');
    const plan = { SEED, TESTS, RUNS, REPORTS: reports };
    const pods = await Promise.all(
      Array.from({ length: shards.spec.completions! }, (_, index) => step(scriptOf(shards), { ...envOf(shards), ...plan, JOB_COMPLETION_INDEX: String(index) }, dir)),
    );
    for (const pod of pods) {
      expect(pod.stderr).toBe('');
      // Failing runs still complete the pod; the merge gives the verdict.
      expect(pod.code).toBe(0);
    }
    const merged = await step(scriptOf(merge), { ...envOf(merge), ...plan }, dir);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(unshardedExit.code);
    expect(results(await readJson(join(reports, 'all.json')))).toEqual(results(unsharded));
    expect(await timelineKeys(join(reports, 'report.html'))).toEqual(failingKeys(unsharded));
  });
});
