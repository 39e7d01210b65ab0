/**
 * `raft-dstest report <report.json...> --html <file>`: the HTML report of
 * runs already done, from their --json reports (one run's, a merged one, or
 * the shards of one plan, which it merges as `merge` does), with the
 * timelines found beside the runs' logs. Its exit code says whether the
 * page was written, not whether the runs passed: that is `merge`'s job.
 */
import { dirname } from 'node:path';
import { Command } from 'commander';
import { mergeReports } from '../runner/merge.js';
import { oneLineOutput, parseArguments } from './commander-io.js';
import { ExitCode } from './exit-codes.js';
import { checkHtmlPath, writeHtmlReport } from './html-output.js';
import { readReports, type MergeDeps } from './merge-command.js';

interface ReportOptions {
  html: string;
}

/** Writes the page; bad input (a path, a file that is not a report, reports that do not merge) throws BadInputError. */
export async function reportCommand(argv: readonly string[], deps: MergeDeps): Promise<ExitCode> {
  const program = new Command('raft-dstest report')
    .description('Write the HTML report of --json reports: the summary table, each failing run and its timeline. Several reports (shards of one plan) are merged first.')
    .argument('<reports...>', 'JSON reports written by raft-dstest --json or merge --json')
    .requiredOption('--html <file>', 'where to write the HTML report')
    .configureOutput(oneLineOutput(deps, 'raft-dstest: report'));
  const answered = parseArguments(program, argv);
  if (answered !== undefined) return answered;
  const { html } = program.opts<ReportOptions>();
  const files = program.args;
  await checkHtmlPath(html);
  const inputs = await readReports(files);
  const report = inputs.length === 1 ? inputs[0]!.report : mergeReports(inputs);
  const timelines = await writeHtmlReport(html, report, { baseDirs: files.map((file) => dirname(file)) });
  const failed = report.runs.filter((run) => !run.passed).length;
  deps.stdout.write(`wrote ${html}: ${report.runs.length} runs, ${failed} failed, ${timelines} ${timelines === 1 ? 'timeline' : 'timelines'}\n`);
  return ExitCode.Passed;
}
