import type { Logger } from '../sim/log.js';
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  Entry,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  Outbound,
  RequestVoteArgs,
  RequestVoteReply,
} from './messages.js';
import { RaftLog } from './raft-log.js';
import type { RaftView, Role } from './types.js';

/**
 * What must survive a crash (Figure 2's persistent state), with the place
 * of the latest snapshot: the snapshot's bytes are saved beside it.
 */
export interface HardState {
  term: number;
  votedFor: number;
  /** The last index and its term that the snapshot covers; 0 and 0 without one. */
  snapshotIndex: number;
  snapshotTerm: number;
  /** Log entries from index snapshotIndex + 1 on. */
  entries: readonly Entry[];
}

/**
 * The persistent state as the driver encodes it: the held log (the
 * sentinel, for the snapshot's last entry, first) and the lowest index
 * changed since the last save, so an encoder can reuse the bytes of the
 * unchanged prefix.
 */
export interface PersistentState {
  term: number;
  votedFor: number;
  snapshotIndex: number;
  log: readonly Entry[];
  changedFrom: number;
}

/**
 * What is ready to be applied, in index order: a committed command, or a
 * snapshot from the leader that moves the state machine forward to its index.
 */
export type Committed =
  | { kind: 'command'; index: number; command: unknown }
  | { kind: 'snapshot'; index: number; term: number; data: Uint8Array };

/**
 * What the core asks its driver to do after an input, in this order:
 * persist (before anything leaves the peer), send, then apply.
 */
export interface Ready {
  persist: boolean;
  /** The snapshot changed: save it together with the state. */
  persistSnapshot: boolean;
  readonly messages: readonly Outbound[];
  readonly committed: readonly Committed[];
  /** The peer heard from a legitimate leader or granted a vote: restart the election timer. */
  resetElectionTimer: boolean;
  /** Entries wait to be sent: replicate soon, batching what accumulates meanwhile. */
  replicate: boolean;
}

export interface CoreOptions {
  id: number;
  peerCount: number;
  log: Logger;
  restored?: HardState;
  /** The snapshot saved with `restored`, if it has one. */
  snapshot?: Uint8Array;
}

const NO_VOTE = -1;

/**
 * The Raft protocol of the extended paper's Figure 2, as a state machine
 * without I/O or time: it takes RPCs, replies and timer expiries, and
 * records what to persist, send and apply for its driver to carry out.
 * Timer durations and randomness belong to the driver.
 */
export class RaftCore {
  readonly id: number;
  readonly peerCount: number;
  private readonly log: Logger;

  private term = 0;
  private votedFor = NO_VOTE;
  private readonly raftLog: RaftLog;
  private role: Role = 'follower';
  private commitIndex = 0;
  private lastApplied = 0;
  private readonly votes = new Set<number>();
  private readonly nextIndex: number[];
  private readonly matchIndex: number[];
  /**
   * Flow control: a follower is paused from sending it entries while a
   * request that carried entries to it is unanswered. New proposals then
   * wait, and heartbeats go without entries, so a follower that is cut off
   * is not sent its whole missing suffix again with every proposal.
   */
  private readonly paused: boolean[];
  /** The latest snapshot's bytes, opaque to Raft: the service's state up to raftLog.snapshotIndex. */
  private snapshotData: Uint8Array = new Uint8Array(0);

  private ready: PendingReady = emptyReady();
  /** A Ready the driver has given back (`releaseReady`), to fill next instead of a fresh one. */
  private spareReady: PendingReady | undefined;
  /** What persistentState() hands out, refilled on each call. */
  private readonly saving: PersistentState = { term: 0, votedFor: NO_VOTE, snapshotIndex: 0, log: [], changedFrom: 0 };

  constructor(options: CoreOptions) {
    this.id = options.id;
    this.peerCount = options.peerCount;
    this.log = options.log;
    const restored = options.restored;
    this.raftLog = new RaftLog(restored?.entries ?? [], restored?.snapshotIndex ?? 0, restored?.snapshotTerm ?? 0);
    if (restored !== undefined) {
      this.term = restored.term;
      this.votedFor = restored.votedFor;
      if (restored.snapshotIndex > 0) {
        if (options.snapshot === undefined || options.snapshot.length === 0) {
          throw new Error(`S${this.id}: the saved state has a snapshot through index ${restored.snapshotIndex}, but no snapshot was saved`);
        }
        this.snapshotData = options.snapshot;
        // The service restores its state from the snapshot itself, so what it
        // covers counts as committed and applied.
        this.commitIndex = restored.snapshotIndex;
        this.lastApplied = restored.snapshotIndex;
      }
    }
    this.nextIndex = new Array<number>(this.peerCount).fill(1);
    this.matchIndex = new Array<number>(this.peerCount).fill(0);
    this.paused = new Array<boolean>(this.peerCount).fill(false);
  }

