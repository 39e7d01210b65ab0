import { describe, expect, it } from 'vitest';
import { InvariantChecker, InvariantViolation } from '../../src/harness/invariants.js';
import type { LogEntry, RaftPeer, RaftView, Role } from '../../src/raft/types.js';
import { REGISTRY } from '../../src/suite/registry.js';
import { runLabTest } from '../../src/suite/run-test.js';
import { BROKEN_RAFTS, votesTwice, withoutView } from './fixtures/broken-rafts.js';

/** A peer whose state the test sets by hand; `view: false` hides inspect(), as a user's Raft may. */
class FakePeer implements RaftPeer {
  term = 0;
  votedFor = -1;
  role: Role = 'follower';
  commitIndex = 0;
  lastApplied = 0;
  /** The entries after the snapshot: entries[0] is index snapshotIndex + 1. */
  entries: LogEntry[] = [];
  snapshotIndex = 0;
  snapshotTerm = 0;
  logVersion = 0;
  /** For each log version, the lowest index that change made differ (what logChangedSince tells). */
  readonly changeFrom: number[] = [];
  /** How many entries the checker has read through the view. */
  entryReads = 0;
  readonly handlers = {};
  inspect?: () => RaftView;

  /** `tellsChanges` offers logChangedSince in the view, as the reference Raft does. */
  constructor(view = true, tellsChanges = false) {
    if (view) {
      this.inspect = () => ({
        term: this.term,
        role: this.role,
        votedFor: this.votedFor,
        commitIndex: this.commitIndex,
        lastApplied: this.lastApplied,
        lastIndex: this.snapshotIndex + this.entries.length,
        snapshotIndex: this.snapshotIndex,
        snapshotTerm: this.snapshotTerm,
        entry: (index: number) => {
          if (index <= this.snapshotIndex) throw new RangeError(`index ${index} is compacted`);
          this.entryReads++;
          return this.entries[index - this.snapshotIndex - 1]!;
        },
        logVersion: this.logVersion,
        ...(tellsChanges ? { logChangedSince: (version: number) => Math.min(...this.changeFrom.slice(version + 1)) } : {}),
      });
    }
  }

  start() {
    return { index: -1, term: this.term, isLeader: false };
  }

  getState() {
    return { term: this.term, isLeader: this.role === 'leader' };
  }

  kill() {}

  snapshot() {}

  /** Drops the entries through `index` behind a snapshot that ends in `term` (by default the term held there). */
  compact(index: number, term = this.entries[index - this.snapshotIndex - 1]!.term): void {
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.changeFrom[++this.logVersion] = this.snapshotIndex + this.entries.length + 1;
  }

  /** Sets the log after the snapshot; entries equal to the ones they replace are kept as they were. */
  setLog(...entries: [term: number, command: unknown][]): void {
    const before = this.entries;
    this.entries = entries.map(([term, command], k) => (before[k]?.term === term && before[k].command === command ? before[k] : { term, command }));
    let k = 0;
    while (k < entries.length && this.entries[k] === before[k]) k++;
    this.changeFrom[++this.logVersion] = this.snapshotIndex + k + 1;
  }
}

function cluster(n: number, view = true, tellsChanges = false) {
  const peers: (FakePeer | undefined)[] = Array.from({ length: n }, () => new FakePeer(view, tellsChanges));
  let nowMs = 1234.5;
  const checker = new InvariantChecker({ peers, nowMs: () => nowMs });
  // A correct peer saves what it changed before its event ends; these peers "save" at every check.
  const check = () => {
    peers.forEach((_, i) => checker.saved(i));
    checker.check();
  };
  return { peers, checker, check, at: (ms: number) => (nowMs = ms) };
}

function violation(check: () => void): InvariantViolation {
  try {
    check();
  } catch (error) {
    if (error instanceof InvariantViolation) return error;
    throw error;
  }
  throw new Error('expected an invariant violation, but the check passed');
}

