import { describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/harness/timeline.js';
import { embedJson, escapeHtml, renderHtmlReport, TIMELINES_ELEMENT_ID, type HtmlReportInput } from '../../src/runner/report-html.js';
import { buildReport, type RunRecord } from '../../src/runner/report-json.js';

// The HTML report's page: the summary, the failing runs and the embedded
// timelines. Whatever a run supplies (names, errors, paths, log lines) must
// arrive as text, never as markup.

const assets = { script: 'window.viewerRan = true;', style: 'body { color: black; }' };
const header = { seed: 100, mode: 'sim' as const, workers: 2, startedAt: '2025-06-07T08:09:10.000Z', wallMs: 1500 };

function run(test: string, k: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return { test, k, seed: 100 + k, passed: true, wallMs: 10, simMs: 3000, raftMs: 2, saves: 4, savedBytes: 120, error: null, log: null, ...overrides };
}

function timeline(test: string, seed: number, log: string[] = []): Timeline {
  return { version: 1, test, seed, peers: 3, inspected: true, endMs: 10, failure: null, states: [], events: [], network: [], rpcs: [], log };
}

function page(overrides: Partial<HtmlReportInput> = {}): string {
  const runs = [run('TestA', 0), run('TestA', 1, { passed: false, error: 'expected one leader, got none\ndetail', log: 'out/TestA_1.log', wallMs: 1234 }), run('TestB', 0, { passed: false, error: 'x', log: 'out/TestB_0.log' })];
  const report = buildReport(header, ['TestA', 'TestB'], runs);
  return renderHtmlReport({
    report,
    command: 'npx raft-dstest 2A -n 2',
    failed: [
      { run: report.runs[1]!, replay: 'npx raft-dstest TestA --seed 101 -n 1', timeline: timeline('TestA', 101) },
      { run: report.runs[2]!, replay: 'npx raft-dstest TestB --seed 100 -n 1', timelineNote: 'its log was not kept' },
    ],
    archived: [],
    notes: ['a note'],
    assets,
    ...overrides,
  });
}

describe('renderHtmlReport', () => {
  const html = page();

  it('is one page with the viewer inlined and nothing to fetch', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<style>${assets.style}</style>`);
    expect(html).toContain(`<script>${assets.script}</script>`);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  });

  it('has the summary: verdict, seed, mode, command and a row per test in seconds', () => {
    expect(html).toContain('2 of 3 runs failed');
    expect(html).toContain('seed base <code>100</code>');
    expect(html).toContain('mode <code>sim</code>');
    expect(html).toContain('command: <code>npx raft-dstest 2A -n 2</code>');
    expect(html).toContain('<tr class="failed"><td>TestA</td><td>1</td><td>2</td><td>0.622 ± 0.612</td><td>3.00 ± 0.00</td></tr>');
    expect(html).toContain('<tr class="failed"><td>TestB</td><td>1</td><td>1</td>');
    expect(html).toContain('<p class="note">a note</p>');
  });

  it('lists each failing run with its error, seed, replay command and log, the first one open', () => {
    expect(html).toContain('<h2>Failing runs (2)</h2>');
    expect(html).toMatch(/<details class="run" open id="run-TestA#1">\n<summary><strong>TestA<\/strong> #1 · seed 101 · <span class="error-head">expected one leader, got none<\/span>/);
    expect(html).toContain('<dt>replay</dt><dd><code>npx raft-dstest TestA --seed 101 -n 1</code></dd>');
    expect(html).toContain('<dt>log</dt><dd><code>out/TestA_1.log</code></dd>');
    expect(html).toContain('<pre>expected one leader, got none\ndetail</pre>');
    expect(html).toMatch(/<details class="run" id="run-TestB#0">/);
    expect(html).toContain('No timeline: its log was not kept');
  });

  it('heads a kept passing run (-a) as passed, not in the colour of a failure', () => {
    const report = buildReport(header, ['TestA'], [run('TestA', 0, { log: 'out/TestA_0.log' })]);
    const kept = renderHtmlReport({ report, command: null, failed: [], archived: [{ run: report.runs[0]!, replay: 'r', timeline: timeline('TestA', 100) }], notes: [], assets });
    expect(kept).toContain('<h2>Kept passing runs (1)</h2>');
    expect(kept).toContain('#0 · seed 100 · <span class="pass-head">passed</span></summary>');
    expect(kept).not.toContain('error-head');
  });

  it('embeds the timelines by run, with a host element for each', () => {
    expect(html).toContain('<div class="timeline-host" data-timeline="TestA#1"></div>');
    const data = new RegExp(`<script type="application/json" id="${TIMELINES_ELEMENT_ID}">(.*?)</script>`).exec(html)![1]!;
    expect(Object.keys(JSON.parse(data))).toEqual(['TestA#1']);
  });

  it('shows the command lines of merged shards one per line', () => {
    expect(page({ command: 'raft-dstest 2A --shard 1/2\nraft-dstest 2A --shard 2/2' })).toContain(
      '<p class="meta">commands of the 2 shards:</p>\n<pre class="meta">raft-dstest 2A --shard 1/2\nraft-dstest 2A --shard 2/2</pre>',
    );
  });

  it('says so when every run passed, and has no sim column outside the simulator', () => {
    const report = buildReport({ ...header, mode: 'exec' }, ['TestA'], [run('TestA', 0, { simMs: null })]);
    const passed = renderHtmlReport({ report, command: null, failed: [], archived: [], notes: [], assets });
    expect(passed).toContain('all 1 runs passed');
    expect(passed).not.toContain('Sim time');
    expect(passed).not.toContain('command:');
    expect(passed).not.toContain('Failing runs');
  });

  it('keeps hostile names, errors, paths and log lines as text', () => {
    const evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const report = buildReport(header, [evil], [run(evil, 0, { passed: false, error: evil, log: `out/"${evil}.log` })]);
    const hostile = renderHtmlReport({
      report,
      command: evil,
      failed: [{ run: report.runs[0]!, replay: evil, timeline: timeline(evil, 100, [`000001 TEST ${evil}\u2028`]) }],
      archived: [],
      notes: [evil],
      assets,
    });
    expect(hostile.match(/<script/g)).toHaveLength(2);
    expect(hostile).not.toContain('<img');
    const data = new RegExp(`<script type="application/json" id="${TIMELINES_ELEMENT_ID}">(.*?)</script>`, 's').exec(hostile)![1]!;
    expect(JSON.parse(data)[`${evil}#0`].log).toEqual([`000001 TEST ${evil}\u2028`]);
  });

  it('refuses a viewer that could end its own element', () => {
    expect(() => page({ assets: { ...assets, script: 'x = "</script>"' } })).toThrow(/cannot be inlined/);
    expect(() => page({ assets: { ...assets, style: 'a{}</STYLE>' } })).toThrow(/cannot be inlined/);
  });
});

describe('escaping', () => {
  it('escapeHtml escapes the five characters markup needs', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('embedJson has no < and no line separators, and parses back to the same value', () => {
    const value = { text: '</script><!-- \u2028 \u2029 <b>' };
    const embedded = embedJson(value);
    expect(embedded).not.toMatch(/[<\u2028\u2029]/);
    expect(JSON.parse(embedded)).toEqual(value);
  });
});
