import { describe, expect, it } from 'vitest';
import { HOP_MS_MAX } from '../../src/labrpc/network.js';
import type { PeerStateRecord, Timeline } from '../../src/harness/timeline.js';
import { summarize } from '../../src/harness/timeline-trace.js';
import { runLabTest } from '../../src/suite/run-test.js';
import { forgetsTerm } from './fixtures/broken-rafts.js';

// A run's timeline is recorded by watching the cluster: it must not change
// the run, and what it records must agree with what the run's own log and
// the lab's counters say happened.

async function timelineOf(test: string, seed: number, raft = {}): Promise<{ timeline: Timeline; log: string[]; error?: string }> {
  const outcome = await runLabTest({ test, seed, logLevel: 'trace', timeline: true, ...raft });
  return { timeline: outcome.timeline!, log: outcome.log, ...(outcome.error === undefined ? {} : { error: outcome.error }) };
}

/** The RPC count in the lab's `... Passed --` line. */
function labRpcCount(log: readonly string[]): number {
  const line = log.find((l) => l.includes('... Passed --'))!;
  return Number(line.trim().split(/\s+/)[7]);
}

function leadersByTerm(states: readonly PeerStateRecord[]): Map<number, Set<number>> {
  const leaders = new Map<number, Set<number>>();
  for (const [, peer, role, term] of states) {
    if (role === 'leader') leaders.set(term, (leaders.get(term) ?? new Set()).add(peer));
  }
  return leaders;
}

