import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/harness/timeline.js';
import { readTimelineFile, timelinePathFor, TimelineFormatError, writeTimelineFile } from '../../src/runner/timeline-files.js';

// A kept run's timeline file beside its log, read back only if it is one.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-timeline-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const timeline: Timeline = {
  version: 1,
  test: 'TestA',
  seed: 3,
  peers: 3,
  inspected: false,
  endMs: 12.5,
  failure: { atMs: 12.5, message: 'boom' },
  states: [[0, 0, 'follower', 0, -1, 0]],
  events: [[0, 'start', 0]],
  network: [[0, true, false]],
  rpcs: [[0, 1, 'RequestVote', 1, 0, 1, null, 1, 'replied', 'term=1', 'granted=true']],
  log: ['000000 TEST x'],
};

describe('timeline files', () => {
  it('sit beside the log they belong to', () => {
    expect(timelinePathFor(join('out', 'TestA_3.log'))).toBe(join('out', 'TestA_3.timeline.json'));
    expect(timelinePathFor('odd-name')).toBe('odd-name.timeline.json');
  });

  it('read back what was written', async () => {
    const path = join(dir, 'TestA_3.timeline.json');
    await writeTimelineFile(path, timeline);
    expect(await readTimelineFile(path)).toEqual(timeline);
  });

  it('refuse what is not a timeline of this version, saying what is wrong', async () => {
    const cases: [unknown, RegExp][] = [
      [[1, 2], /version is undefined/],
      [{ ...timeline, version: 2 }, /version is 2, expected 1/],
      [{ ...timeline, test: 5 }, /test is not a string/],
      [{ ...timeline, peers: 1000 }, /peers is not a whole number from 0 to 64/],
      [{ ...timeline, endMs: 'late' }, /endMs is not a number/],
      [{ ...timeline, rpcs: {} }, /rpcs is not a list/],
    ];
    const path = join(dir, 'x.timeline.json');
    for (const [value, message] of cases) {
      await writeFile(path, JSON.stringify(value));
      await expect(readTimelineFile(path)).rejects.toThrow(message);
    }
    await writeFile(path, '{');
    await expect(readTimelineFile(path)).rejects.toBeInstanceOf(TimelineFormatError);
    await expect(readTimelineFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
