/**
 * Writing the HTML report (`--html`) from a JSON report, for a stress run,
 * `merge` and `report` alike: the path is checked first (like every report
 * path), then the page is built with the timelines beside the logs.
 */
import { buildHtmlReport } from '../runner/html-report.js';
import type { JsonReport, RunRecord } from '../runner/report-json.js';
import { checkReportPath, writeReportFile } from '../runner/report-files.js';
import { readViewerAssets } from '../runner/viewer-assets.js';
import type { OutputFiles } from '../runner/output-files.js';

export const HTML_FLAG = '--html';

/** Throws ReportPathError for an --html path that cannot be written; creates nothing. */
export function checkHtmlPath(path: string): Promise<void> {
  return checkReportPath(path, HTML_FLAG);
}

export interface HtmlOutputOptions {
  /** Where to look for relative log paths besides the current directory: the JSON reports' own directories. */
  baseDirs?: readonly string[];
  replayFor?: (run: RunRecord) => string;
  /** Where the page is written; the real file system unless given (tests give a full disk). */
  files?: OutputFiles;
}

/** Writes the page; returns how many runs it shows a timeline of. */
export async function writeHtmlReport(path: string, report: JsonReport, options: HtmlOutputOptions): Promise<number> {
  const html = await buildHtmlReport({
    report,
    command: report.command,
    assets: await readViewerAssets(),
    ...(options.baseDirs === undefined ? {} : { baseDirs: options.baseDirs }),
    ...(options.replayFor === undefined ? {} : { replayFor: options.replayFor }),
  });
  await writeReportFile(path, html, options.files);
  return countTimelines(html);
}

/** The runs the page holds a timeline for, by their host elements. */
function countTimelines(html: string): number {
  return html.match(/<div class="timeline-host" data-timeline=/g)?.length ?? 0;
}
