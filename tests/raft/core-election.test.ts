import { describe, expect, it } from 'vitest';
import { HardStateEncoder, decodeHardState } from '../../src/raft/persist.js';
import { appendArgs, appendsTo, hardState, leader, makeCore, voteRequests } from './helpers.js';

describe('RaftCore election', () => {
  it('a timeout makes a candidate: next term, votes for itself, persists, asks every other peer', () => {
    const core = makeCore(1, 5, hardState(2, [1, 2, 2]));
    core.electionTimeout();
    const ready = core.takeReady();
    expect(core.currentRole).toBe('candidate');
    expect(core.currentTerm).toBe(3);
    expect(core.hardState().votedFor).toBe(1);
    expect(ready.persist).toBe(true);
    expect(ready.resetElectionTimer).toBe(true);
    const args = { term: 3, candidateId: 1, lastLogIndex: 3, lastLogTerm: 2 };
    expect(ready.messages).toEqual([0, 2, 3, 4].map((to) => ({ to, method: 'RequestVote', args })));
  });

  it('wins with a majority of votes, its own included, and sends heartbeats at once', () => {
    const core = makeCore(0, 5, hardState(1, [1, 1]));
    core.electionTimeout();
    const requests = voteRequests(core.takeReady());
    core.onRequestVoteReply(1, requests[0]!.args, { term: 2, voteGranted: true });
    expect(core.currentRole).toBe('candidate');
    expect(core.takeReady().messages).toEqual([]);
    core.onRequestVoteReply(2, requests[1]!.args, { term: 2, voteGranted: true });
    expect(core.isLeader).toBe(true);
    const ready = core.takeReady();
    for (const to of [1, 2, 3, 4]) {
      expect(appendsTo(ready, to)).toEqual([{ term: 2, leaderId: 0, prevLogIndex: 2, prevLogTerm: 1, entries: [], leaderCommit: 0 }]);
    }
    expect(appendsTo(ready, 0)).toEqual([]);
  });

  it('counts each voter once', () => {
    const core = makeCore(0, 5);
    core.electionTimeout();
    const [request] = voteRequests(core.takeReady());
    for (let i = 0; i < 3; i++) core.onRequestVoteReply(1, request!.args, { term: 1, voteGranted: true });
    expect(core.currentRole).toBe('candidate');
  });

  it('denials do not count', () => {
    const core = makeCore(0, 3);
    core.electionTimeout();
    const [a, b] = voteRequests(core.takeReady());
    core.onRequestVoteReply(1, a!.args, { term: 1, voteGranted: false });
    core.onRequestVoteReply(2, b!.args, { term: 1, voteGranted: false });
    expect(core.currentRole).toBe('candidate');
  });

  it('a new election forgets the votes of the last one, and ignores stale grants for it', () => {
    const core = makeCore(0, 5);
    core.electionTimeout();
    const first = voteRequests(core.takeReady());
    core.onRequestVoteReply(1, first[0]!.args, { term: 1, voteGranted: true });
    core.electionTimeout();
    const second = voteRequests(core.takeReady());
    expect(second[0]!.args.term).toBe(2);
    // Late grants for term 1 would make a majority with the term-1 vote above.
    core.onRequestVoteReply(2, first[1]!.args, { term: 1, voteGranted: true });
    core.onRequestVoteReply(3, first[2]!.args, { term: 1, voteGranted: true });
    expect(core.currentRole).toBe('candidate');
    core.onRequestVoteReply(2, second[1]!.args, { term: 2, voteGranted: true });
    expect(core.currentRole).toBe('candidate');
    core.onRequestVoteReply(3, second[2]!.args, { term: 2, voteGranted: true });
    expect(core.isLeader).toBe(true);
    expect(core.currentTerm).toBe(2);
  });

  it('a leader ignores late grants and further timeouts', () => {
    const { core } = leader(0, 3);
    core.onRequestVoteReply(2, { term: 1, candidateId: 0, lastLogIndex: 0, lastLogTerm: 0 }, { term: 1, voteGranted: true });
    core.electionTimeout();
    const ready = core.takeReady();
    expect(ready.messages).toEqual([]);
    expect(ready.persist).toBe(false);
    expect(core.isLeader).toBe(true);
    expect(core.currentTerm).toBe(1);
  });

  it('a candidate steps down on a vote reply with a higher term, and persists the new term', () => {
    const core = makeCore(0, 3);
    core.electionTimeout();
    const [request] = voteRequests(core.takeReady());
    core.onRequestVoteReply(1, request!.args, { term: 5, voteGranted: false });
    const ready = core.takeReady();
    expect(core.currentRole).toBe('follower');
    expect(core.currentTerm).toBe(5);
    expect(core.hardState().votedFor).toBe(-1);
    expect(ready.persist).toBe(true);
  });

  it('a leader steps down on an AppendEntries reply with a higher term', () => {
    const { core, ready } = leader(0, 3);
    const [heartbeat] = appendsTo(ready, 1);
    core.onAppendEntriesReply(1, heartbeat!, { term: 4, success: false, conflictTerm: -1, conflictIndex: 0 });
    expect(core.currentRole).toBe('follower');
    expect(core.currentTerm).toBe(4);
    expect(core.takeReady().persist).toBe(true);
  });

  it('a leader steps down on a RequestVote with a higher term, even one it denies', () => {
    const { core } = leader(0, 3, hardState(1, [1, 1]));
    const reply = core.onRequestVote({ term: 7, candidateId: 2, lastLogIndex: 0, lastLogTerm: 0 });
    expect(reply).toEqual({ term: 7, voteGranted: false });
    expect(core.currentRole).toBe('follower');
    expect(core.currentTerm).toBe(7);
  });

  it("a candidate yields to a leader of its own term, keeping its vote", () => {
    const core = makeCore(0, 3);
    core.electionTimeout();
    core.takeReady();
    const reply = core.onAppendEntries(appendArgs({ term: 1, leaderId: 2 }));
    const ready = core.takeReady();
    expect(reply.success).toBe(true);
    expect(core.currentRole).toBe('follower');
    expect(core.hardState().votedFor).toBe(0);
    expect(ready.persist).toBe(false);
    expect(ready.resetElectionTimer).toBe(true);
  });

  it('a lone peer elects itself at once and commits its proposals alone', () => {
    const core = makeCore(0, 1);
    core.electionTimeout();
    expect(core.isLeader).toBe(true);
    expect(core.takeReady().messages).toEqual([]);
    expect(core.propose('solo')).toEqual({ index: 1, term: 1, isLeader: true });
    expect(core.takeReady().committed).toEqual([{ kind: 'command', index: 1, command: 'solo' }]);
  });
});

