/**
 * `raft-dstest merge <report.json...>`: the reports of the shards of one
 * plan (`--shard i/n` with one --seed) into one table and one exit code, and
 * optionally one --json, --junit and --html report, as if one machine had
 * run them all.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { oneLineOutput, parseArguments } from './commander-io.js';
import { mergeReports, type NamedReport } from '../runner/merge.js';
import { checkReportPath, writeReportFile } from '../runner/report-files.js';
import { formatJsonReport, parseJsonReport, ReportFormatError, summariesOf, wallSecondsByTest } from '../runner/report-json.js';
import { renderJUnit } from '../runner/report-junit.js';
import { ExitCode } from './exit-codes.js';
import { checkHtmlPath, writeHtmlReport } from './html-output.js';
import { partOf } from './session.js';
import { renderTable } from './table.js';
import { UsageError } from './usage-error.js';

export interface MergeDeps {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

interface MergeOptions {
  json?: string;
  junit?: string;
  html?: string;
  timing?: true;
}

export async function mergeCommand(argv: readonly string[], deps: MergeDeps): Promise<ExitCode> {
  const program = new Command('raft-dstest merge')
    .description('Merge the --json reports of shards (--shard i/n, one --seed) into one table and exit code.')
    .argument('<reports...>', 'JSON reports written by raft-dstest --json')
    .option('--json <file>', 'write the merged JSON report')
    .option('--junit <file>', 'write the merged JUnit XML report')
    .option('--html <file>', 'write the merged HTML report, with the timelines of failing runs found beside their logs')
    .option('-t, --timing', 'add Min, p50, p95 and Max wall seconds per run to the table')
    .configureOutput(oneLineOutput(deps, 'raft-dstest: merge'));
  const answered = parseArguments(program, argv);
  if (answered !== undefined) return answered;
  return merge(program.args, program.opts<MergeOptions>(), deps);
}

async function merge(files: readonly string[], options: MergeOptions, deps: MergeDeps): Promise<ExitCode> {
  if (options.json !== undefined) await checkReportPath(options.json, '--json');
  if (options.junit !== undefined) await checkReportPath(options.junit, '--junit');
  if (options.html !== undefined) await checkHtmlPath(options.html);
  const inputs = await readReports(files);
  const merged = mergeReports(inputs);
  const timing = options.timing ? { timing: wallSecondsByTest(merged.runs) } : {};
  deps.stdout.write(`seed base: ${merged.seed}\n`);
  deps.stdout.write(`${renderTable({ summaries: summariesOf(merged), realtime: merged.mode !== 'sim' }, { color: false, ...timing })}\n`);
  const failed = merged.runs.filter((run) => !run.passed).length;
  deps.stdout.write(`${merged.runs.length} runs from ${files.length} ${files.length === 1 ? 'report' : 'reports'}, ${failed} failed\n`);
  if (options.json !== undefined) await writeReportFile(options.json, formatJsonReport(merged));
  if (options.junit !== undefined) await writeReportFile(options.junit, renderJUnit(merged, partOf));
  if (options.html !== undefined) await writeHtmlReport(options.html, merged, { baseDirs: files.map((file) => dirname(file)) });
  return failed === 0 ? ExitCode.Passed : ExitCode.Failed;
}

/** Reads and checks each report; a file that cannot be read or is not a report is a UsageError naming it. */
export async function readReports(files: readonly string[]): Promise<NamedReport[]> {
  const inputs: NamedReport[] = [];
  for (const file of files) inputs.push({ file, report: await readReport(file) });
  return inputs;
}

async function readReport(file: string): Promise<NamedReport['report']> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read report "${file}": ${(error as Error).message}`);
  }
  try {
    return parseJsonReport(text);
  } catch (error) {
    if (error instanceof ReportFormatError) throw new UsageError(`${file} is not a raft-dstest report: ${error.message}`);
    throw error;
  }
}