  get currentTerm(): number {
    return this.term;
  }

  get currentRole(): Role {
    return this.role;
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  get commit(): number {
    return this.commitIndex;
  }

  get lastLogIndex(): number {
    return this.raftLog.lastIndex;
  }

  /** The last index the snapshot covers (0 without one); the service's state starts from there after a restart. */
  get snapshotIndex(): number {
    return this.raftLog.snapshotIndex;
  }

  /** The latest snapshot's bytes, to save with the state when `Ready.persistSnapshot` asks for it. */
  get snapshotBytes(): Uint8Array {
    return this.snapshotData;
  }

  /** A read-only view of this core for checkers; `lastApplied` is the driver's, which may lag. */
  view(lastApplied: number): RaftView {
    const log = this.raftLog;
    return {
      term: this.term,
      role: this.role,
      votedFor: this.votedFor,
      commitIndex: this.commitIndex,
      lastApplied,
      lastIndex: log.lastIndex,
      snapshotIndex: log.snapshotIndex,
      snapshotTerm: log.snapshotTerm,
      entry: (index) => log.entry(index),
      logVersion: log.version,
      logChangedSince: (version) => log.changedSince(version),
    };
  }

  hardState(): HardState {
    const log = this.raftLog;
    return { term: this.term, votedFor: this.votedFor, snapshotIndex: log.snapshotIndex, snapshotTerm: log.snapshotTerm, entries: log.view().slice(1) };
  }

  /**
   * The state to save now; call only when `Ready.persist` asks for it. The
   * object is the core's own, filled afresh on each call: a peer encodes it
   * at once, and saves thousands of times a run.
   */
  persistentState(): PersistentState {
    const state = this.saving;
    state.term = this.term;
    state.votedFor = this.votedFor;
    state.snapshotIndex = this.raftLog.snapshotIndex;
    state.log = this.raftLog.view();
    state.changedFrom = this.raftLog.takeChangedFrom();
    return state;
  }

  /**
   * Hands over everything the driver must do since the last call, and starts
   * afresh. The Ready is the driver's until it gives it back with
   * `releaseReady`, if it does.
   */
  takeReady(): Ready {
    const ready = this.ready;
    // Many inputs ask for nothing (a heartbeat's reply that moves nothing):
    // the driver then gets the shared empty Ready, which it only reads, and
    // nothing is made.
    if (this.lastApplied === this.commitIndex && isEmpty(ready)) return EMPTY_READY;
    this.ready = this.spareReady ?? emptyReady();
    this.spareReady = undefined;
    for (let i = this.lastApplied + 1; i <= this.commitIndex; i++) {
      ready.committed = appended(ready.committed, { kind: 'command', index: i, command: this.raftLog.entry(i).command });
    }
    this.lastApplied = this.commitIndex;
    return ready;
  }

  /**
   * Gives back a Ready from `takeReady` once the driver has read all its
   * fields, so that the next one is filled in it rather than made afresh.
   * Its lists are not reused: the driver may still be going through them
   * (and a peer flushes again from inside apply), so they are only let go.
   */
  releaseReady(ready: Ready): void {
    if (ready === EMPTY_READY || ready === this.ready) return;
    const spare = ready as PendingReady;
    spare.persist = false;
    spare.persistSnapshot = false;
    spare.messages = NONE;
    spare.committed = NONE;
    spare.resetElectionTimer = false;
    spare.replicate = false;
    this.spareReady = spare;
  }

  /**
   * For a peer that is killed, which answers nothing any more but its term:
   * drops the log's entries. The calls still in flight to and from a dead
   * peer keep it reachable for up to seconds of virtual time (a call to a
   * cut-off peer fails after as long as 7 s), and its log, the newest
   * entries included, would be copied and promoted by the collector meanwhile.
   */
  discardLog(): void {
    this.raftLog.discard();
  }

  // ---- Inputs: timers ------------------------------------------------------

  /** The election timer fired: a follower or candidate starts an election. */
  electionTimeout(): void {
    if (this.role === 'leader') return;
    this.term++;
    this.role = 'candidate';
    this.votedFor = this.id;
    this.votes.clear();
    this.votes.add(this.id);
    this.ready.persist = true;
    this.ready.resetElectionTimer = true;
    if (this.log.debugOn) this.log.debug('TERM', this.id, `election timeout: candidate for term ${this.term}`);
    if (this.hasQuorum(this.votes.size)) {
      this.becomeLeader();
      return;
    }
    const args: RequestVoteArgs = {
      term: this.term,
      candidateId: this.id,
      lastLogIndex: this.raftLog.lastIndex,
      lastLogTerm: this.raftLog.lastTerm,
    };
    for (let to = 0; to < this.peerCount; to++) {
      if (to !== this.id) this.send({ to, method: 'RequestVote', args });
    }
  }

  /**
   * The heartbeat timer fired: a leader sends AppendEntries to every
   * follower, with the entries it lacks unless an earlier request that
   * carried them is still unanswered.
   */
  heartbeatTimeout(): void {
    if (this.role !== 'leader') return;
    for (let to = 0; to < this.peerCount; to++) {
      if (to !== this.id) this.sendAppend(to, !this.paused[to]);
    }
  }

  // ---- Inputs: the service -------------------------------------------------

  /** Appends a command if this peer leads; returns where it will sit if it commits. */
  propose(command: unknown): { index: number; term: number; isLeader: boolean } {
    if (this.role !== 'leader') return { index: -1, term: this.term, isLeader: false };
    const index = this.raftLog.append({ term: this.term, command });
    this.matchIndex[this.id] = index;
    this.ready.persist = true;
    this.ready.replicate = true;
    if (this.log.debugOn) this.log.debug('CLNT', this.id, `start index ${index} term ${this.term}`);
    if (this.peerCount === 1) this.advanceCommit();
    return { index, term: this.term, isLeader: true };
  }

  /** Sends new entries to every follower that is not paused (after proposals). */
  replicate(): void {
    if (this.role !== 'leader') return;
    for (let to = 0; to < this.peerCount; to++) {
      if (to !== this.id && !this.paused[to] && this.nextIndex[to]! <= this.raftLog.lastIndex) this.sendAppend(to, true);
    }
  }

  /**
   * The service has a snapshot of its state through `index`, an index it has
   * applied: the log up to there can go. A snapshot at or below the current
   * one (the service can lag behind an installed snapshot) changes nothing.
   */
  snapshot(index: number, data: Uint8Array): void {
    const log = this.raftLog;
    if (index <= log.snapshotIndex) {
      if (this.log.traceOn) this.log.trace('SNAP', this.id, `ignores a snapshot through ${index}: already compacted to ${log.snapshotIndex}`);
      return;
    }
    if (index > this.lastApplied) {
      throw new RangeError(`S${this.id}: snapshot through index ${index}, but only ${this.lastApplied} has been applied`);
    }
    log.compactTo(index);
    this.snapshotData = data;
    this.ready.persist = true;
    this.ready.persistSnapshot = true;
    if (this.log.debugOn) this.log.debug('SNAP', this.id, `snapshot through ${index} (term ${log.snapshotTerm}), log holds ${log.lastIndex - index}`);
  }

  // ---- Inputs: RPCs --------------------------------------------------------

  onRequestVote(args: RequestVoteArgs): RequestVoteReply {
    if (args.term > this.term) this.becomeFollower(args.term);
    let granted = false;
    if (args.term === this.term && (this.votedFor === NO_VOTE || this.votedFor === args.candidateId)) {
      const upToDate =
        args.lastLogTerm > this.raftLog.lastTerm ||
        (args.lastLogTerm === this.raftLog.lastTerm && args.lastLogIndex >= this.raftLog.lastIndex);
      if (upToDate) {
        granted = true;
        if (this.votedFor !== args.candidateId) {
          this.votedFor = args.candidateId;
          this.ready.persist = true;
        }
        this.ready.resetElectionTimer = true;
      }
    }
    if (this.log.debugOn) {
      this.log.debug('VOTE', this.id, `${granted ? 'grants' : 'denies'} vote to S${args.candidateId} for term ${args.term}`);
    }
    return { term: this.term, voteGranted: granted };
  }

  onRequestVoteReply(from: number, args: RequestVoteArgs, reply: RequestVoteReply): void {
    if (reply.term > this.term) {
      this.becomeFollower(reply.term);
      return;
    }
    // A reply to an election this peer is no longer running changes nothing.
    if (this.role !== 'candidate' || args.term !== this.term || !reply.voteGranted) return;
    this.votes.add(from);
    if (this.log.debugOn) this.log.debug('VOTE', this.id, `vote from S${from}: ${this.votes.size} for term ${this.term}`);
    if (this.hasQuorum(this.votes.size)) this.becomeLeader();
  }

  onAppendEntries(args: AppendEntriesArgs): AppendEntriesReply {
    if (args.term < this.term) return { term: this.term, success: false, conflictTerm: -1, conflictIndex: 0 };
    if (args.term > this.term || this.role !== 'follower') this.becomeFollower(args.term);
    this.ready.resetElectionTimer = true;

    const log = this.raftLog;
    if (args.prevLogIndex < log.snapshotIndex) {
      // The start of this request is covered by the snapshot, hence committed
      // and the same in every log: go on from the snapshot's last entry.
      const skip = log.snapshotIndex - args.prevLogIndex;
      if (skip >= args.entries.length) return { term: this.term, success: true, conflictTerm: -1, conflictIndex: 0 };
      args = {
        ...args,
        prevLogIndex: log.snapshotIndex,
        prevLogTerm: args.entries[skip - 1]!.term,
        entries: args.entries.slice(skip),
      };
    }
    if (args.prevLogIndex > log.lastIndex) {
      if (this.log.traceOn) this.log.trace('LOG2', this.id, `behind S${args.leaderId}: prev ${args.prevLogIndex} > last ${log.lastIndex}`);
      return { term: this.term, success: false, conflictTerm: -1, conflictIndex: log.lastIndex + 1 };
    }
    if (log.term(args.prevLogIndex) !== args.prevLogTerm) {
      const conflictTerm = log.term(args.prevLogIndex);
      const conflictIndex = log.firstIndexOfTermAt(args.prevLogIndex);
      if (this.log.traceOn) {
        this.log.trace('LOG2', this.id, `conflict at ${args.prevLogIndex}: term ${conflictTerm} from ${conflictIndex}`);
      }
      return { term: this.term, success: false, conflictTerm, conflictIndex };
    }

    // Truncate only at a real conflict: a stale or duplicate request whose
    // entries we already hold must not cut off entries that came after it.
    let index = args.prevLogIndex;
    for (let i = 0; i < args.entries.length; i++) {
      index++;
      const entry = args.entries[i]!;
      if (index <= log.lastIndex) {
        if (log.term(index) === entry.term) continue;
        if (index <= this.commitIndex) {
          throw new Error(`S${this.id}: leader S${args.leaderId} would overwrite committed index ${index}`);
        }
        log.truncateFrom(index);
      }
      log.append(entry);
      this.ready.persist = true;
    }
    if (this.log.traceOn && args.entries.length > 0) {
      this.log.trace('LOG1', this.id, `append ${args.prevLogIndex + 1}..${index} from S${args.leaderId}`);
    }

    // Commit no further than this request vouches for: entries past it may be stale.
    const commit = Math.min(args.leaderCommit, args.prevLogIndex + args.entries.length);
    if (commit > this.commitIndex) {
      this.commitIndex = commit;
      if (this.log.debugOn) this.log.debug('CMIT', this.id, `commit index ${commit} (leader S${args.leaderId})`);
    }
    return { term: this.term, success: true, conflictTerm: -1, conflictIndex: 0 };
  }

  onAppendEntriesReply(from: number, args: AppendEntriesArgs, reply: AppendEntriesReply): void {
    if (!this.replyCounts(args.term, reply.term)) return;
    this.paused[from] = false;
    if (reply.success) {
      const match = args.prevLogIndex + args.entries.length;
      if (match > this.matchIndex[from]!) {
        this.matchIndex[from] = match;
        this.advanceCommit();
      }
      this.nextIndex[from] = Math.max(this.nextIndex[from]!, match + 1);
      // A lagging follower gets the rest with the next batch, not the next heartbeat.
      if (this.nextIndex[from]! <= this.raftLog.lastIndex) this.ready.replicate = true;
      return;
    }
    // Only the reply to the request that reflects the current nextIndex may
    // move it; older failures describe a log position we already left.
    if (args.prevLogIndex + 1 !== this.nextIndex[from]) return;
    let next: number;
    if (reply.conflictTerm === -1) {
      next = reply.conflictIndex;
    } else {
      const last = this.raftLog.lastIndexOfTerm(reply.conflictTerm);
      next = last > 0 ? last + 1 : reply.conflictIndex;
    }
    // Back up at least one entry, and never past what the follower is known to hold.
    next = Math.max(this.matchIndex[from]! + 1, Math.min(next, this.nextIndex[from]! - 1));
    this.nextIndex[from] = next;
    if (this.log.traceOn) this.log.trace('LOG2', this.id, `S${from} backs up to next ${next}`);
    this.ready.replicate = true;
  }

  /** The network lost an AppendEntries or its reply: the next heartbeat may carry entries again. */
  onAppendEntriesLost(to: number, args: AppendEntriesArgs): void {
    if (this.role === 'leader' && args.term === this.term && args.entries.length > 0) this.paused[to] = false;
  }

  /**
   * A leader's snapshot (Figure 13). It is installed only if it goes past
   * what this peer has committed: then the log is replaced by it, except for
   * entries after its last one when the log agrees there, and the service is
   * handed the snapshot. An older snapshot would move the state machine back.
   */
  onInstallSnapshot(args: InstallSnapshotArgs): InstallSnapshotReply {
    if (args.term < this.term) return { term: this.term };
    if (args.term > this.term || this.role !== 'follower') this.becomeFollower(args.term);
    this.ready.resetElectionTimer = true;

    const index = args.lastIncludedIndex;
    if (index <= this.commitIndex) {
      if (this.log.traceOn) this.log.trace('SNAP', this.id, `ignores S${args.leaderId}'s snapshot through ${index}: committed ${this.commitIndex}`);
      return { term: this.term };
    }
    const log = this.raftLog;
    if (index <= log.lastIndex && log.term(index) === args.lastIncludedTerm) log.compactTo(index);
    else log.resetTo(index, args.lastIncludedTerm);
    this.snapshotData = args.data;
    this.commitIndex = index;
    this.lastApplied = index;
    this.ready.persist = true;
    this.ready.persistSnapshot = true;
    this.ready.committed = appended(this.ready.committed, { kind: 'snapshot', index, term: args.lastIncludedTerm, data: args.data });
    if (this.log.debugOn) this.log.debug('SNAP', this.id, `installs S${args.leaderId}'s snapshot through ${index} (term ${args.lastIncludedTerm})`);
    return { term: this.term };
  }

  onInstallSnapshotReply(from: number, args: InstallSnapshotArgs, reply: InstallSnapshotReply): void {
    if (!this.replyCounts(args.term, reply.term)) return;
    this.paused[from] = false;
    const match = args.lastIncludedIndex;
    if (match > this.matchIndex[from]!) {
      this.matchIndex[from] = match;
      this.advanceCommit();
    }
    this.nextIndex[from] = Math.max(this.nextIndex[from]!, match + 1);
    if (this.nextIndex[from]! <= this.raftLog.lastIndex) this.ready.replicate = true;
  }

  /** The network lost a snapshot or its reply: the next heartbeat sends it again. */
  onInstallSnapshotLost(to: number, args: InstallSnapshotArgs): void {
    if (this.role === 'leader' && args.term === this.term) this.paused[to] = false;
  }

  /**
   * A leader's reply from a newer term makes it step down; otherwise the
   * reply counts only if it answers a request of this peer's current term
   * and the peer still leads.
   */
  private replyCounts(requestTerm: number, replyTerm: number): boolean {
    if (replyTerm > this.term) {
      this.becomeFollower(replyTerm);
      return false;
    }
    return this.role === 'leader' && requestTerm === this.term;
  }

  // ---- Transitions ---------------------------------------------------------

  private becomeFollower(term: number): void {
    if (term > this.term) {
      this.term = term;
      this.votedFor = NO_VOTE;
      this.ready.persist = true;
    }
    if (this.role !== 'follower' && this.log.debugOn) this.log.debug('TERM', this.id, `follower in term ${this.term}`);
    this.role = 'follower';
  }

  private becomeLeader(): void {
    this.role = 'leader';
    const next = this.raftLog.lastIndex + 1;
    this.nextIndex.fill(next);
    this.matchIndex.fill(0);
    this.matchIndex[this.id] = this.raftLog.lastIndex;
    this.paused.fill(false);
    if (this.log.debugOn) this.log.debug('LEAD', this.id, `leader for term ${this.term}, last index ${this.raftLog.lastIndex}`);
    this.heartbeatTimeout();
  }

  /**
   * Sends `to` an AppendEntries from its nextIndex, with the entries it lacks
   * or none; or the snapshot, when the entries it lacks are compacted.
   */
  private sendAppend(to: number, withEntries: boolean): void {
    let prevLogIndex = this.nextIndex[to]! - 1;
    if (prevLogIndex < this.raftLog.snapshotIndex) {
      if (withEntries) {
        this.sendSnapshot(to);
        return;
      }
      // A snapshot is on its way: a heartbeat from the snapshot's last entry
      // keeps the follower from starting an election meanwhile.
      prevLogIndex = this.raftLog.snapshotIndex;
    }
    const entries = withEntries ? this.raftLog.from(prevLogIndex + 1) : [];
    if (entries.length > 0) this.paused[to] = true;
    const args: AppendEntriesArgs = {
      term: this.term,
      leaderId: this.id,
      prevLogIndex,
      prevLogTerm: this.raftLog.term(prevLogIndex),
      entries,
      leaderCommit: this.commitIndex,
    };
    this.send({ to, method: 'AppendEntries', args });
  }

  /** Sends `to` the whole snapshot; like entries, one at a time per follower. */
  private sendSnapshot(to: number): void {
    this.paused[to] = true;
    const args: InstallSnapshotArgs = {
      term: this.term,
      leaderId: this.id,
      lastIncludedIndex: this.raftLog.snapshotIndex,
      lastIncludedTerm: this.raftLog.snapshotTerm,
      data: this.snapshotData,
    };
    if (this.log.debugOn) this.log.debug('SNAP', this.id, `sends S${to} the snapshot through ${args.lastIncludedIndex} (next ${this.nextIndex[to]})`);
    this.send({ to, method: 'InstallSnapshot', args });
  }

  /**
   * Commits the highest index stored on a majority, but only if it is from
   * the leader's current term (Figure 8): an older entry commits only
   * indirectly, under a current-term entry after it.
   */
  private advanceCommit(): void {
    const majorityIndex = majorityMatch(this.matchIndex);
    if (majorityIndex > this.commitIndex && this.raftLog.term(majorityIndex) === this.term) {
      this.commitIndex = majorityIndex;
      if (this.log.debugOn) this.log.debug('CMIT', this.id, `leader commits index ${majorityIndex}`);
    }
  }

  private send(message: Outbound): void {
    this.ready.messages = appended(this.ready.messages, message);
  }

  private hasQuorum(count: number): boolean {
    return count * 2 > this.peerCount;
  }
}

/**
 * The highest index that a majority of the peers hold: the largest match
 * index that at least ⌊n/2⌋ + 1 of the n match indexes reach (what sorting
 * them in descending order and taking the ⌊n/2⌋-th gives). Counted in place,
 * without a sorted copy: this runs on every successful AppendEntries reply.
 */
export function majorityMatch(matchIndex: readonly number[]): number {
  const n = matchIndex.length;
  const quorum = Math.floor(n / 2) + 1;
  let best = 0;
  for (let i = 0; i < n; i++) {
    const candidate = matchIndex[i]!;
    if (candidate <= best) continue;
    let reached = 0;
    for (let j = 0; j < n; j++) if (matchIndex[j]! >= candidate) reached++;
    if (reached >= quorum) best = candidate;
  }
  return best;
}

function isEmpty(ready: Ready): boolean {
  return !ready.persist && !ready.persistSnapshot && !ready.resetElectionTimer && !ready.replicate && ready.messages.length === 0 && ready.committed.length === 0;
}

/** A Ready as the core fills it: its lists are replaced, not pushed to, while they are the shared empty one. */
interface PendingReady extends Ready {
  messages: readonly Outbound[];
  committed: readonly Committed[];
}

/**
 * The list of every Ready with nothing in it: most inputs send nothing or
 * apply nothing, and two fresh arrays for each would be most of what the
 * peers leave the collector. Frozen, so that no one can add to it.
 */
const NONE: readonly never[] = Object.freeze([]);

/** `list` with `item` at its end: a new array in place of the shared empty one, else the same array. */
function appended<T>(list: readonly T[], item: T): readonly T[] {
  if (list === NONE) return [item];
  (list as T[]).push(item);
  return list;
}

function emptyReady(): PendingReady {
  return { persist: false, persistSnapshot: false, messages: NONE, committed: NONE, resetElectionTimer: false, replicate: false };
}

/** What every input that asks for nothing hands the driver. Frozen, as it is shared. */
const EMPTY_READY: Ready = Object.freeze(emptyReady());