describe('InvariantChecker, on peers set by hand', () => {
  it('passes a healthy cluster: one leader, matching logs, commits within the logs', () => {
    const { peers, check } = cluster(3);
    for (const p of peers) {
      p!.term = 2;
      p!.setLog([1, 'a'], [2, 'b']);
      p!.commitIndex = 1;
    }
    peers[0]!.role = 'leader';
    peers[0]!.commitIndex = 2;
    expect(() => check()).not.toThrow();
  });

  it('election safety: a second leader of a term fails the first check that sees it, even after the first stepped down', () => {
    const { peers, check, at } = cluster(3);
    peers[0]!.term = 3;
    peers[0]!.role = 'leader';
    check();
    peers[0]!.role = 'follower';
    peers[2]!.term = 3;
    peers[2]!.role = 'leader';
    at(2500);
    const v = violation(() => check());
    expect(v.invariant).toBe('election safety');
    expect(v.message).toBe('strict mode: election safety violated at 2.5000s: S0 and S2 were both leader of term 3');
  });

  it('election safety works from getState alone when peers offer no view', () => {
    const { peers, check } = cluster(3, false);
    peers[0]!.term = 1;
    peers[0]!.role = 'leader';
    peers[1]!.term = 1;
    peers[1]!.role = 'leader';
    expect(violation(() => check()).invariant).toBe('election safety');
  });

  it('log matching: one index and term with two different commands', () => {
    const { peers, check } = cluster(2);
    peers[0]!.setLog([1, 'a'], [2, 'b']);
    peers[1]!.setLog([1, 'a'], [2, 'c']);
    const v = violation(() => check());
    expect(v.invariant).toBe('log matching');
    expect(v.message).toContain('S0 and S1 both hold index 2 in term 2, with different commands "b" and "c"');
    expect(v.message).toContain('S1 log (term 0, follower, commit 0): 1:t1:"a" 2:t2:"c"');
  });

  it('log matching: one index and term after different previous terms, seen at different times', () => {
    const { peers, check } = cluster(2);
    peers[0]!.setLog([1, 'a'], [3, 'x']);
    check();
    // S0's entry is gone by the time S1 shows the same (index, term) after another term.
    peers[0]!.setLog([1, 'a']);
    peers[1]!.setLog([2, 'q'], [3, 'x']);
    expect(violation(() => check()).message).toContain('S0 and S1 both hold index 2 in term 3, but after different terms (1 and 2) at index 1');
  });

  it('log matching: terms going down within one log', () => {
    const { peers, check } = cluster(1);
    peers[0]!.setLog([2, 'a'], [1, 'b']);
    expect(violation(() => check()).message).toContain('S0 holds term 1 at index 2 after term 2; terms in a log never go down');
  });

  it('skips a log whose version has not changed, and rescans it once it has', () => {
    const { peers, check } = cluster(1);
    peers[0]!.setLog([2, 'a'], [2, 'b']);
    check();
    peers[0]!.entries[1] = { term: 1, command: 'b' };
    expect(() => check()).not.toThrow();
    peers[0]!.logVersion++;
    expect(violation(() => check()).invariant).toBe('log matching');
  });

  it('with logChangedSince, compares only the tail of a log that the view says changed, and still catches what is wrong there', () => {
    const { peers, check } = cluster(2, true, true);
    peers[0]!.setLog([1, 'a'], [1, 'b'], [1, 'c']);
    peers[1]!.setLog([1, 'a'], [1, 'b']);
    check();
    const reads = peers[1]!.entryReads;
    peers[1]!.setLog([1, 'a'], [1, 'b'], [1, 'c']);
    check();
    // Index 3 for the save and for the scan, and index 2's term before it: not entries 1 and 2 again.
    expect(peers[1]!.entryReads - reads).toBe(3);
    peers[1]!.setLog([1, 'a'], [1, 'b'], [1, 'c'], [2, 'x']);
    peers[0]!.setLog([1, 'a'], [1, 'b'], [1, 'c'], [2, 'y']);
    expect(violation(() => check()).message).toContain('S0 and S1 both hold index 4 in term 2, with different commands "y" and "x"');
  });

  for (const tellsChanges of [false, true]) {
    it(`leader completeness: a leader that loses a committed entry in its own term, after it was checked${tellsChanges ? ' (logChangedSince)' : ''}`, () => {
      const { peers, check } = cluster(3, true, tellsChanges);
      for (const p of peers) {
        p!.term = 1;
        p!.setLog([1, 'a'], [1, 'b']);
      }
      peers[2]!.commitIndex = 2;
      check();
      peers[0]!.term = 2;
      peers[0]!.role = 'leader';
      peers[0]!.setLog([1, 'a'], [1, 'b'], [2, 'c']);
      check();
      peers[0]!.setLog([1, 'a']);
      expect(violation(() => check()).message).toContain('S0 leads term 2 but holds nothing at index 2, where "b" (term 1) was committed by term 1');
      peers[0]!.setLog([1, 'a'], [2, 'x']);
      expect(violation(() => check()).message).toContain('S0 leads term 2 but holds "x" (term 2) at index 2, where "b" (term 1) was committed by term 1');
    });
  }

  it('leader completeness: a leader of a later term lacks an entry committed earlier', () => {
    const { peers, check } = cluster(3);
    for (const p of peers) p!.term = 1;
    peers[0]!.setLog([1, 'a'], [1, 'b']);
    peers[0]!.commitIndex = 2;
    peers[1]!.setLog([1, 'a']);
    peers[2]!.setLog([1, 'a'], [1, 'b']);
    check();
    peers[1]!.term = 2;
    peers[1]!.role = 'leader';
    const v = violation(() => check());
    expect(v.invariant).toBe('leader completeness');
    expect(v.message).toContain('S1 leads term 2 but holds nothing at index 2, where "b" (term 1) was committed by term 1');
  });

  it('leader completeness does not hold a leader to an entry committed in its own term or later', () => {
    const { peers, check } = cluster(3);
    peers[0]!.term = 2;
    peers[0]!.setLog([1, 'a'], [2, 'b']);
    peers[0]!.commitIndex = 2;
    peers[2]!.setLog([1, 'a'], [2, 'b']);
    // A stale leader of term 2 that has not heard of entry 2 is legal until a later term.
    peers[1]!.term = 2;
    peers[1]!.role = 'leader';
    peers[1]!.setLog([1, 'a']);
    expect(() => check()).not.toThrow();
  });

  it('state machine safety: two peers commit different entries at one index', () => {
    const { peers, check } = cluster(3);
    peers[2]!.setLog([1, 'a']);
    peers[0]!.setLog([1, 'a']);
    peers[0]!.commitIndex = 1;
    check();
    peers[1]!.setLog([2, 'z']);
    peers[1]!.commitIndex = 1;
    expect(violation(() => check()).message).toContain('S0 committed "a" (term 1) at index 1 but S1 committed "z" (term 2)');
  });

  it('state machine safety: a commit index past the end of the log', () => {
    const { peers, check } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b']);
    peers[0]!.commitIndex = 2;
    check();
    peers[0]!.setLog([1, 'a']);
    expect(violation(() => check()).message).toContain("S0's commit index 2 is past its last log index 1");
  });

  it('state machine safety: two peers apply different commands at one index, reported when the event ends', () => {
    const { peers, checker, check } = cluster(2, false);
    checker.onApply(0, { commandValid: true, command: 7, commandIndex: 1 });
    checker.onApply(1, { commandValid: true, command: 8, commandIndex: 1 });
    expect(violation(() => check()).message).toContain('S0 applied 7 at index 1 but S1 applied 8');
    expect(peers).toHaveLength(2);
  });

  it('monotonic: applied indexes go up by one within a run of a peer, and start again after a restart', () => {
    const { checker, check } = cluster(1, false);
    checker.onApply(0, { commandValid: true, command: 'a', commandIndex: 1 });
    checker.started(0);
    checker.onApply(0, { commandValid: true, command: 'a', commandIndex: 1 });
    expect(() => check()).not.toThrow();
    checker.onApply(0, { commandValid: true, command: 'c', commandIndex: 3 });
    expect(violation(() => check()).message).toContain('S0 applied index 3 right after index 1');
  });

  it('monotonic: the term never goes down, across a restart too; the commit index only within a run', () => {
    const { peers, checker, check } = cluster(1);
    peers[0]!.term = 4;
    peers[0]!.setLog([4, 'a']);
    peers[0]!.commitIndex = 1;
    check();
    // A restart forgets the commit index, which is volatile state...
    checker.started(0);
    peers[0]!.commitIndex = 0;
    expect(() => check()).not.toThrow();
    // ...but not the term, which is persistent.
    peers[0]!.term = 3;
    expect(violation(() => check()).message).toContain("S0's term went down from 4 to 3");
  });

  it('monotonic: the commit index going down within a run', () => {
    const { peers, check } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b']);
    peers[0]!.commitIndex = 2;
    check();
    peers[0]!.commitIndex = 1;
    expect(violation(() => check()).message).toContain("S0's commit index went down from 2 to 1");
  });
});

