import { describe, expect, it } from 'vitest';
import { majorityMatch, type RaftCore } from '../../src/raft/core.js';
import type { AppendEntriesArgs } from '../../src/raft/messages.js';
import { makeRandom } from '../../src/sim/random.js';
import {
  appendArgs,
  appendsTo,
  committedIndices,
  deliverAppend,
  entries,
  hardState,
  leader,
  logTerms,
  makeCore,
  ok,
  onlyAppendTo,
} from './helpers.js';

describe('RaftCore AppendEntries (follower side)', () => {
  it('rejects a request from an older term without touching its log or timer', () => {
    const follower = makeCore(1, 3, hardState(3, [1, 2]));
    const reply = follower.onAppendEntries(appendArgs({ term: 2, prevLogIndex: 2, prevLogTerm: 2, entries: entries([2], 'x', 3) }));
    expect(reply).toMatchObject({ term: 3, success: false });
    const ready = follower.takeReady();
    expect(ready.resetElectionTimer).toBe(false);
    expect(ready.persist).toBe(false);
    expect(logTerms(follower)).toEqual([1, 2]);
  });

  it('a heartbeat that matches restarts the election timer and saves nothing', () => {
    const follower = makeCore(1, 3, hardState(2, [1, 2]));
    const reply = follower.onAppendEntries(appendArgs({ term: 2, prevLogIndex: 2, prevLogTerm: 2 }));
    expect(reply).toEqual({ term: 2, success: true, conflictTerm: -1, conflictIndex: 0 });
    const ready = follower.takeReady();
    expect(ready.resetElectionTimer).toBe(true);
    expect(ready.persist).toBe(false);
  });

  it('a log too short answers conflictTerm -1 and conflictIndex = its length + 1', () => {
    const follower = makeCore(1, 3, hardState(2, [1, 1]));
    const reply = follower.onAppendEntries(appendArgs({ term: 3, prevLogIndex: 5, prevLogTerm: 2 }));
    expect(reply).toEqual({ term: 3, success: false, conflictTerm: -1, conflictIndex: 3 });
    // The leader is legitimate even though the logs differ.
    expect(follower.takeReady().resetElectionTimer).toBe(true);
  });

  it.each([
    ['in the middle of a term', [1, 1, 2, 2, 2], 4, 2, 3],
    ['at the first entry of a term', [1, 1, 2, 2, 2], 3, 2, 3],
    ['in a term that starts the log', [2, 2, 3], 2, 2, 1],
    ['at the last entry', [1, 1, 2, 2, 4], 5, 4, 5],
  ])('a term mismatch %s names that term and its first index', (_what, terms, prevLogIndex, conflictTerm, conflictIndex) => {
    const follower = makeCore(1, 3, hardState(5, terms));
    const reply = follower.onAppendEntries(appendArgs({ term: 5, prevLogIndex, prevLogTerm: 3 }));
    expect(reply).toEqual({ term: 5, success: false, conflictTerm, conflictIndex });
    expect(logTerms(follower)).toEqual(terms);
  });

  it('appends new entries and asks for them to be saved', () => {
    const follower = makeCore(1, 3, hardState(2, [1]));
    const reply = follower.onAppendEntries(appendArgs({ term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: entries([2, 2], 'c', 2) }));
    expect(reply.success).toBe(true);
    expect(follower.takeReady().persist).toBe(true);
    expect(follower.hardState().entries).toEqual(entries([1, 2, 2]));
  });

  it('replaces a conflicting suffix with the leader’s entries', () => {
    const follower = makeCore(1, 3, hardState(2, [1, 1, 2, 2, 2], -1, 'old'));
    const reply = follower.onAppendEntries(appendArgs({ term: 3, prevLogIndex: 2, prevLogTerm: 1, entries: entries([3], 'new', 3) }));
    expect(reply.success).toBe(true);
    expect(follower.takeReady().persist).toBe(true);
    expect(follower.hardState().entries).toEqual([...entries([1, 1], 'old'), ...entries([3], 'new', 3)]);
  });

  it('keeps the entries after a stale or duplicate request whose entries it already holds', () => {
    const follower = makeCore(1, 3);
    follower.onAppendEntries(appendArgs({ term: 1, entries: entries([1, 1, 1, 1]) }));
    follower.takeReady();
    // An older request that carried only the first two entries arrives late.
    const reply = follower.onAppendEntries(appendArgs({ term: 1, entries: entries([1, 1]) }));
    expect(reply.success).toBe(true);
    expect(follower.hardState().entries).toEqual(entries([1, 1, 1, 1]));
    expect(follower.takeReady().persist).toBe(false);
  });

  it('appends only the part of an overlapping request that is new', () => {
    const follower = makeCore(1, 3, hardState(1, [1, 1, 1]));
    follower.onAppendEntries(appendArgs({ term: 1, prevLogIndex: 1, prevLogTerm: 1, entries: entries([1, 1, 1], 'c', 2) }));
    expect(follower.hardState().entries).toEqual(entries([1, 1, 1, 1]));
  });

  it('commits min(leaderCommit, index of the last new entry), each entry once and in order', () => {
    const follower = makeCore(1, 3, hardState(1, [1, 1, 1, 1, 1]));
    // The request vouches only for the log up to index 2: what lies after it may be stale.
    follower.onAppendEntries(appendArgs({ term: 1, prevLogIndex: 1, prevLogTerm: 1, entries: entries([1], 'c', 2), leaderCommit: 5 }));
    expect(follower.commit).toBe(2);
    expect(follower.takeReady().committed).toEqual([
      { kind: 'command', index: 1, command: 'c1' },
      { kind: 'command', index: 2, command: 'c2' },
    ]);
    follower.onAppendEntries(appendArgs({ term: 1, prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 4 }));
    expect(committedIndices(follower.takeReady())).toEqual([3, 4]);
    // A request with a lower leaderCommit never moves the commit index back.
    follower.onAppendEntries(appendArgs({ term: 1, prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 1 }));
    expect(follower.commit).toBe(4);
    expect(follower.takeReady().committed).toEqual([]);
    follower.onAppendEntries(appendArgs({ term: 1, prevLogIndex: 5, prevLogTerm: 1, leaderCommit: 9 }));
    expect(committedIndices(follower.takeReady())).toEqual([5]);
  });

  it('refuses to overwrite a committed entry (a safety violation by the leader)', () => {
    const follower = makeCore(1, 3, hardState(1, [1, 1]));
    follower.onAppendEntries(appendArgs({ term: 1, prevLogIndex: 2, prevLogTerm: 1, leaderCommit: 2 }));
    expect(() => follower.onAppendEntries(appendArgs({ term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: entries([2], 'x', 2) }))).toThrow(
      'would overwrite committed index 2',
    );
  });
});

