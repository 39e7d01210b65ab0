/**
 * The JUnit XML report (`--junit`), for CI systems that show test results:
 * one <testsuite> per test and one <testcase> per run, named with its index
 * and seed so that a failure can be replayed from the CI page. A failed run
 * has a <failure> whose message is the error's first line and whose body is
 * the whole error and the path of its log. A run cut off in flight is a
 * <skipped> testcase: it neither passed nor failed.
 */
import type { InterruptedRecord, JsonReport, RunRecord } from './report-json.js';

/**
 * Drops what XML 1.0 cannot hold at all, even escaped: control characters
 * other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
 */
export function stripInvalidXmlChars(text: string): string {
  let kept = '';
  // for…of walks code points: a valid surrogate pair arrives whole, a lone surrogate alone.
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const valid =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (valid) kept += char;
  }
  return kept;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe in element content and in quoted attribute values alike. */
export function escapeXml(text: string): string {
  return stripInvalidXmlChars(text).replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** The JUnit XML of a report; `partOf` names a test's part (2A…) for its classname. */
export function renderJUnit(report: JsonReport, partOf: (test: string) => string | undefined): string {
  const totalFailed = report.runs.filter((run) => !run.passed).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="raft-dstest" tests="${report.runs.length + report.interrupted.length}" failures="${totalFailed}" errors="0" skipped="${report.interrupted.length}" time="${seconds(report.wallMs)}">`,
  ];
  for (const test of report.tests) {
    const runs = report.runs.filter((run) => run.test === test.name);
    const cutOff = report.interrupted.filter((run) => run.test === test.name);
    const failed = runs.filter((run) => !run.passed).length;
    const time = [...runs, ...cutOff].reduce((sum, run) => sum + run.wallMs, 0);
    lines.push(
      `  <testsuite name="${escapeXml(test.name)}" tests="${runs.length + cutOff.length}" failures="${failed}" errors="0" skipped="${cutOff.length}" time="${seconds(time)}" timestamp="${escapeXml(report.startedAt)}">`,
    );
    const part = partOf(test.name);
    const classname = escapeXml(part === undefined ? 'raft-dstest' : `raft-dstest.${part}`);
    for (const run of runs) lines.push(...testcase(run, classname));
    for (const run of cutOff) lines.push(...skippedTestcase(run, classname));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function openTestcase(run: Pick<RunRecord, 'test' | 'k' | 'seed' | 'wallMs'>, classname: string): string {
  return `    <testcase name="${escapeXml(`${run.test} #${run.k} (seed ${run.seed})`)}" classname="${classname}" time="${seconds(run.wallMs)}"`;
}

function skippedTestcase(run: InterruptedRecord, classname: string): string[] {
  const body = run.log === null ? run.reason : `${run.reason}\nlog: ${run.log}`;
  return [`${openTestcase(run, classname)}>`, `      <skipped message="${escapeXml(run.reason)}">${escapeXml(body)}</skipped>`, '    </testcase>'];
}

function testcase(run: RunRecord, classname: string): string[] {
  const open = openTestcase(run, classname);
  if (run.passed) return [`${open}/>`];
  const error = run.error ?? 'failed';
  const body = run.log === null ? error : `${error}\nlog: ${run.log}`;
  const message = error.split('\n')[0]!;
  return [`${open}>`, `      <failure message="${escapeXml(message)}">${escapeXml(body)}</failure>`, '    </testcase>'];
}
