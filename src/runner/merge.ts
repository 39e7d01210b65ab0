/**
 * Merges the JSON reports of shards (`--shard i/n`, same --seed) into the
 * report of the whole plan. Reports of different plans (another seed base
 * or mode) or that repeat a run would give a total that means nothing, so
 * they are refused.
 */
import { BadInputError } from './bad-input.js';
import { buildReport, type JsonReport, type RunRecord } from './report-json.js';

export interface NamedReport {
  /** Where the report came from, for messages. */
  file: string;
  report: JsonReport;
}

export class MergeError extends BadInputError {
  override name = 'MergeError';
}

/**
 * The shards' command lines, one per line, each once (shards often differ
 * only in where they write); null when no shard recorded one.
 */
function mergedCommand(commands: readonly (string | null)[]): string | null {
  const distinct = [...new Set(commands.filter((command): command is string => command !== null))];
  return distinct.length === 0 ? null : distinct.join('\n');
}

/**
 * One report of every run of the inputs. Tests keep their order of first
 * appearance; workers is the sum over the shards (they ran side by side),
 * startedAt the earliest and wallMs the longest of them.
 */
export function mergeReports(inputs: readonly NamedReport[]): JsonReport {
  const first = inputs[0];
  if (first === undefined) throw new MergeError('no reports to merge');
  const seen = new Map<string, string>();
  const runs: RunRecord[] = [];
  for (const { file, report } of inputs) {
    if (report.seed !== first.report.seed) {
      throw new MergeError(`${file} has seed ${report.seed} but ${first.file} has seed ${first.report.seed}; only shards run with the same --seed merge`);
    }
    if (report.mode !== first.report.mode) {
      throw new MergeError(`${file} was run in mode ${report.mode} but ${first.file} in mode ${first.report.mode}; only shards of one mode merge`);
    }
    for (const run of report.runs) {
      const key = `${run.test}#${run.k}`;
      const other = seen.get(key);
      if (other !== undefined) throw new MergeError(`${file} repeats run ${run.test} #${run.k}, already in ${other}; each shard must run different runs`);
      seen.set(key, file);
      runs.push(run);
    }
  }
  const header = {
    seed: first.report.seed,
    mode: first.report.mode,
    workers: inputs.reduce((sum, { report }) => sum + report.workers, 0),
    startedAt: inputs.map(({ report }) => report.startedAt).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a)),
    wallMs: Math.max(...inputs.map(({ report }) => report.wallMs)),
    command: mergedCommand(inputs.map(({ report }) => report.command)),
  };
  const interrupted = inputs.flatMap(({ report }) => report.interrupted);
  return buildReport(header, inputs.flatMap(({ report }) => report.tests.map((test) => test.name)), runs, interrupted);
}
