import { describe, expect, it } from 'vitest';
import type { RaftCore } from '../../src/raft/core.js';
import type { InstallSnapshotArgs } from '../../src/raft/messages.js';
import { wire } from '../sim/helpers.js';
import { appendArgs, appendsTo, committedIndices, deliverAppend, entries, hardState, leader, logTerms, makeCore, ok, onlyAppendTo, snapshotsTo } from './helpers.js';

const DATA = new Uint8Array([1, 2, 3]);

/** A core that has applied `terms.length` committed entries (commit index set by a leader's heartbeat). */
function appliedFollower(terms: number[], term = terms.at(-1)!): RaftCore {
  const core = makeCore(1, 3, hardState(term, terms));
  core.onAppendEntries(appendArgs({ term, prevLogIndex: terms.length, prevLogTerm: terms.at(-1)!, leaderCommit: terms.length }));
  expect(committedIndices(core.takeReady())).toHaveLength(terms.length);
  return core;
}

function snapshotArgs(partial: Partial<InstallSnapshotArgs>): InstallSnapshotArgs {
  return { term: 3, leaderId: 0, lastIncludedIndex: 5, lastIncludedTerm: 2, data: DATA, ...partial };
}

/** A leader of three whose log 1..5 (term 1) committed and was compacted through 4; S1 and S2 still need everything. */
function compactedLeader(): RaftCore {
  const { core } = leader(0, 3, hardState(1, [1, 1, 1, 1, 1]));
  // The first heartbeats (in the Ready elect() took) go from index 6; S2 answers with its empty log.
  core.heartbeatTimeout();
  const heartbeat = onlyAppendTo(core.takeReady(), 2);
  core.onAppendEntriesReply(2, heartbeat, { term: 2, success: false, conflictTerm: -1, conflictIndex: 1 });
  core.propose('x');
  core.takeReady();
  core.replicate();
  const ready = core.takeReady();
  const sent = onlyAppendTo(ready, 2);
  expect(sent.prevLogIndex).toBe(0);
  core.onAppendEntriesReply(2, sent, ok(2));
  expect(core.commit).toBe(6);
  core.takeReady();
  core.snapshot(4, DATA);
  expect(core.takeReady()).toMatchObject({ persist: true, persistSnapshot: true });
  return core;
}

describe('RaftCore snapshots (the service side)', () => {
  it('snapshot() drops the log through the index, keeps the term there, and asks to save both', () => {
    const core = appliedFollower([1, 1, 2, 2, 2]);
    core.snapshot(3, DATA);
    const ready = core.takeReady();
    expect(ready).toMatchObject({ persist: true, persistSnapshot: true, messages: [], committed: [] });
    expect(core.snapshotBytes).toBe(DATA);
    expect(core.hardState()).toEqual({ term: 2, votedFor: -1, snapshotIndex: 3, snapshotTerm: 2, entries: entries([2, 2], 'c', 4) });
    expect(core.persistentState()).toMatchObject({ snapshotIndex: 3, changedFrom: 4 });
  });

  it('a snapshot at or below the current one changes nothing', () => {
    const core = appliedFollower([1, 1, 2]);
    core.snapshot(2, DATA);
    core.takeReady();
    core.snapshot(2, new Uint8Array([9]));
    core.snapshot(1, new Uint8Array([9]));
    expect(core.takeReady().persist).toBe(false);
    expect(core.snapshotBytes).toBe(DATA);
  });

  it('a snapshot past what was applied is the service\'s bug, refused loudly', () => {
    const core = makeCore(1, 3, hardState(1, [1, 1]));
    expect(() => core.snapshot(1, DATA)).toThrow('S1: snapshot through index 1, but only 0 has been applied');
  });

  it('a restart from a snapshot counts it committed and applied, and applies from just after it', () => {
    const core = makeCore(1, 3, { term: 3, votedFor: 0, snapshotIndex: 10, snapshotTerm: 2, entries: entries([3], 'c', 11) }, DATA);
    expect([core.commit, core.lastLogIndex, core.snapshotIndex]).toEqual([10, 11, 10]);
    expect(core.snapshotBytes).toBe(DATA);
    core.onAppendEntries(appendArgs({ term: 3, prevLogIndex: 11, prevLogTerm: 3, leaderCommit: 11 }));
    expect(committedIndices(core.takeReady())).toEqual([11]);
  });

  it('a saved state that names a snapshot that was not saved is refused', () => {
    expect(() => makeCore(1, 3, { term: 3, votedFor: 0, snapshotIndex: 10, snapshotTerm: 2, entries: [] }, new Uint8Array(0))).toThrow(
      'S1: the saved state has a snapshot through index 10, but no snapshot was saved',
    );
  });
});

