import type { Logger } from '../sim/log.js';
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  Entry,
  Outbound,
  RequestVoteArgs,
  RequestVoteReply,
} from './messages.js';
import { RaftLog } from './raft-log.js';
import type { RaftView, Role } from './types.js';

/** What must survive a crash (Figure 2's persistent state). */
export interface HardState {
  term: number;
  votedFor: number;
  /** Log entries from index 1 on. */
  entries: readonly Entry[];
}

/**
 * The persistent state as the driver encodes it: the live log (sentinel at
 * index 0) and the lowest index changed since the last save, so an encoder
 * can reuse the bytes of the unchanged prefix.
 */
export interface PersistentState {
  term: number;
  votedFor: number;
  log: readonly Entry[];
  changedFrom: number;
}

/** An entry that has committed and is ready to be applied, in index order. */
export interface Committed {
  index: number;
  command: unknown;
}

/**
 * What the core asks its driver to do after an input, in this order:
 * persist (before anything leaves the peer), send, then apply.
 */
export interface Ready {
  persist: boolean;
  messages: Outbound[];
  committed: Committed[];
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

  private ready: Ready = emptyReady();

  constructor(options: CoreOptions) {
    this.id = options.id;
    this.peerCount = options.peerCount;
    this.log = options.log;
    const restored = options.restored;
    this.raftLog = new RaftLog(restored?.entries ?? []);
    if (restored !== undefined) {
      this.term = restored.term;
      this.votedFor = restored.votedFor;
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
      entry: (index) => log.entry(index),
      logVersion: log.version,
    };
  }

  hardState(): HardState {
    return { term: this.term, votedFor: this.votedFor, entries: this.raftLog.view().slice(1) };
  }

  /** The state to save now; call only when `Ready.persist` asks for it. */
  persistentState(): PersistentState {
    return {
      term: this.term,
      votedFor: this.votedFor,
      log: this.raftLog.view(),
      changedFrom: this.raftLog.takeChangedFrom(),
    };
  }

  /** Hands over everything the driver must do since the last call, and starts afresh. */
  takeReady(): Ready {
    const ready = this.ready;
    this.ready = emptyReady();
    for (let i = this.lastApplied + 1; i <= this.commitIndex; i++) {
      ready.committed.push({ index: i, command: this.raftLog.entry(i).command });
    }
    this.lastApplied = this.commitIndex;
    return ready;
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
      if (to !== this.id) this.ready.messages.push({ to, method: 'RequestVote', args });
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
    if (reply.term > this.term) {
      this.becomeFollower(reply.term);
      return;
    }
    if (this.role !== 'leader' || args.term !== this.term) return;
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

  /** Sends `to` an AppendEntries from its nextIndex, with the entries it lacks or none. */
  private sendAppend(to: number, withEntries: boolean): void {
    const prevLogIndex = this.nextIndex[to]! - 1;
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
    this.ready.messages.push({ to, method: 'AppendEntries', args });
  }

  /**
   * Commits the highest index stored on a majority, but only if it is from
   * the leader's current term (Figure 8): an older entry commits only
   * indirectly, under a current-term entry after it.
   */
  private advanceCommit(): void {
    const sorted = [...this.matchIndex].sort((a, b) => b - a);
    const majorityIndex = sorted[Math.floor(this.peerCount / 2)]!;
    if (majorityIndex > this.commitIndex && this.raftLog.term(majorityIndex) === this.term) {
      this.commitIndex = majorityIndex;
      if (this.log.debugOn) this.log.debug('CMIT', this.id, `leader commits index ${majorityIndex}`);
    }
  }

  private hasQuorum(count: number): boolean {
    return count * 2 > this.peerCount;
  }
}

function emptyReady(): Ready {
  return { persist: false, messages: [], committed: [], resetElectionTimer: false, replicate: false };
}
