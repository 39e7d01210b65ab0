import { describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/harness/timeline.js';
import type { RunResult } from '../../src/runner/protocol.js';
import { ARCHIVED_TIMELINES_MAX, FAILED_TIMELINES_MAX, replayTimeline, TimelineCapture } from '../../src/runner/timeline-capture.js';

// Which finished runs are replayed for a timeline, and what a replay that
// did not repeat its run says.

const passed: RunResult = { test: 'TestA', k: 0, seed: 1, passed: true, wallMs: 1, simMs: 100, log: [] };
const failed: RunResult = { ...passed, passed: false, error: 'no leader\ndetail' };

describe('TimelineCapture', () => {
  it('takes kept simulated runs only: never one not kept, in realtime or exec, or one its worker never finished', () => {
    expect(new TimelineCapture('sim').take(failed, true)).toBe(true);
    expect(new TimelineCapture('sim').take(passed, false)).toBe(false);
    expect(new TimelineCapture('realtime').take({ ...failed, simMs: undefined }, true)).toBe(false);
    expect(new TimelineCapture('exec').take(failed, true)).toBe(false);
    // --charge-cpu: virtual time depends on the machine, so the seed does not replay the run.
    expect(new TimelineCapture('sim', true).take(failed, true)).toBe(false);
    // A timeout or a crash: the pool's result has no virtual time.
    expect(new TimelineCapture('sim').take({ ...failed, simMs: undefined }, true)).toBe(false);
  });

  it(`takes the first ${FAILED_TIMELINES_MAX} failing and ${ARCHIVED_TIMELINES_MAX} kept passing runs`, () => {
    const capture = new TimelineCapture('sim');
    const failures = Array.from({ length: FAILED_TIMELINES_MAX + 3 }, () => capture.take(failed, true));
    const passes = Array.from({ length: ARCHIVED_TIMELINES_MAX + 3 }, () => capture.take(passed, true));
    expect(failures.filter(Boolean)).toHaveLength(FAILED_TIMELINES_MAX);
    expect(failures.slice(0, FAILED_TIMELINES_MAX).every(Boolean)).toBe(true);
    expect(passes.filter(Boolean)).toHaveLength(ARCHIVED_TIMELINES_MAX);
  });
});

describe('replayTimeline', () => {
  const timeline: Timeline = { version: 1, test: 'TestA', seed: 1, peers: 3, inspected: true, endMs: 100, failure: null, states: [], events: [], network: [], rpcs: [], log: [] };

  it('keeps the timeline of a replay that ended as its run did', () => {
    expect(replayTimeline(failed, { ...failed, timeline })).toBe(timeline);
    expect(replayTimeline(failed, failed)).toBeUndefined();
  });

  it('notes a replay that ended otherwise: the picture is of the replay', () => {
    expect(replayTimeline(failed, { ...passed, timeline })!.note).toBe(
      'The replay of this seed did not end as the run did (the run failed: no leader; the replay passed). The timeline shows the replay.',
    );
    expect(replayTimeline(failed, { ...failed, error: 'other', timeline })!.note).toContain('(the run failed: no leader; the replay failed: other)');
    // A note the replay's timeline had already (a log cut short) is kept after it.
    expect(replayTimeline(failed, { ...passed, timeline: { ...timeline, note: 'Cut.' } })!.note).toMatch(/The timeline shows the replay\. Cut\.$/);
  });
});
