import { expect } from 'vitest';
import { RaftCore, type HardState, type Ready } from '../../src/raft/core.js';
import type { AppendEntriesArgs, AppendEntriesReply, Entry, InstallSnapshotArgs, RequestVoteArgs } from '../../src/raft/messages.js';
import { SimClock } from '../../src/sim/sim-clock.js';
import { captureLog, wire } from '../sim/helpers.js';

/**
 * Cores are built with a trace-level log, so that every logging branch runs
 * (a log call that throws would fail the test).
 */
export function makeCore(id: number, peerCount: number, restored?: HardState, snapshot?: Uint8Array): RaftCore {
  return new RaftCore({ id, peerCount, log: captureLog(new SimClock(), 'trace'), restored, snapshot });
}

/** Log entries with the given terms; commands name their index (`c1`, `c2`, ...) unless a tag says otherwise. */
export function entries(terms: readonly number[], tag = 'c', firstIndex = 1): Entry[] {
  return terms.map((term, i) => ({ term, command: `${tag}${firstIndex + i}` }));
}

export function hardState(term: number, terms: readonly number[], votedFor = -1, tag = 'c'): HardState {
  return { term, votedFor, snapshotIndex: 0, snapshotTerm: 0, entries: entries(terms, tag) };
}

export function logTerms(core: RaftCore): number[] {
  return core.hardState().entries.map((e) => e.term);
}

export function appendArgs(partial: Partial<AppendEntriesArgs>): AppendEntriesArgs {
  return { term: 1, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0, ...partial };
}

/** The AppendEntries requests in a Ready, by destination. */
export function appendsTo(ready: Ready, to: number): AppendEntriesArgs[] {
  return ready.messages.flatMap((m) => (m.to === to && m.method === 'AppendEntries' ? [m.args] : []));
}

export function voteRequests(ready: Ready): Array<{ to: number; args: RequestVoteArgs }> {
  return ready.messages.flatMap((m) => (m.method === 'RequestVote' ? [{ to: m.to, args: m.args }] : []));
}

/**
 * Makes `core` leader by a timeout and grants from the lowest-numbered other
 * peers, and hands back what it asked for once it won (its first heartbeats).
 */
export function elect(core: RaftCore): Ready {
  core.electionTimeout();
  const requests = voteRequests(core.takeReady());
  for (const { to, args } of requests) {
    if (core.isLeader) break;
    core.onRequestVoteReply(to, args, { term: args.term, voteGranted: true });
  }
  expect(core.isLeader).toBe(true);
  return core.takeReady();
}

export function leader(id: number, peerCount: number, restored?: HardState): { core: RaftCore; ready: Ready } {
  const core = makeCore(id, peerCount, restored);
  const ready = elect(core);
  return { core, ready };
}

/** Carries one AppendEntries across a perfect wire and its reply back; returns the reply. */
export function deliverAppend(from: RaftCore, to: RaftCore, args: AppendEntriesArgs): AppendEntriesReply {
  const reply = wire(to.onAppendEntries(wire(args)));
  from.onAppendEntriesReply(to.id, args, reply);
  return reply;
}

/** The single AppendEntries in `ready` for `to`. */
export function onlyAppendTo(ready: Ready, to: number): AppendEntriesArgs {
  const found = appendsTo(ready, to);
  expect(found, `one AppendEntries for S${to}`).toHaveLength(1);
  return found[0]!;
}

/** A successful AppendEntries reply in `term`. */
export function ok(term = 1): AppendEntriesReply {
  return { term, success: true, conflictTerm: -1, conflictIndex: 0 };
}

export function committedIndices(ready: Ready): number[] {
  return ready.committed.map((c) => c.index);
}

/** The InstallSnapshot requests in a Ready, by destination. */
export function snapshotsTo(ready: Ready, to: number): InstallSnapshotArgs[] {
  return ready.messages.flatMap((m) => (m.to === to && m.method === 'InstallSnapshot' ? [m.args] : []));
}