describe('RaftCore replication (leader side)', () => {
  it('a non-leader refuses proposals', () => {
    const core = makeCore(0, 3, hardState(4, [1]));
    expect(core.propose('x')).toEqual({ index: -1, term: 4, isLeader: false });
    const ready = core.takeReady();
    expect(ready.persist).toBe(false);
    expect(ready.replicate).toBe(false);
    expect(core.lastLogIndex).toBe(1);
  });

  it('a proposal is saved, then sent on replicate(), and commits on a majority', () => {
    const { core } = leader(0, 3);
    expect(core.propose('a')).toEqual({ index: 1, term: 1, isLeader: true });
    expect(core.propose('b')).toEqual({ index: 2, term: 1, isLeader: true });
    let ready = core.takeReady();
    expect(ready.persist).toBe(true);
    expect(ready.replicate).toBe(true);
    expect(ready.messages).toEqual([]);
    core.replicate();
    ready = core.takeReady();
    for (const to of [1, 2]) {
      expect(onlyAppendTo(ready, to)).toEqual({
        term: 1,
        leaderId: 0,
        prevLogIndex: 0,
        prevLogTerm: 0,
        entries: [
          { term: 1, command: 'a' },
          { term: 1, command: 'b' },
        ],
        leaderCommit: 0,
      });
    }
    const follower = makeCore(1, 3);
    deliverAppend(core, follower, onlyAppendTo(ready, 1));
    expect(core.commit).toBe(2);
    expect(core.takeReady().committed).toEqual([
      { kind: 'command', index: 1, command: 'a' },
      { kind: 'command', index: 2, command: 'b' },
    ]);
    // The next heartbeat tells the follower, which then commits too.
    core.heartbeatTimeout();
    deliverAppend(core, follower, onlyAppendTo(core.takeReady(), 1));
    expect(committedIndices(follower.takeReady())).toEqual([1, 2]);
  });

  it('Figure 8: an old-term entry on a majority commits only under an entry of the current term', () => {
    // S0 led term 2 and appended index 2 alone; now, in term 4, it leads again.
    const { core: s0, ready } = leader(0, 5, hardState(3, [1, 2]));
    expect(s0.currentTerm).toBe(4);
    const followers = [1, 2].map((id) => makeCore(id, 5, hardState(3, [1])));
    for (const f of followers) {
      // The first heartbeat fails (no index 2), the retry carries index 2.
      deliverAppend(s0, f, onlyAppendTo(ready, f.id));
      s0.replicate();
      deliverAppend(s0, f, onlyAppendTo(s0.takeReady(), f.id));
      expect(logTerms(f)).toEqual([1, 2]);
    }
    // Index 2 (term 2) is on S0, S1 and S2, a majority of five, yet must not commit.
    expect(s0.commit).toBe(0);
    expect(s0.takeReady().committed).toEqual([]);

    s0.propose('t4');
    s0.takeReady();
    s0.replicate();
    const sends = s0.takeReady();
    deliverAppend(s0, followers[0]!, onlyAppendTo(sends, 1));
    expect(s0.commit).toBe(0);
    deliverAppend(s0, followers[1]!, onlyAppendTo(sends, 2));
    expect(s0.commit).toBe(3);
    expect(s0.takeReady().committed).toEqual([
      { kind: 'command', index: 1, command: 'c1' },
      { kind: 'command', index: 2, command: 'c2' },
      { kind: 'command', index: 3, command: 't4' },
    ]);
  });

  it('a follower that is behind is brought up to date: each failure backs up a whole term', () => {
    const { core: s0, ready } = leader(0, 3, hardState(5, [1, 1, 1, 4, 4, 5, 5]));
    const s1 = makeCore(1, 3, hardState(3, [1, 1, 1, 2, 2, 2, 2, 2, 2]));
    const s2 = makeCore(2, 3, hardState(4, [1, 1, 1, 4, 4, 4, 4, 4]));
    const prevIndices = (f: RaftCore, first: ReturnType<typeof onlyAppendTo>): number[] => {
      const seen: number[] = [];
      let args = first;
      for (let round = 0; round < 10; round++) {
        seen.push(args.prevLogIndex);
        if (deliverAppend(s0, f, args).success) break;
        s0.replicate();
        args = onlyAppendTo(s0.takeReady(), f.id);
      }
      return seen;
    };
    // S1 holds term 2, which S0 lacks: back up to the first index of that term.
    expect(prevIndices(s1, onlyAppendTo(ready, 1))).toEqual([7, 3]);
    // S2's conflicting term 4 is in S0's log too: back up to just past S0's last term-4 entry.
    expect(prevIndices(s2, onlyAppendTo(ready, 2))).toEqual([7, 5]);
    expect(s1.hardState().entries).toEqual(s0.hardState().entries);
    expect(s2.hardState().entries).toEqual(s0.hardState().entries);
  });

  it('a follower whose log is short is sent everything from its length + 1', () => {
    const { core: s0, ready } = leader(0, 3, hardState(2, [1, 1, 2, 2]));
    const s1 = makeCore(1, 3, hardState(1, [1]));
    expect(deliverAppend(s0, s1, onlyAppendTo(ready, 1))).toMatchObject({ success: false, conflictTerm: -1, conflictIndex: 2 });
    s0.replicate();
    const retry = onlyAppendTo(s0.takeReady(), 1);
    expect(retry.prevLogIndex).toBe(1);
    expect(retry.entries.map((e) => e.term)).toEqual([1, 2, 2]);
  });

  it('ignores a failure reply to a request that no longer reflects nextIndex', () => {
    const { core: s0, ready } = leader(0, 3, hardState(5, [1, 1, 1, 4, 4, 5, 5]));
    const heartbeat = onlyAppendTo(ready, 1);
    // First failure: S1 lacks term 5, its entry 7 is of term 2 starting at 4.
    s0.onAppendEntriesReply(1, heartbeat, { term: 6, success: false, conflictTerm: 2, conflictIndex: 4 });
    // A duplicate of the first heartbeat's failure, with a different hint, arrives late.
    s0.onAppendEntriesReply(1, heartbeat, { term: 6, success: false, conflictTerm: -1, conflictIndex: 2 });
    s0.takeReady();
    s0.heartbeatTimeout();
    expect(onlyAppendTo(s0.takeReady(), 1).prevLogIndex).toBe(3);
  });

  it('ignores replies to requests from an earlier term', () => {
    const s0 = makeCore(0, 3, hardState(1, [1, 1, 1]));
    s0.electionTimeout();
    s0.onRequestVoteReply(1, { term: 2, candidateId: 0, lastLogIndex: 3, lastLogTerm: 1 }, { term: 2, voteGranted: true });
    expect(s0.isLeader).toBe(true);
    s0.takeReady();
    const oldRequest = appendArgs({ term: 1, prevLogIndex: 3, prevLogTerm: 1 });
    s0.onAppendEntriesReply(1, oldRequest, { term: 2, success: false, conflictTerm: -1, conflictIndex: 1 });
    s0.heartbeatTimeout();
    expect(onlyAppendTo(s0.takeReady(), 1).prevLogIndex).toBe(3);
  });

  it('a late success for an older request does not move progress back', () => {
    const { s0, sent: first } = leaderWithEntriesOut();
    s0.onAppendEntriesReply(1, first, ok());
    s0.replicate();
    const second = onlyAppendTo(s0.takeReady(), 1);
    expect(second.prevLogIndex).toBe(1);
    s0.onAppendEntriesReply(1, second, ok());
    expect(s0.commit).toBe(2);
    // The reply to `first` again (a duplicate): nothing regresses.
    s0.onAppendEntriesReply(1, first, ok());
    expect(s0.commit).toBe(2);
    s0.takeReady();
    s0.heartbeatTimeout();
    expect(onlyAppendTo(s0.takeReady(), 1).prevLogIndex).toBe(2);
  });

  it('flow control: entries go again only after a reply or a loss', () => {
    const { s0, sent } = leaderWithEntriesOut();
    expect(sent.entries).toHaveLength(1);
    // While that request is out, heartbeats and replicate() carry no entries to S1.
    s0.replicate();
    expect(appendsTo(s0.takeReady(), 1)).toEqual([]);
    s0.heartbeatTimeout();
    expect(onlyAppendTo(s0.takeReady(), 1).entries).toEqual([]);
    // The network reports the request lost: the next heartbeat carries everything again.
    s0.onAppendEntriesLost(1, sent);
    s0.heartbeatTimeout();
    expect(onlyAppendTo(s0.takeReady(), 1).entries.map((e) => e.command)).toEqual(['a', 'b']);
  });

  it('asks to replicate again when a success leaves the follower behind', () => {
    const { s0, sent } = leaderWithEntriesOut();
    s0.onAppendEntriesReply(1, sent, ok());
    expect(s0.takeReady().replicate).toBe(true);
    s0.replicate();
    expect(onlyAppendTo(s0.takeReady(), 1)).toMatchObject({ prevLogIndex: 1, entries: [{ term: 1, command: 'b' }] });
  });
});

/** A leader of three that has sent 'a' (index 1) to S1, unanswered, and then proposed 'b'. */
function leaderWithEntriesOut(): { s0: RaftCore; sent: AppendEntriesArgs } {
  const { core: s0 } = leader(0, 3);
  s0.propose('a');
  s0.takeReady();
  s0.replicate();
  const sent = onlyAppendTo(s0.takeReady(), 1);
  s0.propose('b');
  s0.takeReady();
  return { s0, sent };
}

describe('majorityMatch', () => {
  it('is the ⌊n/2⌋-th of the match indexes sorted in descending order, for every cluster size', () => {
    const random = makeRandom(16);
    for (let trial = 0; trial < 2000; trial++) {
      const n = 1 + random.int(7);
      const matchIndex = Array.from({ length: n }, () => random.int(trial % 2 === 0 ? 4 : 1000));
      const sorted = [...matchIndex].sort((a, b) => b - a);
      expect(majorityMatch(matchIndex), matchIndex.join(',')).toBe(sorted[Math.floor(n / 2)]);
    }
  });
});
