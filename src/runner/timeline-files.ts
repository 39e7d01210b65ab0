/**
 * A kept run's timeline lives beside its log: `<Test>_<k>.timeline.json`
 * next to `<Test>_<k>.log`, so that whatever carries the logs (a CI
 * artifact, a copied folder) carries the timelines too, and `raft-dstest
 * report` finds them from the log paths in a JSON report.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { TIMELINE_VERSION, type Timeline } from '../harness/timeline.js';

const LOG_SUFFIX = '.log';
const TIMELINE_SUFFIX = '.timeline.json';

/** Where the timeline of the run whose log is at `logPath` is kept. */
export function timelinePathFor(logPath: string): string {
  const stem = logPath.endsWith(LOG_SUFFIX) ? logPath.slice(0, -LOG_SUFFIX.length) : logPath;
  return `${stem}${TIMELINE_SUFFIX}`;
}

export async function writeTimelineFile(path: string, timeline: Timeline): Promise<void> {
  await writeFile(path, JSON.stringify(timeline));
}

/** A file that is not a timeline this version can draw; the message says what is wrong. */
export class TimelineFormatError extends Error {
  override name = 'TimelineFormatError';
}

/**
 * Reads a timeline back, checking what the viewer relies on: the version,
 * the run it belongs to, and that every list is a list. The records
 * themselves are only drawn, never executed or put into HTML unescaped.
 * A file that cannot be read rejects with the file system's error.
 */
export async function readTimelineFile(path: string): Promise<Timeline> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TimelineFormatError(`not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null) throw new TimelineFormatError('not an object');
  const timeline = value as Record<string, unknown>;
  if (timeline.version !== TIMELINE_VERSION) throw new TimelineFormatError(`version is ${JSON.stringify(timeline.version)}, expected ${TIMELINE_VERSION}`);
  if (typeof timeline.test !== 'string') throw new TimelineFormatError('test is not a string');
  if (!Number.isSafeInteger(timeline.seed)) throw new TimelineFormatError('seed is not a whole number');
  if (!Number.isSafeInteger(timeline.peers) || (timeline.peers as number) < 0 || (timeline.peers as number) > 64) {
    throw new TimelineFormatError('peers is not a whole number from 0 to 64');
  }
  if (typeof timeline.endMs !== 'number' || !Number.isFinite(timeline.endMs)) throw new TimelineFormatError('endMs is not a number');
  for (const key of ['states', 'events', 'network', 'rpcs', 'log']) {
    if (!Array.isArray(timeline[key])) throw new TimelineFormatError(`${key} is not a list`);
  }
  return value as Timeline;
}