describe('InvariantChecker, on the effects peers have', () => {
  const grant = (term: number, candidate: number) => [{ term, candidateId: candidate, lastLogIndex: 0, lastLogTerm: 0 }, { term, voteGranted: true }] as const;

  it('one vote per term: a vote granted in a term, then another to someone else after a restart', () => {
    const { peers, checker, at } = cluster(3, false);
    peers[0]!.term = 5;
    checker.handled(0, 'RequestVote', ...grant(5, 1));
    checker.check();
    checker.started(0);
    checker.restarted(0);
    peers[0]!.term = 5;
    at(3000);
    checker.handled(0, 'RequestVote', ...grant(5, 2));
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('one vote per term');
    expect(v.message).toBe('strict mode: one vote per term violated at 3.0000s: S0 voted for S1 in term 5, then for S2 in the same term (votedFor must survive restarts)');
  });

  it('one vote per term, from the views too: a vote seen in votedFor counts', () => {
    const { peers, check, checker } = cluster(2);
    peers[0]!.term = 2;
    peers[0]!.votedFor = 0;
    check();
    checker.handled(0, 'RequestVote', ...grant(2, 1));
    expect(violation(() => checker.check()).message).toContain('S0 voted for S0 in term 2, then for S1');
  });

  it('persist before reveal: a vote granted before it was saved', () => {
    const { peers, check, checker } = cluster(2);
    check();
    peers[0]!.term = 3;
    peers[0]!.votedFor = 1;
    checker.handled(0, 'RequestVote', ...grant(3, 1));
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('persist before reveal');
    expect(v.message).toContain('S0 granted its vote in term 3 to S1 before saving it (saved: term 0, no vote)');
  });

  it('persist before reveal: a request in a term not yet saved, and a candidate asking before saving its own vote', () => {
    const { peers, check, checker } = cluster(2);
    check();
    checker.sent(0, 1, 'AppendEntries', { term: 1, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 });
    expect(violation(() => checker.check()).message).toContain('S0 sent AppendEntries in term 1 to S1, but has saved only term 0');

    const second = cluster(2);
    second.peers[1]!.term = 4;
    second.check();
    second.checker.sent(1, 0, 'RequestVote', { term: 4, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 });
    expect(violation(() => second.checker.check()).message).toContain('S1 asked S0 for its vote in term 4 before saving its vote for itself (saved: term 4, no vote)');
    expect(peers).toHaveLength(2);
  });

  it('persist before reveal: a successful AppendEntries acknowledging entries the follower has not saved', () => {
    const { peers, check, checker } = cluster(2);
    peers[1]!.term = 2;
    peers[1]!.setLog([1, 'a']);
    check();
    peers[1]!.setLog([1, 'a'], [2, 'b']);
    const args = { term: 2, leaderId: 0, prevLogIndex: 1, prevLogTerm: 1, entries: [{ term: 2, command: 'b' }], leaderCommit: 1 };
    checker.handled(1, 'AppendEntries', args, { term: 2, success: true, conflictTerm: -1, conflictIndex: 0 });
    expect(violation(() => checker.check()).message).toContain('S1 acknowledged AppendEntries up to index 2 in term 2, but has saved its log only up to index 1');
    // Once saved, the same acknowledgement is fine.
    const fine = cluster(2);
    fine.peers[1]!.term = 2;
    fine.peers[1]!.setLog([1, 'a'], [2, 'b']);
    fine.check();
    fine.checker.handled(1, 'AppendEntries', args, { term: 2, success: true, conflictTerm: -1, conflictIndex: 0 });
    expect(() => fine.checker.check()).not.toThrow();
  });

  it('persist before reveal: a restarted peer must come back with the state it last saved', () => {
    const { peers, check, checker } = cluster(2);
    peers[0]!.term = 3;
    peers[0]!.votedFor = 1;
    peers[0]!.setLog([1, 'a'], [3, 'b']);
    check();
    checker.started(0);
    // The saved bytes lacked the vote: the new instance has voted for no one.
    peers[0]!.votedFor = -1;
    const v = violation(() => checker.restarted(0));
    expect(v.invariant).toBe('persist before reveal');
    expect(v.message).toContain('S0 restarted with term 3, no vote, last index 2, but its last save was taken with term 3, a vote for S1, last index 2');
  });

  it('committed on a majority: a commit index over an entry only one of three peers has saved', () => {
    const { peers, check, checker } = cluster(3);
    for (const p of peers) p!.term = 1;
    peers[0]!.role = 'leader';
    peers[0]!.setLog([1, 'a']);
    check();
    peers[0]!.commitIndex = 1;
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('committed on a majority');
    expect(v.message).toContain('S0 committed index 1 (term 1) in term 1, but only 1 of 3 peers have saved it (S0)');
    // A crashed peer counts by what it saved.
    const crashed = cluster(3);
    for (const p of crashed.peers) p!.setLog([1, 'a']);
    crashed.check();
    crashed.peers[2] = undefined;
    crashed.peers[1]!.setLog();
    crashed.peers[0]!.commitIndex = 1;
    expect(() => crashed.checker.check()).not.toThrow();
  });

  it('applied once: one index applied twice by one run of a peer', () => {
    const { checker } = cluster(1, false);
    checker.onApply(0, { commandValid: true, command: 'a', commandIndex: 1 });
    checker.onApply(0, { commandValid: true, command: 'b', commandIndex: 2 });
    checker.onApply(0, { commandValid: true, command: 'b', commandIndex: 2 });
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('applied once');
    expect(v.message).toContain('S0 applied index 2 again, having applied up to index 2 since it started');
  });

  it('election timer: a follower that denies a vote must not restart its timer; one that grants it may', () => {
    const { peers, check, checker } = cluster(2, false);
    peers[0]!.term = 3;
    check();
    const ask = { term: 3, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 };
    checker.handled(0, 'RequestVote', ask, { term: 3, voteGranted: true }, { set: 1, cancelled: 1 });
    checker.handled(0, 'RequestVote', ask, { term: 3, voteGranted: false }, { set: 0, cancelled: 0 });
    expect(() => checker.check()).not.toThrow();
    checker.handled(0, 'RequestVote', { ...ask, term: 2 }, { term: 3, voteGranted: false }, { set: 1, cancelled: 1 });
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('election timer');
    expect(v.message).toContain('S0 restarted a timer while denying S1 its vote in term 2, staying in term 3');
  });

  it('term adoption: a leader that stays in its term after a reply from a later one', () => {
    const { peers, check, checker } = cluster(2, false);
    peers[0]!.term = 2;
    peers[0]!.role = 'leader';
    check();
    checker.replyHandled(0, 1, 'AppendEntries', {}, { term: 4, success: false });
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('term adoption');
    expect(v.message).toContain('S0 got a AppendEntries reply from S1 in term 4 but stays in term 2 as leader');
  });
});