describe('RaftCore InstallSnapshot (follower side)', () => {
  it('rejects a snapshot from an older term: no install, no timer reset', () => {
    const core = makeCore(1, 3, hardState(4, [1]));
    expect(core.onInstallSnapshot(snapshotArgs({ term: 3 }))).toEqual({ term: 4 });
    const ready = core.takeReady();
    expect(ready).toMatchObject({ persist: false, resetElectionTimer: false, committed: [] });
    expect(core.snapshotIndex).toBe(0);
  });

  it('a snapshot past the log replaces it, is saved, and is handed to the service', () => {
    const core = makeCore(1, 3, hardState(2, [1, 1, 2]));
    expect(core.onInstallSnapshot(snapshotArgs({ term: 3 }))).toEqual({ term: 3 });
    const ready = core.takeReady();
    expect(ready).toMatchObject({ persist: true, persistSnapshot: true, resetElectionTimer: true });
    expect(ready.committed).toEqual([{ kind: 'snapshot', index: 5, term: 2, data: DATA }]);
    expect(core.hardState()).toEqual({ term: 3, votedFor: -1, snapshotIndex: 5, snapshotTerm: 2, entries: [] });
    expect([core.commit, core.lastLogIndex]).toEqual([5, 5]);
    // The next entries go on from the snapshot.
    const reply = core.onAppendEntries(appendArgs({ term: 3, prevLogIndex: 5, prevLogTerm: 2, entries: entries([3], 'c', 6), leaderCommit: 6 }));
    expect(reply.success).toBe(true);
    expect(core.takeReady().committed).toEqual([{ kind: 'command', index: 6, command: 'c6' }]);
  });

  it('keeps the entries after the snapshot when its log agrees at the snapshot\'s last index', () => {
    const core = makeCore(1, 3, hardState(3, [1, 1, 2, 2, 2, 3, 3]));
    core.onInstallSnapshot(snapshotArgs({}));
    core.takeReady();
    expect(core.hardState()).toMatchObject({ snapshotIndex: 5, snapshotTerm: 2, entries: entries([3, 3], 'c', 6) });
  });

  it('discards the whole log when it disagrees at the snapshot\'s last index', () => {
    const core = makeCore(1, 3, hardState(3, [1, 1, 1, 1, 1, 1, 1]));
    core.onInstallSnapshot(snapshotArgs({}));
    core.takeReady();
    expect(core.hardState()).toMatchObject({ snapshotIndex: 5, snapshotTerm: 2, entries: [] });
  });

  it('a snapshot that does not go past its commit index is not installed: the service would move back', () => {
    const core = appliedFollower([1, 1, 2, 2, 2, 3], 3);
    expect(core.onInstallSnapshot(snapshotArgs({}))).toEqual({ term: 3 });
    const ready = core.takeReady();
    expect(ready).toMatchObject({ persist: false, committed: [], resetElectionTimer: true });
    expect(logTerms(core)).toEqual([1, 1, 2, 2, 2, 3]);
  });

  it('an AppendEntries that starts inside its snapshot goes on from the snapshot', () => {
    const core = makeCore(1, 3, hardState(2, [1, 1, 2]));
    core.onInstallSnapshot(snapshotArgs({ term: 2, lastIncludedIndex: 3 }));
    core.takeReady();
    // Entirely covered: nothing to do, and a success.
    expect(core.onAppendEntries(appendArgs({ term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: entries([1, 2], 'c', 2) })).success).toBe(true);
    // Partly covered: the part after the snapshot is appended.
    const reply = core.onAppendEntries(appendArgs({ term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: entries([1, 2, 2, 2], 'c', 2), leaderCommit: 5 }));
    expect(reply.success).toBe(true);
    expect(core.hardState()).toMatchObject({ snapshotIndex: 3, entries: entries([2, 2], 'c', 4) });
    expect(committedIndices(core.takeReady())).toEqual([4, 5]);
  });
});

