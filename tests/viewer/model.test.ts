import { describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/harness/timeline.js';
import { runLabTest } from '../../src/suite/run-test.js';
import { bandAt, buildModel, linesAt, linesNear, parseLogLine, snapshotOf, stepAt } from '../../src/viewer/model.js';

// The viewer's model: what a recorded timeline becomes before it is drawn.

/** Three peers: S0 leads term 1, is cut off and crashed; S1 then leads term 2 and the run fails. */
const small: Timeline = {
  version: 1,
  test: 'TestSmall2A',
  seed: 7,
  peers: 3,
  inspected: true,
  endMs: 1000,
  failure: { atMs: 1000, message: 'strict mode: election safety violated at 1.0000s: S1 and S2 were both leader of term 2\nmore' },
  states: [
    [0, 0, 'follower', 0, 0, 0],
    [0, 1, 'follower', 0, 0, 0],
    [0, 2, 'follower', 0, 0, 0],
    [100, 0, 'candidate', 1, 0, 0],
    [120, 0, 'leader', 1, 0, 0],
    [300, 0, 'leader', 1, 2, 1],
    [310, 0, 'leader', 1, 2, 2],
    [500, 0, 'down', 0, -1, 0],
    [600, 1, 'leader', 2, 2, 2],
    [1000, 2, 'leader', 2, 2, 2],
  ],
  events: [
    [0, 'start', 0],
    [0, 'start', 1],
    [0, 'start', 2],
    [0, 'connect', 0],
    [400, 'disconnect', 0],
    [500, 'crash', 0],
    [800, 'start', 0],
  ],
  network: [
    [0, true, false],
    [200, false, false],
    [300, false, true],
    [700, true, false],
  ],
  rpcs: [
    [0, 1, 'RequestVote', 100, 0, 105, null, 110, 'replied', 'term=1', 'granted=true'],
    [0, 2, 'AppendEntries', 200, 5, null, null, 205, 'request-lost', 'term=1', null],
    [0, 1, 'AppendEntries', 300, 2, 302, 400, 702, 'replied', 'term=1', 'success=true'],
    [0, 2, 'AppendEntries', 450, 3000, null, null, null, 'unreachable', 'term=1', null],
    [1, 2, 'AppendEntries', 600, 0, 600, null, 600, 'reply-lost', 'term=2', null],
    [1, 0, 'AppendEntries', 990, 4, 994, 600, null, null, 'term=2', null],
  ],
  log: ['001000 TERM S0 election timeout', '001000 VOTE S0 vote asked', '001050 VOTE S1 grants vote', '003000 CMIT S0 leader commits index 2', '000000 TEST Test (2A): small ...', 'garbage'],
};

describe('buildModel', () => {
  const model = buildModel(small);

  it('cuts each lane into bands of role and term, the last lasting past the end', () => {
    expect(model.peers[0]!.bands.map((b) => [b.startMs, b.endMs, b.role, b.term])).toEqual([
      [0, 100, 'follower', 0],
      [100, 120, 'candidate', 1],
      [120, 500, 'leader', 1],
      [500, model.viewEndMs, 'down', 0],
    ]);
    // A state entered at the very end (the failure's) still has a band.
    expect(model.peers[2]!.bands.at(-1)).toEqual({ startMs: 1000, endMs: model.viewEndMs, role: 'leader', term: 2 });
    expect(model.viewEndMs).toBeGreaterThan(model.endMs);
  });

  it('keeps commit and applied steps while a peer is up, and the largest index', () => {
    expect(model.peers[0]!.commit).toEqual([{ atMs: 0, value: 0 }, { atMs: 300, value: 2 }]);
    expect(model.peers[0]!.applied).toEqual([{ atMs: 0, value: 0 }, { atMs: 300, value: 1 }, { atMs: 310, value: 2 }]);
    expect(model.maxIndex).toBe(2);
  });

  it('turns cluster events into spans cut off, crashes and restarts (not the first start)', () => {
    expect(model.peers[0]!.disconnected).toEqual([{ startMs: 400, endMs: 1000 }]);
    expect(model.peers[0]!.crashesMs).toEqual([500]);
    expect(model.peers[0]!.restartsMs).toEqual([800]);
    expect(model.peers[1]!.restartsMs).toEqual([]);
  });

  it('turns network settings into spans', () => {
    expect(model.unreliable).toEqual([{ startMs: 200, endMs: 700 }]);
    expect(model.longReordering).toEqual([{ startMs: 300, endMs: 700 }]);
  });

  it('files log lines under their peer, the harness lines apart, and skips what is not a log line', () => {
    expect(model.peers[0]!.log.map((l) => l.atMs)).toEqual([100, 100, 300]);
    expect(model.peers[1]!.log).toHaveLength(1);
    expect(model.testLines.map((l) => l.text)).toEqual(['000000 TEST Test (2A): small ...']);
  });

  it('draws each RPC by its fate: request and reply, lost halfway, unreachable as a stub, held, in flight', () => {
    const pieces = (id: number) => model.segments.filter((s) => s.rpc.id === id).map((s) => [s.kind, s.fromMs, s.fromPeer, s.toMs, s.toPeer, s.lostAtEnd]);
    expect(pieces(0)).toEqual([['request', 100, 0, 105, 1, false], ['reply', 105, 1, 110, 0, false]]);
    expect(pieces(1)).toEqual([['request', 200, 0, 205, 1, true]]);
    expect(pieces(2)).toEqual([['request', 300, 0, 302, 1, false], ['reply', 302, 1, 702, 0, false]]);
    expect(pieces(3)).toEqual([['request', 450, 0, 450, 0.5, true]]);
    expect(pieces(4)).toEqual([['request', 600, 1, 600, 2, false], ['reply', 600, 2, 600, 1.75, true]]);
    expect(pieces(5)).toEqual([['request', 990, 1, 994, 0, false], ['reply', 994, 0, 1000, 0.5, false]]);
    expect(model.rpcs.map((r) => r.fate)).toEqual(['ok', 'lost', 'held', 'unreachable', 'lost', 'held']);
    expect(model.rpcs.map((r) => r.delayed)).toEqual([false, true, true, false, false, true]);
    expect(model.segments.map((s) => s.fromMs)).toEqual([...model.segments.map((s) => s.fromMs)].sort((a, b) => a - b));
  });

  it('reads the last index and term an InstallSnapshot carries, and nothing from other messages', () => {
    expect(model.rpcs.map((r) => r.snapshot)).toEqual([null, null, null, null, null, null]);
    expect(snapshotOf('InstallSnapshot', 'term=3 leaderId=1 lastIncludedIndex=19 lastIncludedTerm=2 data=88B')).toEqual({ index: 19, term: 2 });
    // A Raft of one's own (--raft) may spell the fields as Go does.
    expect(snapshotOf('InstallSnapshot', 'Term=3 LeaderId=1 LastIncludedIndex=7 LastIncludedTerm=3 Data=9B')).toEqual({ index: 7, term: 3 });
    expect(snapshotOf('InstallSnapshot', 'term=3 index=7')).toBeNull();
    expect(snapshotOf('AppendEntries', 'term=3 lastIncludedIndex=7 lastIncludedTerm=3')).toBeNull();
  });

  it('models the InstallSnapshots of a real run with the index and term of the snapshot each carries', async () => {
    const { timeline } = await runLabTest({ test: 'TestSnapshotInstall2D', seed: 1, logLevel: 'trace', timeline: true });
    const snapshots = buildModel(timeline!).rpcs.filter((r) => r.method === 'InstallSnapshot');
    expect(snapshots.length).toBeGreaterThan(0);
    for (const rpc of snapshots) {
      expect(rpc.snapshot).not.toBeNull();
      expect(rpc.args).toContain(`lastIncludedIndex=${rpc.snapshot!.index} lastIncludedTerm=${rpc.snapshot!.term}`);
      expect(rpc.snapshot!.index).toBeGreaterThan(0);
    }
  });

  it('names the peers of the failure message', () => {
    expect(model.failurePeers).toEqual([1, 2]);
    expect(buildModel({ ...small, failure: null }).failurePeers).toEqual([]);
  });

  it('models a real run: bands tile each lane from 0, segments stay within the run', async () => {
    const { timeline } = await runLabTest({ test: 'TestFigure8Unreliable2C', seed: 2, logLevel: 'trace', timeline: true });
    const real = buildModel(timeline!);
    expect(real.peers).toHaveLength(5);
    for (const peer of real.peers) {
      expect(peer.bands[0]!.startMs).toBe(0);
      for (let i = 1; i < peer.bands.length; i++) expect(peer.bands[i]!.startMs).toBe(peer.bands[i - 1]!.endMs);
      expect(peer.log.length).toBeGreaterThan(0);
    }
    expect(real.segments.length).toBeGreaterThanOrEqual(real.rpcs.length);
    for (const s of real.segments) {
      expect(s.toMs).toBeGreaterThanOrEqual(s.fromMs);
      expect(s.toMs).toBeLessThanOrEqual(real.endMs);
    }
  });
});

describe('lookups', () => {
  const model = buildModel(small);

  it('parseLogLine reads the stamp in 0.1 ms units and the peer', () => {
    expect(parseLogLine('012345 LOG1 S4 append 3..4')).toEqual({ atMs: 1234.5, peer: 4, text: '012345 LOG1 S4 append 3..4' });
    expect(parseLogLine('000010 TEST Test (2A) ...')).toMatchObject({ atMs: 1, peer: -1 });
    expect(parseLogLine('# seed: 4')).toBeUndefined();
  });

  it('bandAt and stepAt give the state at a time', () => {
    expect(bandAt(model.peers[0]!, 130)?.role).toBe('leader');
    expect(bandAt(model.peers[0]!, 99.9)?.role).toBe('follower');
    expect(bandAt(model.peers[0]!, 5000)).toBeUndefined();
    expect(stepAt(model.peers[0]!.applied, 305)).toBe(1);
    expect(stepAt(model.peers[0]!.applied, 999)).toBe(2);
  });

  it('linesNear gives every line of the nearest instant; linesAt those of one stamp', () => {
    expect(linesNear(model.peers[0]!.log, 180).map((l) => l.atMs)).toEqual([100, 100]);
    expect(linesNear(model.peers[0]!.log, 250).map((l) => l.atMs)).toEqual([300]);
    expect(linesNear([], 5)).toEqual([]);
    expect(linesAt(model.peers[0]!.log, 100).map((l) => l.text)).toEqual(['001000 TERM S0 election timeout', '001000 VOTE S0 vote asked']);
    expect(linesAt(model.peers[0]!.log, 100.2)).toEqual([]);
  });
});
