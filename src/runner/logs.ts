/**
 * Writes the logs of runs to `<output>/<Test>_<k>.log`: failing runs always,
 * passing ones only when archiving. The directory is made on the first
 * write, so a run that keeps nothing leaves nothing behind.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Timeline } from '../harness/timeline.js';
import type { RunResult } from './protocol.js';
import { replayCommand } from './replay.js';
import type { RunSettings } from './settings.js';
import { timelinePathFor, writeTimelineFile } from './timeline-files.js';

export interface LogWriterOptions {
  outputDir: string;
  /** What the replay line of every log repeats. */
  settings: RunSettings;
  /** Keep the logs of passing runs too. */
  archive: boolean;
}

export function logFileName(test: string, k: number): string {
  return `${test}_${k}.log`;
}

/** The whole file: a header naming the run and how to replay it, then its log. */
export function formatLogFile(result: RunResult, settings: RunSettings): string {
  const replay = replayCommand(settings, result.test, result.seed);
  const lines = [`# test: ${result.test}`, `# seed: ${result.seed}`, `# replay: ${replay}`];
  // A run whose worker died wrote no log; its error is then the only account of it.
  if (result.log.length === 0 && result.error !== undefined) {
    for (const line of result.error.split('\n')) lines.push(`# error: ${line}`);
  }
  lines.push(...result.log);
  return lines.map((line) => `${line}\n`).join('');
}

export class LogWriter {
  private dirReady: Promise<unknown> | undefined;
  private readonly pending = new Set<Promise<void>>();
  private readonly writtenPaths: string[] = [];

  constructor(private readonly options: LogWriterOptions) {}

  /** Whether this run's log is kept. */
  keeps(result: RunResult): boolean {
    return !result.passed || this.options.archive;
  }

  /** The path a run's log is (or would be) written to. */
  pathFor(result: Pick<RunResult, 'test' | 'k'>): string {
    return join(this.options.outputDir, logFileName(result.test, result.k));
  }

  /**
   * Starts writing the run's log if it is kept and returns its path at once,
   * so that a failure can be announced while its file is written.
   * Write errors surface in flush().
   */
  write(result: RunResult): string | undefined {
    if (!this.keeps(result)) return undefined;
    const path = this.pathFor(result);
    this.dirReady ??= mkdir(this.options.outputDir, { recursive: true });
    const contents = formatLogFile(result, this.options.settings);
    this.track(this.dirReady.then(() => writeFile(path, contents)));
    this.writtenPaths.push(path);
    return path;
  }

  /** Starts writing a kept run's timeline beside its log (`<Test>_<k>.timeline.json`); write errors surface in flush(). */
  writeTimeline(result: Pick<RunResult, 'test' | 'k'>, timeline: Timeline): void {
    const path = timelinePathFor(this.pathFor(result));
    this.dirReady ??= mkdir(this.options.outputDir, { recursive: true });
    this.track(this.dirReady.then(() => writeTimelineFile(path, timeline)));
  }

  private track(written: Promise<void>): void {
    this.pending.add(written);
    // Settled writes leave the set; failures are kept for flush() by allSettled there.
    written.then(
      () => this.pending.delete(written),
      () => undefined,
    );
  }

  /** Waits for every write started so far; rejects with the first that failed. */
  async flush(): Promise<void> {
    const outcomes = await Promise.allSettled([...this.pending]);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** The paths of every log started, in the order they were. */
  get paths(): readonly string[] {
    return this.writtenPaths;
  }
}