describe('RaftCore votes', () => {
  const request = (term: number, candidateId: number, lastLogIndex = 0, lastLogTerm = 0) => ({ term, candidateId, lastLogIndex, lastLogTerm });

  it('grants one vote per term', () => {
    const voter = makeCore(0, 3);
    expect(voter.onRequestVote(request(1, 1))).toEqual({ term: 1, voteGranted: true });
    const ready = voter.takeReady();
    expect(ready.persist).toBe(true);
    expect(ready.resetElectionTimer).toBe(true);
    expect(voter.onRequestVote(request(1, 2))).toEqual({ term: 1, voteGranted: false });
    expect(voter.takeReady().resetElectionTimer).toBe(false);
    // A new term brings a new vote.
    expect(voter.onRequestVote(request(2, 2))).toEqual({ term: 2, voteGranted: true });
    expect(voter.hardState().votedFor).toBe(2);
  });

  it('grants again to the same candidate (a retransmission) without a new save', () => {
    const voter = makeCore(0, 3);
    voter.onRequestVote(request(1, 1));
    voter.takeReady();
    expect(voter.onRequestVote(request(1, 1)).voteGranted).toBe(true);
    const ready = voter.takeReady();
    expect(ready.persist).toBe(false);
    expect(ready.resetElectionTimer).toBe(true);
  });

  it('a candidate does not vote for another in its own term', () => {
    const candidate = makeCore(0, 3);
    candidate.electionTimeout();
    expect(candidate.onRequestVote(request(1, 2)).voteGranted).toBe(false);
  });

  it('denies a candidate from an older term, and replies with its own term', () => {
    const voter = makeCore(0, 3, hardState(5, []));
    expect(voter.onRequestVote(request(4, 1, 10, 4))).toEqual({ term: 5, voteGranted: false });
    const ready = voter.takeReady();
    expect(ready.persist).toBe(false);
    expect(voter.hardState().votedFor).toBe(-1);
  });

  // The voter's log ends with terms [1, 2]: last index 2, last term 2.
  it.each([
    ['a lower last term, however long', 1, 10, false],
    ['the same last term, shorter', 2, 1, false],
    ['the same last term, as long', 2, 2, true],
    ['the same last term, longer', 2, 3, true],
    ['a higher last term, shorter', 3, 1, true],
  ])('candidate with %s: granted %s', (_what, lastLogTerm, lastLogIndex, granted) => {
    const voter = makeCore(0, 3, hardState(3, [1, 2]));
    const reply = voter.onRequestVote(request(4, 1, lastLogIndex, lastLogTerm));
    expect(reply).toEqual({ term: 4, voteGranted: granted });
    const ready = voter.takeReady();
    // The higher term is saved either way; the vote only when granted.
    expect(ready.persist).toBe(true);
    expect(ready.resetElectionTimer).toBe(granted);
    expect(voter.hardState()).toMatchObject({ term: 4, votedFor: granted ? 1 : -1 });
  });

  it('a granted vote is in the state to persist when the reply is produced', () => {
    const voter = makeCore(2, 3, hardState(3, [1, 3]));
    voter.takeReady();
    const reply = voter.onRequestVote(request(4, 0, 2, 3));
    expect(reply.voteGranted).toBe(true);
    const ready = voter.takeReady();
    expect(ready.persist).toBe(true);
    const saved = decodeHardState(new HardStateEncoder().encode(voter.persistentState()));
    expect(saved).toMatchObject({ term: 4, votedFor: 0 });
  });
});
