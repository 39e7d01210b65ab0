import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/harness/timeline.js';
import { buildHtmlReport, FAILED_TIMELINES_SHOWN_MAX } from '../../src/runner/html-report.js';
import { TIMELINES_ELEMENT_ID } from '../../src/runner/report-html.js';
import { buildReport, type JsonReport, type RunRecord } from '../../src/runner/report-json.js';
import { timelinePathFor, writeTimelineFile } from '../../src/runner/timeline-files.js';

// Gathering the HTML report from a JSON report and the files beside its
// logs: the replay command from each log's header, the timeline from the
// .timeline.json beside it, and a note for whatever is missing.

const assets = { script: '', style: '' };
const header = { seed: 100, mode: 'sim' as const, workers: 1, startedAt: '2025-06-07T08:09:10.000Z', wallMs: 10 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-html-'));
  await mkdir(join(dir, 'out'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function timeline(test: string, seed: number): Timeline {
  return { version: 1, test, seed, peers: 3, inspected: true, endMs: 10, failure: null, states: [], events: [], network: [], rpcs: [], log: [] };
}

/** A kept run: its log (with the header the runner writes) and, unless told not to, its timeline. */
async function keptRun(test: string, k: number, options: { passed?: boolean; timeline?: Timeline | 'none' | 'garbage' } = {}): Promise<RunRecord> {
  const seed = 100 + k;
  const log = join(dir, 'out', `${test}_${k}.log`);
  await writeFile(log, `# test: ${test}\n# seed: ${seed}\n# replay: npx raft-dstest ${test} --seed ${seed} -n 1 -r\n000000 TEST hello\n`);
  if (options.timeline === 'garbage') await writeFile(timelinePathFor(log), '{"version": 1');
  else if (options.timeline !== 'none') await writeTimelineFile(timelinePathFor(log), options.timeline ?? timeline(test, seed));
  const passed = options.passed ?? false;
  return { test, k, seed, passed, wallMs: 1, simMs: 5, raftMs: 1, saves: 1, savedBytes: 9, error: passed ? null : `failure ${k}`, log };
}

const timelineKeys = (html: string) => Object.keys(JSON.parse(new RegExp(`id="${TIMELINES_ELEMENT_ID}">(.*?)</script>`).exec(html)![1]!));

describe('buildHtmlReport', () => {
  it('takes each failing run\'s replay command from its log and its timeline from beside it', async () => {
    const runs = [await keptRun('TestA', 0), { test: 'TestA', k: 1, seed: 101, passed: true, wallMs: 1, simMs: 5, raftMs: 1, saves: 1, savedBytes: 9, error: null, log: null }];
    const html = await buildHtmlReport({ report: buildReport(header, ['TestA'], runs), command: null, assets });
    expect(html).toContain('<code>npx raft-dstest TestA --seed 100 -n 1 -r</code>');
    expect(timelineKeys(html)).toEqual(['TestA#0']);
  });

  it('finds a relative log beside the JSON report, and uses a replay command it is given', async () => {
    const run = await keptRun('TestA', 0);
    const report = buildReport(header, ['TestA'], [{ ...run, log: relative(dir, run.log!) }]);
    const html = await buildHtmlReport({ report, command: null, assets, baseDirs: [dir], replayFor: (r) => `replay ${r.seed}` });
    expect(timelineKeys(html)).toEqual(['TestA#0']);
    expect(html).toContain('<code>replay 100</code>');
    const lost = await buildHtmlReport({ report, command: null, assets });
    expect(timelineKeys(lost)).toEqual([]);
    expect(lost).toContain(`No timeline: its log ${join('out', 'TestA_0.log')} was not found`);
    expect(lost).toContain('<code>npx raft-dstest TestA --seed 100 -n 1</code>');
  });

  it('says why a run has no timeline', async () => {
    const runs = [
      await keptRun('TestA', 0, { timeline: 'none' }),
      await keptRun('TestA', 1, { timeline: 'garbage' }),
      await keptRun('TestA', 2, { timeline: timeline('TestOther', 5) }),
      { test: 'TestA', k: 3, seed: 103, passed: false, wallMs: 1, simMs: 5, raftMs: 1, saves: 1, savedBytes: 9, error: 'e', log: null },
    ];
    const html = await buildHtmlReport({ report: buildReport(header, ['TestA'], runs), command: null, assets });
    expect(timelineKeys(html)).toEqual([]);
    expect(html).toMatch(/No timeline: no \S+TestA_0\.timeline\.json \(a run that timed out or crashed its worker has none, nor one run with --charge-cpu\)/);
    expect(html).toMatch(/No timeline: \S+TestA_1\.timeline\.json is not a timeline: not JSON/);
    expect(html).toMatch(/No timeline: \S+TestA_2\.timeline\.json belongs to TestOther seed 5, not this run/);
    expect(html).toContain('No timeline: its log was not kept');
    // A report is data: a path that names no log is not opened, not even to look for a replay line.
    const secret = join(dir, 'secret.txt');
    await writeFile(secret, '# replay: leaked\n');
    const odd = await buildHtmlReport({ report: buildReport(header, ['TestA'], [{ ...runs[3]!, log: secret }]), command: null, assets });
    expect(odd).not.toContain('leaked');
    expect(odd).toContain(`No timeline: its log ${secret} was not found`);
    const realtime: JsonReport = { ...buildReport({ ...header, mode: 'realtime' }, ['TestA'], runs) };
    expect(await buildHtmlReport({ report: realtime, command: null, assets })).toContain('No timeline: timelines are taken by replaying a seed, which only the simulator can do');
  });

  it(`shows the timelines of the first ${FAILED_TIMELINES_SHOWN_MAX} failing runs, and says so`, async () => {
    const runs: RunRecord[] = [];
    for (let k = 0; k < FAILED_TIMELINES_SHOWN_MAX + 2; k++) runs.push(await keptRun('TestA', k));
    const html = await buildHtmlReport({ report: buildReport(header, ['TestA'], runs), command: null, assets });
    expect(timelineKeys(html)).toHaveLength(FAILED_TIMELINES_SHOWN_MAX);
    expect(html).toContain(`${FAILED_TIMELINES_SHOWN_MAX + 2} runs failed; the timelines of the first ${FAILED_TIMELINES_SHOWN_MAX} are shown.`);
    expect(html.match(/this page shows the timelines of the first/g)).toHaveLength(2);
    expect(html).toContain(`<h2>Failing runs (${FAILED_TIMELINES_SHOWN_MAX + 2})</h2>`);
  });

  it('shows kept passing runs (-a) that have a timeline, and counts those that do not', async () => {
    const runs = [await keptRun('TestA', 0, { passed: true }), await keptRun('TestA', 1, { passed: true, timeline: 'none' })];
    const html = await buildHtmlReport({ report: buildReport(header, ['TestA'], runs), command: null, assets });
    expect(html).toContain('<h2>Kept passing runs (1)</h2>');
    expect(timelineKeys(html)).toEqual(['TestA#0']);
    expect(html).toContain('2 passing runs kept their logs (-a); the timelines of 1 are shown (at most 5).');
  });
});
