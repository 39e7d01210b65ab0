/**
 * The HTML report (`--html`, `raft-dstest report`): one self-contained page
 * with the summary table, every failing run with its error, seed, replay
 * command and log, and the timeline of each run that has one. The viewer's
 * script and stylesheet (dist/viewer/timeline.js and report.css, bundled at
 * build time) and the timelines' data are inlined, so the file opens from
 * disk with no network.
 *
 * Everything that comes from a run (test names, errors, paths, log lines)
 * is text: it is escaped into the HTML, or embedded as JSON that the viewer
 * only ever puts into the page as text.
 */
import type { Timeline } from '../harness/timeline.js';
import type { JsonReport, RunRecord } from './report-json.js';

/** The id of the script element holding the timelines; the viewer script (dist/viewer/timeline.js) reads the same. */
export const TIMELINES_ELEMENT_ID = 'raft-dstest-timelines';

export interface HtmlRun {
  run: RunRecord;
  /** The command that replays this run. */
  replay: string;
  timeline?: Timeline;
  /** Why this run has no timeline, when it has none. */
  timelineNote?: string;
}

export interface ViewerAssets {
  script: string;
  style: string;
}

export interface HtmlReportInput {
  report: JsonReport;
  /** The command line that made the runs, when known. */
  command: string | null;
  /** Failing runs, in report order. */
  failed: HtmlRun[];
  /** Passing runs whose logs were kept (-a) and that have a timeline. */
  archived: HtmlRun[];
  /** Things the reader should know about what the page leaves out. */
  notes: string[];
  assets: ViewerAssets;
}

/** The key a run's timeline is filed under in the page's data. */
export function timelineKey(run: Pick<RunRecord, 'test' | 'k'>): string {
  return `${run.test}#${run.k}`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { report } = input;
  const failedCount = report.runs.filter((run) => !run.passed).length;
  const timelines: Record<string, Timeline> = {};
  for (const entry of [...input.failed, ...input.archived]) if (entry.timeline !== undefined) timelines[timelineKey(entry.run)] = entry.timeline;
  const verdict =
    failedCount === 0
      ? `<span class="verdict passed">all ${report.runs.length} runs passed</span>`
      : `<span class="verdict failed">${failedCount} of ${report.runs.length} runs failed</span>`;
  const title = `raft-dstest: ${failedCount === 0 ? 'all passed' : `${failedCount} failed`}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${inlineText(input.assets.style, 'style')}</style>
</head>
<body>
<h1>raft-dstest report</h1>
<p class="meta">${verdict} · seed base <code>${report.seed}</code> · mode <code>${escapeHtml(report.mode)}</code> · ${report.workers} ${report.workers === 1 ? 'worker' : 'workers'} · started ${escapeHtml(report.startedAt)} · ${(report.wallMs / 1000).toFixed(1)} s</p>
${commandLines(input.command)}
${summaryTable(report)}
${input.notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('\n')}
${runsSection('Failing runs', input.failed, true)}
${runsSection('Kept passing runs', input.archived, false)}
<script type="application/json" id="${TIMELINES_ELEMENT_ID}">${embedJson(timelines)}</script>
<script>${inlineText(input.assets.script, 'script')}</script>
</body>
</html>
`;
}

/** The command line, or the shards' command lines of a merged report, one per line. */
function commandLines(command: string | null): string {
  if (command === null) return '';
  const lines = command.split('\n');
  if (lines.length === 1) return `<p class="meta">command: <code>${escapeHtml(command)}</code></p>`;
  return `<p class="meta">commands of the ${lines.length} shards:</p>\n<pre class="meta">${escapeHtml(command)}</pre>`;
}

function summaryTable(report: JsonReport): string {
  const simulated = report.mode === 'sim';
  const rows = report.tests.map((test) => {
    const cells = [
      escapeHtml(test.name),
      String(test.failed),
      String(test.runs),
      meanStd(test.meanMs, test.stdMs, 3),
      ...(simulated ? [meanStd(test.meanSimMs, test.stdSimMs, 2)] : []),
    ];
    return `<tr${test.failed > 0 ? ' class="failed"' : ''}>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  const head = ['Test', 'Failed', 'Total', 'Time (s)', ...(simulated ? ['Sim time (s)'] : [])];
  return `<table class="summary">
<thead><tr>${head.map((cell) => `<th>${cell}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** Seconds as `mean ± stddev`, from milliseconds; `-` when no run finished. */
function meanStd(meanMs: number | null, stdMs: number | null, digits: number): string {
  if (meanMs === null || stdMs === null) return '-';
  return `${(meanMs / 1000).toFixed(digits)} ± ${(stdMs / 1000).toFixed(digits)}`;
}

function runsSection(title: string, runs: readonly HtmlRun[], openFirst: boolean): string {
  if (runs.length === 0) return '';
  const items = runs.map((entry, i) => runDetails(entry, openFirst && i === 0));
  return `<h2>${escapeHtml(title)} (${runs.length})</h2>\n${items.join('\n')}`;
}

function runDetails(entry: HtmlRun, open: boolean): string {
  const { run } = entry;
  const firstLine = run.error?.split('\n')[0] ?? 'passed';
  const rows = [
    ['seed', `<code>${run.seed}</code>`],
    ['replay', `<code>${escapeHtml(entry.replay)}</code>`],
    ['log', run.log === null ? '<span class="note">not kept</span>' : `<code>${escapeHtml(run.log)}</code>`],
    ['wall time', `${(run.wallMs / 1000).toFixed(3)} s${run.simMs === null ? '' : `, virtual ${(run.simMs / 1000).toFixed(2)} s`}`],
  ];
  if (run.error !== null) rows.push(['error', `<pre>${escapeHtml(run.error)}</pre>`]);
  const timeline =
    entry.timeline !== undefined
      ? `${entry.timeline.note === undefined ? '' : `<p class="note">${escapeHtml(entry.timeline.note)}</p>`}<div class="timeline-host" data-timeline="${escapeHtml(timelineKey(run))}"></div>`
      : `<p class="note">No timeline: ${escapeHtml(entry.timelineNote ?? 'none was recorded for this run')}</p>`;
  return `<details class="run"${open ? ' open' : ''} id="${escapeHtml(`run-${timelineKey(run)}`)}">
<summary><strong>${escapeHtml(run.test)}</strong> #${run.k} · seed ${run.seed} · <span class="${run.passed ? 'pass-head' : 'error-head'}">${escapeHtml(firstLine)}</span></summary>
<div class="run-body">
<dl>${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>
${timeline}
</div>
</details>`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/**
 * JSON that is safe inside a <script> element: no `<` (so no `</script>` or
 * `<!--`), and no line or paragraph separators, which older parsers reject.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A bundled script or stylesheet, checked to be unable to end its element early. */
function inlineText(text: string, element: 'script' | 'style'): string {
  if (new RegExp(`</${element}`, 'i').test(text)) throw new Error(`the viewer's ${element} contains "</${element}" and cannot be inlined`);
  return text;
}