describe('the timeline recorder', () => {
  it('changes nothing: each seed logs the same lines, at trace level, with and without it', async () => {
    for (const [test, seed] of [['TestReElection2A', 3], ['TestPersist12C', 4], ['TestFigure8Unreliable2C', 5]] as const) {
      const plain = await runLabTest({ test, seed, logLevel: 'trace' });
      const recorded = await runLabTest({ test, seed, logLevel: 'trace', timeline: true });
      expect(recorded.log).toEqual(plain.log);
      expect(plain.timeline).toBeUndefined();
      expect(recorded.timeline!.log).toEqual(plain.log);
    }
  });

  // Issue 11, item 9: a peer that logged 1.5 GB had its log held whole in the timeline, in the worker and the host,
  // and the runner died of it (JSON.stringify out of memory) with no table.
  it('keeps only the first of a long log, saying how many lines it left out', async () => {
    const plain = await runLabTest({ test: 'TestReElection2A', seed: 3, logLevel: 'trace' });
    const charsMax = 2000;
    const { timeline } = await runLabTest({ test: 'TestReElection2A', seed: 3, logLevel: 'trace', timeline: true, timelineLogCharsMax: charsMax });
    const kept = timeline!.log;
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.reduce((sum, line) => sum + line.length + 1, 0)).toBeLessThanOrEqual(charsMax);
    expect(kept).toEqual(plain.log.slice(0, kept.length));
    // The next line would not have fit.
    expect(kept.reduce((sum, line) => sum + line.length + 1, 0) + plain.log[kept.length]!.length + 1).toBeGreaterThan(charsMax);
    expect(timeline!.note).toBe(
      `The timeline keeps the first 0.0 M characters of the run's trace log (${kept.length} lines); the ${plain.log.length - kept.length} lines after them are left out.`,
    );
    // A log within the limit is whole, with nothing to say about it.
    expect((await timelineOf('TestReElection2A', 3)).timeline.note).toBeUndefined();
  });

  it('records every RPC the lab counts, each in time order, and the leader cut off in TestReElection2A', async () => {
    const { timeline, log } = await timelineOf('TestReElection2A', 3);
    expect(timeline).toMatchObject({ version: 1, test: 'TestReElection2A', seed: 3, peers: 3, inspected: true, failure: null });
    expect(timeline.rpcs.length).toBe(labRpcCount(log));
    for (const [from, to, method, sentMs, delayMs, deliveredMs, , endedMs, outcome] of timeline.rpcs) {
      expect(from).not.toBe(to);
      expect(['RequestVote', 'AppendEntries']).toContain(method);
      // Delivered after the network's delay and one goroutine hop.
      if (deliveredMs !== null) expect(deliveredMs - sentMs - delayMs).toBeGreaterThanOrEqual(0);
      if (deliveredMs !== null) expect(deliveredMs - sentMs - delayMs).toBeLessThanOrEqual(HOP_MS_MAX);
      if (endedMs !== null) expect(endedMs).toBeGreaterThanOrEqual(deliveredMs ?? sentMs);
      if (outcome === 'replied') expect(deliveredMs).not.toBeNull();
    }
    // The test cuts the first leader off: it was leading when disconnected, and another peer leads a later term.
    const [cutAtMs, , cutPeer] = timeline.events.find(([, kind]) => kind === 'disconnect')!;
    const before = timeline.states.filter(([atMs, peer]) => peer === cutPeer && atMs <= cutAtMs).at(-1)!;
    expect(before[2]).toBe('leader');
    const later = timeline.states.find(([atMs, peer, role, term]) => atMs > cutAtMs && peer !== cutPeer && role === 'leader' && term > before[3]);
    expect(later).toBeDefined();
    for (const peers of leadersByTerm(timeline.states).values()) expect(peers.size).toBe(1);
  });

  it('records crashes, restarts and the applied index starting over in TestPersist12C', async () => {
    const { timeline } = await timelineOf('TestPersist12C', 4);
    const kinds = (kind: string) => timeline.events.filter(([, k]) => k === kind);
    expect(kinds('crash').length).toBeGreaterThan(0);
    expect(kinds('start').length).toBe(timeline.peers + kinds('crash').length);
    for (const [atMs, , peer] of kinds('crash')) {
      const state = timeline.states.find(([t, p]) => t === atMs && p === peer);
      expect(state?.[2]).toBe('down');
    }
    const applied = timeline.states.filter(([, peer]) => peer === kinds('crash')[0]![2]).map((s) => s[5]);
    expect(Math.max(...applied)).toBeGreaterThan(0);
    expect(applied.some((value, i) => i > 0 && value < applied[i - 1]!)).toBe(true);
  });

  it('records the unreliable, reordering network of TestFigure8Unreliable2C and messages of every fate', async () => {
    const { timeline } = await timelineOf('TestFigure8Unreliable2C', 5);
    expect(timeline.network[0]).toEqual([0, false, false]);
    expect(timeline.network.some(([, reliable, longReordering]) => !reliable && longReordering)).toBe(true);
    const outcomes = new Set(timeline.rpcs.map((rpc) => rpc[8]));
    for (const outcome of ['replied', 'request-lost', 'reply-lost', 'unreachable']) expect(outcomes).toContain(outcome);
    expect(timeline.rpcs.some((rpc) => rpc[6] !== null)).toBe(true);
    expect(timeline.rpcs.some((rpc) => rpc[4] > 0 && rpc[8] !== 'unreachable')).toBe(true);
  });

  it('marks a failure where the run ended, with the state the broken invariant was found in', async () => {
    // A peer that forgets its term restarts in term 0, and strict mode fails the run at that restart.
    const { timeline, error } = await timelineOf('TestPersist12C', 0, { raft: forgetsTerm, strict: true });
    expect(error).toMatch(/^strict mode: persist before reveal violated at \d+\.\d{4}s: S(\d) restarted with term 0/);
    expect(timeline.failure).toEqual({ atMs: timeline.endMs, message: error });
    const peer = Number(/S(\d) restarted/.exec(error!)![1]);
    // The timeline looks before the checker, so the restart that broke the rule is on it: the peer crashed and started at the end.
    expect(timeline.events.filter(([atMs, , p]) => atMs === timeline.endMs && p === peer).map(([, kind]) => kind)).toEqual(['disconnect', 'crash', 'start']);
    expect(timeline.states.filter(([, p]) => p === peer).some(([, , , term]) => term > 0)).toBe(true);
  });
});

describe('summarize', () => {
  it('keeps scalar fields and counts arrays and byte arrays', () => {
    expect(summarize({ term: 3, leaderId: 1, entries: [1, 2, 3], ok: true, data: new Uint8Array(5), nested: { a: 1 }, name: 'x' })).toBe(
      'term=3 leaderId=1 entries=[3] ok=true data=5B nested={…} name="x"',
    );
    expect(summarize(null)).toBe('null');
    expect(summarize([1, 2])).toBe('[2]');
  });

  it('clips long values and long summaries', () => {
    expect(summarize({ s: 'y'.repeat(100) })).toBe(`s="${'y'.repeat(39)}…"`);
    const long = summarize(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, i])));
    expect(long.length).toBe(160);
    expect(long.endsWith('…')).toBe(true);
  });
});
