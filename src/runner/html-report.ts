/**
 * Gathers what the HTML report shows from a JSON report (a run's own, or
 * shards merged) and the files beside its logs: each failing run's replay
 * command (from its log's header) and timeline (from its .timeline.json),
 * and the timelines of passing runs whose logs were kept (-a).
 */
import { open } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Timeline } from '../harness/timeline.js';
import { renderHtmlReport, type HtmlRun, type ViewerAssets } from './report-html.js';
import type { JsonReport, RunRecord } from './report-json.js';
import { ARCHIVED_TIMELINES_MAX, FAILED_TIMELINES_MAX } from './timeline-capture.js';
import { readTimelineFile, timelinePathFor, TimelineFormatError } from './timeline-files.js';

/** Failing runs whose timelines one page shows; past this a page gets slow to open and large to send. */
export const FAILED_TIMELINES_SHOWN_MAX = FAILED_TIMELINES_MAX;
/** Kept passing runs (-a) whose timelines one page shows. */
export const ARCHIVED_TIMELINES_SHOWN_MAX = ARCHIVED_TIMELINES_MAX;

export interface HtmlReportSource {
  report: JsonReport;
  command: string | null;
  assets: ViewerAssets;
  /** The command that replays a run, when the caller knows it; otherwise it is read from the run's log. */
  replayFor?: (run: RunRecord) => string;
  /** Where else to look for a relative log path after the current directory (e.g. beside the JSON report). */
  baseDirs?: readonly string[];
}

export async function buildHtmlReport(source: HtmlReportSource): Promise<string> {
  const { report } = source;
  const notes: string[] = [];
  const failedRuns = report.runs.filter((run) => !run.passed);
  const failed: HtmlRun[] = [];
  for (const [i, run] of failedRuns.entries()) {
    const logPath = await findLog(run, source.baseDirs ?? []);
    const replay = source.replayFor?.(run) ?? (await replayFromLog(logPath)) ?? fallbackReplay(run, report);
    const entry: HtmlRun = { run, replay };
    if (i >= FAILED_TIMELINES_SHOWN_MAX) entry.timelineNote = `this page shows the timelines of the first ${FAILED_TIMELINES_SHOWN_MAX} failing runs only`;
    else Object.assign(entry, await timelineOf(run, logPath, report));
    failed.push(entry);
  }
  if (failedRuns.length > FAILED_TIMELINES_SHOWN_MAX) {
    notes.push(`${failedRuns.length} runs failed; the timelines of the first ${FAILED_TIMELINES_SHOWN_MAX} are shown.`);
  }

  const archived: HtmlRun[] = [];
  let keptPassing = 0;
  for (const run of report.runs) {
    if (!run.passed || run.log === null) continue;
    keptPassing++;
    if (archived.length >= ARCHIVED_TIMELINES_SHOWN_MAX) continue;
    const logPath = await findLog(run, source.baseDirs ?? []);
    const found = await timelineOf(run, logPath, report);
    if (found.timeline === undefined) continue;
    const replay = source.replayFor?.(run) ?? (await replayFromLog(logPath)) ?? fallbackReplay(run, report);
    archived.push({ run, replay, timeline: found.timeline });
  }
  if (keptPassing > archived.length) {
    const shown = archived.length === 0 ? 'none has a timeline' : `the timelines of ${archived.length} are shown (at most ${ARCHIVED_TIMELINES_SHOWN_MAX})`;
    notes.push(`${keptPassing} passing runs kept their logs (-a); ${shown}.`);
  }
  return renderHtmlReport({ report, command: source.command, failed, archived, notes, assets: source.assets });
}

/**
 * The run's log as a path that exists: as written, or under one of
 * `baseDirs`; undefined if none. A report is only data: a path that does not
 * name a log (`….log`) is not opened.
 */
async function findLog(run: RunRecord, baseDirs: readonly string[]): Promise<string | undefined> {
  if (run.log === null || !run.log.endsWith('.log')) return undefined;
  const candidates = isAbsolute(run.log) ? [run.log] : [run.log, ...baseDirs.map((dir) => join(dir, run.log!))];
  for (const path of candidates) {
    if (await readable(path)) return path;
  }
  return undefined;
}

async function readable(path: string): Promise<boolean> {
  try {
    await (await open(path, 'r')).close();
    return true;
  } catch {
    return false;
  }
}

async function timelineOf(run: RunRecord, logPath: string | undefined, report: JsonReport): Promise<{ timeline?: Timeline; timelineNote?: string }> {
  if (report.mode !== 'sim') {
    return { timelineNote: report.mode === 'exec' ? 'an --exec command has no timeline' : 'timelines are taken by replaying a seed, which only the simulator can do' };
  }
  if (run.log === null) return { timelineNote: 'its log was not kept' };
  if (logPath === undefined) return { timelineNote: `its log ${run.log} was not found` };
  const path = timelinePathFor(logPath);
  try {
    const timeline = await readTimelineFile(path);
    if (timeline.test !== run.test || timeline.seed !== run.seed) return { timelineNote: `${path} belongs to ${timeline.test} seed ${timeline.seed}, not this run` };
    return { timeline };
  } catch (error) {
    if (error instanceof TimelineFormatError) return { timelineNote: `${path} is not a timeline: ${error.message}` };
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { timelineNote: `no ${path} (a run that timed out or crashed its worker has none, nor one run with --charge-cpu)` };
    return { timelineNote: `cannot read ${path}: ${(error as Error).message}` };
  }
}

/** How many bytes of a log's start to read for its header. */
const HEADER_BYTES = 8192;
const REPLAY_PREFIX = '# replay: ';

/** The replay command in a log's header, if the log can be read and has one. */
async function replayFromLog(logPath: string | undefined): Promise<string | undefined> {
  if (logPath === undefined) return undefined;
  let head: string;
  try {
    const file = await open(logPath, 'r');
    try {
      const buffer = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await file.read(buffer, 0, HEADER_BYTES, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  for (const line of head.split('\n')) {
    if (!line.startsWith('#')) break;
    if (line.startsWith(REPLAY_PREFIX)) return line.slice(REPLAY_PREFIX.length);
  }
  return undefined;
}

/** The replay command as far as the JSON report alone tells it (without flags only the log records). */
function fallbackReplay(run: RunRecord, report: JsonReport): string {
  const realtime = report.mode === 'realtime' ? ' --realtime' : '';
  const exec = report.mode === 'exec' ? ' (with the --exec command of the run)' : '';
  return `npx raft-dstest ${run.test} --seed ${run.seed} -n 1${realtime}${exec}`;
}