describe('RaftCore InstallSnapshot (leader side)', () => {
  it('a follower that needs compacted entries is sent the snapshot, one at a time', () => {
    const core = compactedLeader();
    // S1 answered nothing yet; its nextIndex is 6, so a heartbeat still goes as AppendEntries.
    core.onAppendEntriesReply(1, appendArgs({ term: 2, prevLogIndex: 5, prevLogTerm: 1 }), { term: 2, success: false, conflictTerm: -1, conflictIndex: 2 });
    expect(core.takeReady().replicate).toBe(true);
    core.replicate();
    let ready = core.takeReady();
    expect(snapshotsTo(ready, 1)).toEqual([{ term: 2, leaderId: 0, lastIncludedIndex: 4, lastIncludedTerm: 1, data: DATA }]);
    expect(appendsTo(ready, 1)).toEqual([]);
    // While it is out, no second snapshot: heartbeats from the snapshot's last entry keep S1 a follower.
    core.replicate();
    core.heartbeatTimeout();
    ready = core.takeReady();
    expect(snapshotsTo(ready, 1)).toEqual([]);
    expect(onlyAppendTo(ready, 1)).toMatchObject({ prevLogIndex: 4, prevLogTerm: 1, entries: [] });
  });

  it('a lost snapshot goes again with the next heartbeat', () => {
    const core = compactedLeader();
    core.onAppendEntriesReply(1, appendArgs({ term: 2, prevLogIndex: 5, prevLogTerm: 1 }), { term: 2, success: false, conflictTerm: -1, conflictIndex: 1 });
    core.replicate();
    const sent = snapshotsTo(core.takeReady(), 1)[0]!;
    core.onInstallSnapshotLost(1, sent);
    core.heartbeatTimeout();
    expect(snapshotsTo(core.takeReady(), 1)).toHaveLength(1);
  });

  it('a reply moves the follower past the snapshot, and the rest of the log follows', () => {
    const core = compactedLeader();
    core.onAppendEntriesReply(1, appendArgs({ term: 2, prevLogIndex: 5, prevLogTerm: 1 }), { term: 2, success: false, conflictTerm: -1, conflictIndex: 1 });
    core.replicate();
    const sent = snapshotsTo(core.takeReady(), 1)[0]!;
    const follower = makeCore(1, 3);
    const reply = wire(follower.onInstallSnapshot(wire(sent)));
    expect(follower.takeReady().committed).toEqual([{ kind: 'snapshot', index: 4, term: 1, data: DATA }]);
    core.onInstallSnapshotReply(1, sent, reply);
    expect(core.takeReady().replicate).toBe(true);
    core.replicate();
    const next = onlyAppendTo(core.takeReady(), 1);
    expect(next).toMatchObject({ prevLogIndex: 4, prevLogTerm: 1, entries: [{ term: 1, command: 'c5' }, { term: 2, command: 'x' }] });
    deliverAppend(core, follower, next);
    core.heartbeatTimeout();
    deliverAppend(core, follower, onlyAppendTo(core.takeReady(), 1));
    expect(committedIndices(follower.takeReady())).toEqual([5, 6]);
  });

  it('a reply from a higher term makes the leader step down', () => {
    const core = compactedLeader();
    core.onInstallSnapshotReply(1, snapshotArgs({ term: 2, lastIncludedIndex: 4 }), { term: 7 });
    expect([core.isLeader, core.currentTerm]).toEqual([false, 7]);
  });
});