describe('InvariantChecker, with snapshots', () => {
  it('passes compacted logs: each is checked from just after its snapshot, and a leader is held only to what it still holds', () => {
    const { peers, check } = cluster(3);
    for (const p of peers) {
      p!.term = 2;
      p!.setLog([1, 'a'], [1, 'b'], [2, 'c'], [2, 'd']);
      p!.commitIndex = 3;
    }
    check();
    peers[0]!.compact(3);
    peers[1]!.compact(2);
    peers[0]!.role = 'leader';
    peers[0]!.term = 3;
    expect(() => check()).not.toThrow();
    // Log matching still applies to the part held: S1's index 3 must agree with S2's.
    peers[1]!.entries[0] = { term: 2, command: 'X' };
    peers[1]!.logVersion++;
    expect(violation(() => check()).message).toContain('S1 changed index 3, which it had committed, to "X" (term 2)');
  });

  it('snapshot safety: a snapshot never covers an index its peer has not committed', () => {
    const { peers, check } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b']);
    peers[0]!.commitIndex = 1;
    check();
    peers[0]!.compact(2);
    const v = violation(() => check());
    expect(v.invariant).toBe('snapshot safety');
    expect(v.message).toContain("S0's snapshot covers index 2, past its commit index 1");
    expect(v.message).toContain('S0 log (term 0, follower, commit 1): snapshot 2:t1 ');
  });

  it("snapshot safety: a snapshot's last term is the term committed there", () => {
    const { peers, check } = cluster(2);
    for (const p of peers) {
      p!.setLog([1, 'a'], [2, 'b']);
      p!.commitIndex = 2;
    }
    check();
    peers[1]!.compact(2, 3);
    expect(violation(() => check()).message).toContain(`S1's snapshot ends at index 2 in term 3, where S0 committed "b" (term 2)`);
  });

  it('snapshot safety: an installed snapshot never moves the state machine back', () => {
    const { checker, check } = cluster(1, false);
    for (let index = 1; index <= 5; index++) checker.onApply(0, { commandValid: true, command: index, commandIndex: index });
    checker.onApply(0, { commandValid: false, command: undefined, commandIndex: 0, snapshotValid: true, snapshot: new Uint8Array(0), snapshotIndex: 8, snapshotTerm: 1 });
    checker.onApply(0, { commandValid: true, command: 9, commandIndex: 9 });
    expect(() => check()).not.toThrow();
    checker.onApply(0, { commandValid: false, command: undefined, commandIndex: 0, snapshotValid: true, snapshot: new Uint8Array(0), snapshotIndex: 7, snapshotTerm: 1 });
    const v = violation(() => check());
    expect(v.invariant).toBe('snapshot safety');
    expect(v.message).toContain('S0 installed a snapshot through index 7 after applying index 9: its state machine moved back');
  });

  it('monotonic: the snapshot index never goes down within a run; a restarted service starts from its snapshot', () => {
    const { peers, checker, check } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b'], [1, 'c']);
    peers[0]!.commitIndex = 3;
    peers[0]!.compact(2);
    check();
    checker.started(0, 2);
    checker.onApply(0, { commandValid: true, command: 'c', commandIndex: 3 });
    expect(() => check()).not.toThrow();
    peers[0]!.snapshotIndex = 1;
    peers[0]!.entries = [{ term: 1, command: 'b' }, ...peers[0]!.entries];
    peers[0]!.logVersion++;
    expect(violation(() => check()).message).toContain("S0's snapshot index went down from 2 to 1");
  });

  it('snapshot safety: a restarted peer\'s log starts right after the snapshot saved with it', () => {
    const { peers, checker, check } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b'], [1, 'c']);
    peers[0]!.commitIndex = 2;
    peers[0]!.compact(2);
    checker.started(0, 2);
    expect(() => check()).not.toThrow();
    // Later snapshots need not match the one the service restarted from.
    peers[0]!.commitIndex = 3;
    peers[0]!.compact(3);
    expect(() => check()).not.toThrow();
    checker.started(0, 2);
    expect(violation(() => check()).message).toContain(
      'S0 restarted with a log that starts after index 3, but the snapshot saved with it ends at index 2',
    );
  });

  it('persist before reveal: a reply in the leader\'s term to a snapshot must follow a save of the entry it ends at', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.term = 3;
    peers[0]!.setLog([1, 'a'], [2, 'b']);
    checker.saved(0);
    const snapshot = (index: number, term: number) => ({ term: 3, leaderId: 1, lastIncludedIndex: index, lastIncludedTerm: term, data: new Uint8Array(0) });
    // Held in the saved log: fine.
    checker.handled(0, 'InstallSnapshot', snapshot(2, 2), { term: 3 });
    expect(() => checker.check()).not.toThrow();
    // Acknowledged, but neither the saved log nor a saved snapshot reaches index 5.
    checker.handled(0, 'InstallSnapshot', snapshot(5, 3), { term: 3 });
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('persist before reveal');
    expect(v.message).toContain('S0 acknowledged a snapshot through index 5 (term 3), but has saved neither');
  });

  it('persist before reveal: a restarted peer comes back with the snapshot index it saved', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b'], [1, 'c']);
    peers[0]!.commitIndex = 2;
    peers[0]!.compact(2);
    checker.saved(0);
    checker.started(0, 2);
    checker.restarted(0);
    expect(() => checker.check()).not.toThrow();
    // The state comes back without its compaction: the save did not hold it.
    checker.started(0, 2);
    peers[0]!.snapshotIndex = 1;
    peers[0]!.entries = [{ term: 1, command: 'b' }, { term: 1, command: 'c' }];
    expect(violation(() => checker.restarted(0)).message).toContain('S0 restarted with');
  });

  it('observe() records what a peer commits just before its snapshot drops it, so later leaders are held to it', () => {
    for (const observed of [false, true]) {
      const { peers, checker, check } = cluster(3);
      for (const p of peers) p!.term = 1;
      peers[0]!.setLog([1, 'a'], [1, 'b']);
      peers[1]!.setLog([1, 'a']);
      peers[2]!.setLog([1, 'a'], [1, 'b']);
      check();
      // In one event S0 commits index 2 and its service snapshots it.
      peers[0]!.commitIndex = 2;
      if (observed) checker.observe(0);
      peers[0]!.compact(2);
      check();
      peers[1]!.term = 2;
      peers[1]!.role = 'leader';
      if (observed) expect(violation(() => check()).message).toContain('S1 leads term 2 but holds nothing at index 2, where "b" (term 1) was committed by term 1');
      else expect(() => check()).not.toThrow();
    }
  });
});

describe('strict mode on the suite', () => {
  it('the reference Raft passes every test of 2A, 2B, 2C and 2D in strict mode', async () => {
    for (const test of REGISTRY) {
      for (let seed = 0; seed < 3; seed++) {
        const outcome = await runLabTest({ test: test.name, seed, strict: true });
        expect(outcome.passed, `${test.name} seed ${seed}: ${outcome.error}`).toBe(true);
      }
    }
  });

  it('the reference Raft without its view passes in strict mode too', async () => {
    for (const test of ['TestFigure8Unreliable2C', 'TestPersist22C', 'TestBackup2B']) {
      const outcome = await runLabTest({ test, seed: 11, strict: true, raft: withoutView });
      expect(outcome.passed, `${test}: ${outcome.error}`).toBe(true);
    }
  });

  it.each(BROKEN_RAFTS.map((b) => [b.invariant, b.bug, b] as const))(
    '%s: a Raft that %s is caught at the violating event, and passes without strict mode',
    async (invariant, _bug, broken) => {
      let shown: { seed: number; error: string } | undefined;
      for (let seed = 0; seed < broken.seeds && shown === undefined; seed++) {
        const strict = await runLabTest({ test: broken.test, seed, raft: broken.raft, strict: true });
        if (strict.passed || !strict.error!.startsWith(`strict mode: ${invariant} violated`)) continue;
        // The run ends at the event that broke the invariant: the world's clock stops there.
        const atSeconds = /violated at (\d+\.\d{4})s/.exec(strict.error!)![1];
        expect(atSeconds).toBe((strict.elapsedMs / 1000).toFixed(4));
        if ((await runLabTest({ test: broken.test, seed, raft: broken.raft })).passed) shown = { seed, error: strict.error! };
      }
      expect(shown, `no seed below ${broken.seeds} where strict mode catches ${invariant} and the plain run passes`).toBeDefined();
    },
  );

  it('a Raft without a view is still held to one vote per term, by the replies it gives', async () => {
    const hidden = {
      make: (options: Parameters<typeof votesTwice.make>[0]) => {
        const peer = votesTwice.make(options);
        return {
          handlers: peer.handlers,
          start: (c: unknown) => peer.start(c),
          getState: () => peer.getState(),
          kill: () => peer.kill(),
          snapshot: (index: number, snapshot: Uint8Array) => peer.snapshot(index, snapshot),
        };
      },
    };
    let caught = 0;
    for (let seed = 0; seed < 20; seed++) {
      const outcome = await runLabTest({ test: 'TestManyElections2A', seed, raft: hidden, strict: true });
      if (outcome.error?.startsWith('strict mode: one vote per term violated')) caught++;
    }
    expect(caught).toBeGreaterThan(0);
  });
});

// Issue 14, item 4: a peer whose inspect() copies its log made strict mode 2.4x (2.8x on ReliableChurn) a plain run.
describe('InvariantChecker told of every call into a peer (touches)', () => {
  it('reads again only the peers called into since the last check, and a restarted one', () => {
    const peers: (FakePeer | undefined)[] = Array.from({ length: 3 }, () => new FakePeer());
    const reads = [0, 0, 0];
    peers.forEach((peer, i) => {
      const inspect = peer!.inspect!;
      peer!.inspect = () => {
        reads[i]! += 1;
        return inspect();
      };
    });
    const checker = new InvariantChecker({ peers, nowMs: () => 0, touches: true });
    checker.check();
    expect(reads).toEqual([1, 1, 1]);
    checker.touch(1);
    checker.check();
    expect(reads).toEqual([1, 2, 1]);
    // A leader of term 1 the checker is told of is read, and held to the rules, at once.
    peers[2]!.term = 1;
    peers[2]!.role = 'leader';
    checker.touch(2);
    checker.check();
    expect(reads).toEqual([1, 2, 2]);
    peers[0]!.term = 1;
    peers[0]!.role = 'leader';
    checker.touch(0);
    expect(() => checker.check()).toThrow(/election safety/);
    // A new instance at an index is read whether or not it was touched.
    const fresh = new FakePeer();
    let freshReads = 0;
    const inspectFresh = fresh.inspect!;
    fresh.inspect = () => {
      freshReads += 1;
      return inspectFresh();
    };
    peers[1] = fresh;
    peers[0]!.role = 'follower';
    peers[0]!.term = 2;
    checker.touch(0);
    checker.check();
    expect(freshReads).toBe(1);
  });
});
