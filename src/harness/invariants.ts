import type { ApplyMsg, LogEntry, RaftPeer, RaftView } from '../raft/types.js';
import { encode } from '../sim/codec.js';
import type { PeerObserver, TimerActivity } from './peer-taps.js';
import { TestFailure } from './test-context.js';

/**
 * What strict mode watches: the safety properties of the Raft paper's
 * Figure 3 and monotonic state, seen in the peers' states; and, seen in
 * their effects (votes, replies, saves, applies), the rules that make those
 * properties hold across crashes: one vote per term, persistence before a
 * reply or request reveals state, commitment only of what a majority has
 * saved, each index applied once, and a higher term adopted when seen;
 * one liveness rule, that a vote denied restarts no election timer; and for
 * part 2D, that snapshots cover only what was committed and never move a
 * service back.
 */
export const INVARIANTS = [
  'election safety',
  'log matching',
  'leader completeness',
  'state machine safety',
  'monotonic',
  'one vote per term',
  'persist before reveal',
  'committed on a majority',
  'applied once',
  'term adoption',
  'snapshot safety',
  'election timer',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

/** A broken invariant: fails the run at the event that broke it. */
export class InvariantViolation extends TestFailure {
  override name = 'InvariantViolation';

  constructor(
    readonly invariant: Invariant,
    detail: string,
    readonly atMs: number,
  ) {
    super(`strict mode: ${invariant} violated at ${(atMs / 1000).toFixed(4)}s: ${detail}`);
  }
}

/** What the checker knows of one entry at an index and term, from the first log it was seen in. */
interface SeenEntry {
  term: number;
  command: unknown;
  /** The term of the entry before it in that log (0 at index 1). */
  prevTerm: number;
  peer: number;
}

/** An entry some peer has counted as committed. */
interface CommittedEntry {
  term: number;
  command: unknown;
  peer: number;
  /**
   * That peer's term when it was first seen committed. It committed in this
   * term or an earlier one, so every leader of a later term must hold it.
   */
  knownAtTerm: number;
}

/** What the checker remembers of one run of a peer, from start to crash. */
interface Incarnation {
  commitIndex: number;
  /** The last index handed to the harness's apply callback, or restored from the snapshot at start. */
  lastApplied: number;
  /** The last index the peer's snapshot covers, as its view last showed it. */
  snapshotIndex: number;
  /** Until the first look at a restarted peer: the index of the snapshot its service restarted from. */
  restoredFrom: number | undefined;
  /** The log version last scanned, and the entries as they were then (by identity), by index. */
  logVersion: number | undefined;
  entries: LogEntry[];
  /** How far the leader check got for this term. */
  leaderChecked: { term: number; upTo: number } | undefined;
  /** The lowest index the log scans have found changed since the leader check, which must look again from there. */
  leaderStaleFrom: number;
}

/**
 * A peer's persistent state as of its last save, read from its view at the
 * moment it saved: what a restart would bring back. Only terms are kept of
 * the log, which is all the checks compare.
 */
interface Durable {
  term: number;
  votedFor: number;
  /** The last index the saved snapshot covers (part 2D), 0 without one; the entries up to it are committed. */
  snapshotIndex: number;
  /**
   * terms[i] is the term of the saved entry at index i, for snapshotIndex ≤ i
   * (at snapshotIndex, the snapshot's last term); terms.length - 1 is the last index.
   */
  terms: number[];
  logVersion: number | undefined;
}

export interface CheckerOptions {
  /** The live peer at each index, or undefined while crashed. */
  peers: readonly (RaftPeer | undefined)[];
  /** The world's time, for the messages. */
  nowMs: () => number;
  /**
   * Whether every call into a peer is told through touch(i), so that a check
   * reads again only the peers called since the last; otherwise every check
   * reads every peer.
   */
  touches?: boolean;
}

/**
 * Strict mode's checker. After every event it looks at every live peer —
 * through `inspect()` where the peer offers it, through getState otherwise —
 * and fails the run at the first state the protocol forbids. It remembers
 * history (every term's leader, every (index, term) entry ever seen, every
 * committed entry), so a violation is caught even when it lasts one event.
 *
 * As an observer of the peers' effects (see peer-taps.ts) it also sees
 * each vote granted, each request sent and reply given, and each save, and
 * checks them against what the peer had saved at that moment.
 *
 * Peers without a view get the checks that need only getState, the replies
 * and the applied commands: election safety, monotonic terms and applied
 * indexes, state machine safety over what they apply, one vote per term
 * (from the replies that grant one), applied once, and term adoption.
 */
export class InvariantChecker implements PeerObserver {
  private readonly peers: readonly (RaftPeer | undefined)[];
  private readonly nowMs: () => number;
  /** The leader of each term seen so far. */
  private readonly leaderOfTerm = new Map<number, number>();
  /** The highest term each peer has had, across restarts (the term is persistent state). */
  private readonly maxTerm: number[];
  private readonly incarnations: Incarnation[];
  /** Every entry seen at each index, one per term. */
  private readonly seen: SeenEntry[][] = [];
  /**
   * Committed entries by index, from the peers' commit indexes; index 0
   * unused. An index can stay unknown when every peer that committed it had
   * compacted it away by the time the checker looked.
   */
  private readonly committed: (CommittedEntry | undefined)[] = [undefined];
  /** The command first applied at each index, and by whom. */
  private readonly applied = new Map<number, { command: unknown; peer: number }>();
  /** Each peer's view in the current check, reused from check to check. */
  private readonly views: (RaftView | undefined)[] = [];
  /** A violation found inside an event (in an apply), thrown when the event ends. */
  private pending: InvariantViolation | undefined;
  /** Each peer's saved state, kept across crashes; undefined for a peer whose state cannot be seen. */
  private readonly durable: (Durable | undefined)[];
  /** Peers that saved while being made, before the checker could look at them. */
  private readonly savedWhileStarting: boolean[];
  /** The vote each peer gave in each term: term → peer → candidate. */
  private readonly votes = new Map<number, Map<number, number>>();
  /** The last vote recorded from each peer's view, to skip unchanged ones. */
  private readonly lastVoteSeen: { term: number; votedFor: number }[];
  /**
   * Peers called into since the last check: only they can have changed, so
   * only they are read again (a peer's inspect() may copy its whole log).
   */
  private readonly touchedSince: boolean[];
  private readonly touches: boolean;
  /** The instance each peer's view was last read from: a restarted peer is read afresh. */
  private readonly checkedPeer: (RaftPeer | undefined)[];

  constructor(options: CheckerOptions) {
    this.peers = options.peers;
    this.nowMs = options.nowMs;
    this.maxTerm = new Array<number>(options.peers.length).fill(0);
    this.incarnations = options.peers.map(() => freshIncarnation());
    this.durable = options.peers.map((peer) => (peer !== undefined && peer.inspect === undefined ? undefined : emptyDurable()));
    this.savedWhileStarting = options.peers.map(() => false);
    this.lastVoteSeen = options.peers.map(() => ({ term: -1, votedFor: -1 }));
    this.touchedSince = options.peers.map(() => true);
    this.touches = options.touches === true;
    this.checkedPeer = options.peers.map(() => undefined);
  }

  /** Peer i is being called into, or was: the next check reads it again. */
  touch(i: number): void {
    this.touchedSince[i] = true;
  }

  /**
   * Peer i (re)starts: what it knew in memory is gone, but its term must
   * survive. Its service starts from `appliedFrom`, the index its saved
   * snapshot covers (0 without one).
   */
  started(i: number, appliedFrom = 0): void {
    const inc = freshIncarnation();
    inc.lastApplied = appliedFrom;
    inc.restoredFrom = appliedFrom;
    this.incarnations[i] = inc;
    this.lastVoteSeen[i] = { term: -1, votedFor: -1 };
    // A new instance numbers its log versions afresh: compare its first save in full.
    const durable = this.durable[i];
    if (durable !== undefined) durable.logVersion = undefined;
  }

  /**
   * Peer i has been made (after started): it must come back with exactly the
   * state it last saved, or some save did not hold what the peer had revealed.
   */
  restarted(i: number): void {
    const view = this.peers[i]?.inspect?.();
    const durable = this.durable[i];
    if (view === undefined) {
      this.durable[i] = undefined;
      return;
    }
    if (durable !== undefined) {
      const lastIndex = durable.terms.length - 1;
      const differs =
        view.term !== durable.term ||
        view.votedFor !== durable.votedFor ||
        view.lastIndex !== lastIndex ||
        (view.snapshotIndex ?? 0) !== durable.snapshotIndex ||
        (view.snapshotTerm ?? 0) !== durable.terms[durable.snapshotIndex] ||
        firstTermMismatch(view, durable.terms, durable.snapshotIndex + 1, lastIndex) !== undefined;
      if (differs) {
        this.fail(
          'persist before reveal',
          `S${i} restarted with ${showState(view.term, view.votedFor, view.lastIndex)}, but its last save was taken with ${showState(durable.term, durable.votedFor, lastIndex)}: the saved bytes do not hold the state the peer had`,
        );
      }
    }
    if (this.savedWhileStarting[i]) {
      this.savedWhileStarting[i] = false;
      this.saved(i);
    }
  }

  // ---- Effects, as a PeerObserver -----------------------------------------

  /** Peer i saved: remember the state it had then, as a restart would find it. */
  saved(i: number): void {
    const peer = this.peers[i];
    if (peer === undefined) {
      this.savedWhileStarting[i] = true;
      return;
    }
    const view = peer.inspect?.();
    if (view === undefined) {
      this.durable[i] = undefined;
      return;
    }
    const durable = (this.durable[i] ??= emptyDurable());
    durable.term = view.term;
    durable.votedFor = view.votedFor;
    const snapshotIndex = view.snapshotIndex ?? 0;
    if (view.logVersion !== durable.logVersion || snapshotIndex !== durable.snapshotIndex) {
      const terms = durable.terms;
      terms[snapshotIndex] = view.snapshotTerm ?? 0;
      // A snapshot that moved under an unchanged version breaks the contract: take the whole log.
      const from = view.logVersion === durable.logVersion ? snapshotIndex + 1 : changedFrom(view, durable.logVersion);
      for (let index = from; index <= view.lastIndex; index++) terms[index] = view.entry(index).term;
      terms.length = view.lastIndex + 1;
      durable.snapshotIndex = snapshotIndex;
      durable.logVersion = view.logVersion;
    }
  }

  /** A request reveals its sender's term, and a candidate's request its vote for itself: both must be saved. */
  sent(from: number, to: number, method: string, args: unknown): void {
    const durable = this.durable[from];
    const term = numberField(args, 'term');
    if (durable === undefined || term === undefined) return;
    if (term > durable.term) {
      this.defer('persist before reveal', `S${from} sent ${method} in term ${term} to S${to}, but has saved only term ${durable.term}`);
    } else if (method === 'RequestVote' && numberField(args, 'candidateId') === from && (durable.term !== term || durable.votedFor !== from)) {
      this.defer(
        'persist before reveal',
        `S${from} asked S${to} for its vote in term ${term} before saving its vote for itself (saved: ${showState(durable.term, durable.votedFor)})`,
      );
    }
  }

  /** A reply reveals its term; a granted vote, the vote; a successful AppendEntries, the entries it acknowledges. */
  handled(me: number, method: string, args: unknown, reply: unknown, timers?: TimerActivity): void {
    const replyTerm = numberField(reply, 'term');
    const durable = this.durable[me];
    if (method === 'RequestVote' && field(reply, 'voteGranted') === false && timers !== undefined) this.checkNoReset(me, args, timers);
    if (method === 'RequestVote' && field(reply, 'voteGranted') === true) {
      const candidate = numberField(args, 'candidateId');
      const term = replyTerm ?? numberField(args, 'term');
      if (candidate !== undefined && term !== undefined) {
        this.recordVote(me, term, candidate);
        if (durable !== undefined && (durable.term !== term || durable.votedFor !== candidate)) {
          this.defer(
            'persist before reveal',
            `S${me} granted its vote in term ${term} to S${candidate} before saving it (saved: ${showState(durable.term, durable.votedFor)})`,
          );
        }
      }
    }
    if (durable !== undefined && replyTerm !== undefined && replyTerm > durable.term) {
      this.defer('persist before reveal', `S${me} replied to ${method} in term ${replyTerm}, but has saved only term ${durable.term}`);
    }
    if (durable !== undefined && method === 'AppendEntries' && field(reply, 'success') === true) this.checkAcknowledged(me, args, durable);
    if (durable !== undefined && replyTerm !== undefined && replyTerm === numberField(args, 'term')) this.checkSnapshotAcknowledged(me, args, durable);
    this.checkAdopted(me, numberField(args, 'term'), () => `handled ${method} from term ${numberField(args, 'term')}`);
  }

  replyHandled(from: number, to: number, method: string, _args: unknown, reply: unknown): void {
    const term = numberField(reply, 'term');
    this.checkAdopted(from, term, () => `got a ${method} reply from S${to} in term ${term}`);
  }

  /** A successful AppendEntries acknowledges the entries it carried, and the one before them: all saved. */
  private checkAcknowledged(me: number, args: unknown, durable: Durable): void {
    const prev = numberField(args, 'prevLogIndex');
    const entries = field(args, 'entries');
    if (prev === undefined || !Array.isArray(entries)) return;
    const upTo = prev + entries.length;
    const lastSaved = durable.terms.length - 1;
    const term = numberField(args, 'term');
    if (lastSaved < upTo) {
      this.defer('persist before reveal', `S${me} acknowledged AppendEntries up to index ${upTo} in term ${term}, but has saved its log only up to index ${lastSaved}`);
      return;
    }
    const prevTerm = numberField(args, 'prevLogTerm');
    // Entries a saved snapshot covers are committed: only those after it can disagree.
    if (prev >= 1 && prev >= durable.snapshotIndex && prevTerm !== undefined && durable.terms[prev] !== prevTerm) {
      this.defer('persist before reveal', `S${me} acknowledged AppendEntries after index ${prev} (term ${prevTerm}) in term ${term}, but its saved log holds term ${durable.terms[prev]} there`);
      return;
    }
    for (let k = Math.max(0, durable.snapshotIndex - prev); k < entries.length; k++) {
      const entryTerm = numberField(entries[k], 'term');
      if (entryTerm !== undefined && durable.terms[prev + 1 + k] !== entryTerm) {
        this.defer(
          'persist before reveal',
          `S${me} acknowledged index ${prev + 1 + k} (term ${entryTerm}) in term ${term}, but its saved log holds term ${durable.terms[prev + 1 + k]} there`,
        );
        return;
      }
    }
  }

  /**
   * Part 2D: a reply in the sender's term to a request that carries a
   * snapshot (lastIncludedIndex and lastIncludedTerm, as InstallSnapshot
   * does) tells the leader the follower holds everything up to there: its
   * saved snapshot or saved log must.
   */
  private checkSnapshotAcknowledged(me: number, args: unknown, durable: Durable): void {
    const index = numberField(args, 'lastIncludedIndex');
    const term = numberField(args, 'lastIncludedTerm');
    if (index === undefined || term === undefined || index < durable.snapshotIndex) return;
    if (durable.terms[index] !== term) {
      const held = durable.terms[index] === undefined ? 'has saved neither' : `has saved term ${durable.terms[index]} there`;
      this.defer('persist before reveal', `S${me} acknowledged a snapshot through index ${index} (term ${term}), but ${held}`);
    }
  }

  /** Figure 2: a peer that sees a higher term in any request or reply takes it on (and a leader or candidate steps down). */
  private checkAdopted(i: number, seenTerm: number | undefined, what: () => string): void {
    const peer = this.peers[i];
    if (seenTerm === undefined || peer === undefined) return;
    const { term, isLeader } = peer.getState();
    if (term < seenTerm) {
      this.defer('term adoption', `S${i} ${what()} but stays in term ${term}${isLeader ? ' as leader' : ''}; a higher term must be adopted at once`);
    }
  }

  /**
   * The students' guide on Figure 2: a peer restarts its election timer only
   * for an AppendEntries from the current leader, an election it starts, or
   * a vote it grants. A follower or candidate that denies a vote of a term no
   * later than its own, and stays in that term, must leave its timer alone;
   * restarting it lets a candidate with a stale log hold off every election.
   */
  private checkNoReset(i: number, args: unknown, timers: TimerActivity): void {
    const peer = this.peers[i];
    const term = numberField(args, 'term');
    if (peer === undefined || term === undefined || timers.set === 0 || timers.cancelled === 0) return;
    const after = peer.getState();
    if (after.isLeader || term > after.term || after.term !== this.maxTerm[i]) return;
    this.defer(
      'election timer',
      `S${i} restarted a timer while denying S${numberField(args, 'candidateId') ?? '?'} its vote in term ${term}, staying in term ${after.term}; an election timer restarts only for the leader's AppendEntries or a vote granted`,
    );
  }

  private recordVote(peer: number, term: number, candidate: number): void {
    let inTerm = this.votes.get(term);
    if (inTerm === undefined) this.votes.set(term, (inTerm = new Map()));
    const before = inTerm.get(peer);
    if (before === undefined) inTerm.set(peer, candidate);
    else if (before !== candidate) {
      this.defer('one vote per term', `S${peer} voted for S${before} in term ${term}, then for S${candidate} in the same term (votedFor must survive restarts)`);
    }
  }

  /** Called for every message a peer applies (a snapshot only once the service installs it), inside the event that applied it. */
  onApply(i: number, msg: ApplyMsg): void {
    const inc = this.incarnations[i]!;
    if (msg.snapshotValid === true) {
      const index = msg.snapshotIndex ?? 0;
      if (index < inc.lastApplied) {
        this.defer('snapshot safety', `S${i} installed a snapshot through index ${index} after applying index ${inc.lastApplied}: its state machine moved back`);
        return;
      }
      const committed = this.committed[index];
      if (committed !== undefined && msg.snapshotTerm !== undefined && msg.snapshotTerm !== committed.term) {
        this.defer(
          'snapshot safety',
          `S${i} installed a snapshot through index ${index} in term ${msg.snapshotTerm}, where S${committed.peer} committed ${showEntry(committed)}`,
        );
      }
      inc.lastApplied = index;
      return;
    }
    if (!msg.commandValid) return;
    const index = msg.commandIndex;
    if (index <= inc.lastApplied) {
      this.defer('applied once', `S${i} applied index ${index} again, having applied up to index ${inc.lastApplied} since it started`);
      return;
    }
    if (index !== inc.lastApplied + 1) {
      this.defer('monotonic', `S${i} applied index ${index} right after index ${inc.lastApplied}; applied indexes must go up by one`);
      return;
    }
    inc.lastApplied = index;
    const first = this.applied.get(index);
    if (first === undefined) {
      this.applied.set(index, { command: msg.command, peer: i });
    } else if (!sameCommand(first.command, msg.command)) {
      this.defer(
        'state machine safety',
        `S${first.peer} applied ${show(first.command)} at index ${index} but S${i} applied ${show(msg.command)}`,
      );
      return;
    }
    const committed = this.committed[index];
    if (committed !== undefined && !sameCommand(committed.command, msg.command)) {
      this.defer(
        'state machine safety',
        `S${i} applied ${show(msg.command)} at index ${index}, where S${committed.peer} committed ${show(committed.command)} (term ${committed.term})`,
      );
    }
  }

  /** Checks every invariant against the live peers; throws the first violation. */
  check(): void {
    const views = this.views;
    for (let i = 0; i < this.peers.length; i++) {
      const peer = this.peers[i];
      // A peer nothing called since its last check is as it was then, and was checked as it is.
      if (this.touches && !this.touchedSince[i] && peer === this.checkedPeer[i]) continue;
      this.touchedSince[i] = false;
      this.checkedPeer[i] = peer;
      const view = peer?.inspect?.();
      views[i] = view;
      if (peer === undefined) continue;
      const { term, isLeader } = view === undefined ? peer.getState() : { term: view.term, isLeader: view.role === 'leader' };
      this.checkTerm(i, term);
      if (isLeader) this.checkOneLeader(i, term);
      if (view !== undefined) {
        this.checkVote(i, view);
        this.checkView(i, view);
      }
    }
    // Leaders last, so that they are held to everything committed up to this event.
    for (let i = 0; i < views.length; i++) {
      const view = views[i];
      if (view?.role === 'leader') this.checkLeaderComplete(i, view);
    }
    if (this.pending !== undefined) throw this.pending;
  }

  /**
   * Looks at peer i's log and commit index now, in the middle of an event:
   * the harness calls it just before the peer's service takes a snapshot,
   * so that the entries the snapshot lets the peer drop are seen first. A
   * violation found is thrown when the event ends.
   */
  observe(i: number): void {
    const view = this.peers[i]?.inspect?.();
    if (view === undefined) return;
    try {
      this.checkView(i, view);
    } catch (error) {
      if (!(error instanceof InvariantViolation)) throw error;
      this.pending ??= error;
    }
  }

  /** The violation a check would throw now, if any: the cause behind a symptom the harness saw mid-event. */
  violationNow(): InvariantViolation | undefined {
    try {
      this.check();
      return undefined;
    } catch (error) {
      if (error instanceof InvariantViolation) return error;
      throw error;
    }
  }

  /** A vote seen in a view counts as much as one seen in a reply. */
  private checkVote(i: number, view: RaftView): void {
    const last = this.lastVoteSeen[i]!;
    if (view.votedFor < 0 || (last.term === view.term && last.votedFor === view.votedFor)) return;
    last.term = view.term;
    last.votedFor = view.votedFor;
    this.recordVote(i, view.term, view.votedFor);
  }

  private checkTerm(i: number, term: number): void {
    const before = this.maxTerm[i]!;
    if (term < before) this.fail('monotonic', `S${i}'s term went down from ${before} to ${term} (it must persist its term across restarts)`);
    this.maxTerm[i] = term;
  }

  private checkOneLeader(i: number, term: number): void {
    const leader = this.leaderOfTerm.get(term);
    if (leader === undefined) this.leaderOfTerm.set(term, i);
    else if (leader !== i) this.fail('election safety', `S${leader} and S${i} were both leader of term ${term}`);
  }

  /** The checks of one peer's view: its snapshot, its log after it, then the commits it newly shows. */
  private checkView(i: number, view: RaftView): void {
    this.checkSnapshot(i, view);
    this.checkLog(i, view);
    this.checkCommits(i, view);
  }

  /**
   * Log matching, over history: an entry at an index and term is made once,
   * by that term's leader, so every log that holds it must hold the same
   * command after the same previous term. Only entries changed since the
   * last scan are looked up; an unchanged log is skipped by its version.
   * Only the entries after the peer's snapshot are still in its log.
   */
  private checkLog(i: number, view: RaftView): void {
    const inc = this.incarnations[i]!;
    if (view.logVersion === inc.logVersion) return;
    const cached = inc.entries;
    const snapshotIndex = view.snapshotIndex ?? 0;
    let changed = false;
    // A log shorter than before holds nothing where it ended before; the leader check must look there again.
    inc.leaderStaleFrom = Math.min(inc.leaderStaleFrom, view.lastIndex + 1);
    for (let index = changedFrom(view, inc.logVersion); index <= view.lastIndex; index++) {
      const entry = view.entry(index);
      // Once one entry has changed, the ones after it are checked afresh too.
      if (!changed && sameEntry(cached[index], entry)) continue;
      if (!changed) inc.leaderStaleFrom = Math.min(inc.leaderStaleFrom, index);
      changed = true;
      cached[index] = entry;
      if (index <= inc.commitIndex) {
        this.fail('state machine safety', `S${i} changed index ${index}, which it had committed, to ${showEntry(entry)}\n${showLog(i, view, index)}`);
      }
      const prevTerm = index - 1 === snapshotIndex ? (view.snapshotTerm ?? 0) : view.entry(index - 1).term;
      if (entry.term < prevTerm) {
        this.fail('log matching', `S${i} holds term ${entry.term} at index ${index} after term ${prevTerm}; terms in a log never go down\n${showLog(i, view, index)}`);
      }
      this.checkSeen(i, index, entry, prevTerm, view);
    }
    cached.length = view.lastIndex + 1;
    inc.logVersion = view.logVersion;
  }

  private checkSeen(i: number, index: number, entry: LogEntry, prevTerm: number, view: RaftView): void {
    const atIndex = (this.seen[index] ??= []);
    const first = atIndex.find((seen) => seen.term === entry.term);
    if (first === undefined) {
      atIndex.push({ term: entry.term, command: entry.command, prevTerm, peer: i });
      return;
    }
    if (first.peer === i) return;
    if (!sameCommand(first.command, entry.command)) {
      this.fail(
        'log matching',
        `S${first.peer} and S${i} both hold index ${index} in term ${entry.term}, with different commands ${show(first.command)} and ${show(entry.command)}\n${showLog(i, view, index)}`,
      );
    }
    if (first.prevTerm !== prevTerm) {
      this.fail(
        'log matching',
        `S${first.peer} and S${i} both hold index ${index} in term ${entry.term}, but after different terms (${first.prevTerm} and ${prevTerm}) at index ${index - 1}\n${showLog(i, view, index)}`,
      );
    }
  }

  /**
   * A snapshot covers only committed entries, and its last entry keeps the
   * term that entry had in the log it replaced: the term committed there.
   */
  private checkSnapshot(i: number, view: RaftView): void {
    const inc = this.incarnations[i]!;
    const index = view.snapshotIndex ?? 0;
    if (inc.restoredFrom !== undefined) {
      // The saved state and the saved snapshot must agree on where the log starts.
      if (index !== inc.restoredFrom) {
        this.fail(
          'snapshot safety',
          `S${i} restarted with a log that starts after index ${index}, but the snapshot saved with it ends at index ${inc.restoredFrom}`,
        );
      }
      inc.restoredFrom = undefined;
    }
    if (index === inc.snapshotIndex) return;
    if (index < inc.snapshotIndex) this.fail('monotonic', `S${i}'s snapshot index went down from ${inc.snapshotIndex} to ${index}`);
    if (index > view.commitIndex) {
      this.fail('snapshot safety', `S${i}'s snapshot covers index ${index}, past its commit index ${view.commitIndex}\n${showLog(i, view, view.lastIndex)}`);
    }
    const term = view.snapshotTerm ?? 0;
    const committed = this.committed[index];
    if (committed !== undefined && committed.term !== term) {
      this.fail(
        'snapshot safety',
        `S${i}'s snapshot ends at index ${index} in term ${term}, where S${committed.peer} committed ${showEntry(committed)}\n${showLog(i, view, view.lastIndex)}`,
      );
    }
    inc.snapshotIndex = index;
  }

  /** Records what the peer's commit index newly covers: it must agree with whatever was committed there before. */
  private checkCommits(i: number, view: RaftView): void {
    const inc = this.incarnations[i]!;
    if (view.commitIndex < inc.commitIndex) {
      this.fail('monotonic', `S${i}'s commit index went down from ${inc.commitIndex} to ${view.commitIndex}`);
    }
    if (view.commitIndex > view.lastIndex) {
      this.fail(
        'state machine safety',
        `S${i}'s commit index ${view.commitIndex} is past its last log index ${view.lastIndex}\n${showLog(i, view, view.lastIndex)}`,
      );
    }
    if (view.lastApplied > view.commitIndex) {
      this.fail('state machine safety', `S${i} has applied index ${view.lastApplied} but committed only up to ${view.commitIndex}`);
    }
    // Entries the snapshot covers are gone; its last one was checked above.
    for (let index = Math.max(inc.commitIndex, view.snapshotIndex ?? 0) + 1; index <= view.commitIndex; index++) {
      const entry = view.entry(index);
      const before = this.committed[index];
      if (before === undefined) {
        this.committed[index] = { term: entry.term, command: entry.command, peer: i, knownAtTerm: view.term };
      } else if (before.term !== entry.term || !sameCommand(before.command, entry.command)) {
        this.fail(
          'state machine safety',
          `S${before.peer} committed ${showEntry(before)} at index ${index} but S${i} committed ${showEntry(entry)}\n${showLog(i, view, index)}`,
        );
      }
    }
    if (view.commitIndex > inc.commitIndex) this.checkStoredOnMajority(i, view);
    inc.commitIndex = view.commitIndex;
  }

  /**
   * An index a peer counts as committed must be in the saved logs of a
   * majority, with the term this peer holds there (a crashed peer counts by
   * what it saved). Checked for the new commit index; log matching covers
   * the entries before it.
   */
  private checkStoredOnMajority(i: number, view: RaftView): void {
    const index = view.commitIndex;
    const term = index === (view.snapshotIndex ?? 0) ? (view.snapshotTerm ?? 0) : view.entry(index).term;
    const holders: number[] = [];
    for (let p = 0; p < this.durable.length; p++) {
      const durable = this.durable[p];
      // A peer whose saves cannot be seen may hold it; nothing can be concluded.
      if (durable === undefined) return;
      // A saved snapshot holds what it covers (all committed, so the same everywhere).
      if (index < durable.snapshotIndex || durable.terms[index] === term) holders.push(p);
    }
    if (holders.length * 2 <= this.durable.length) {
      this.fail(
        'committed on a majority',
        `S${i} committed index ${index} (term ${term}) in term ${view.term}, but only ${holders.length} of ${this.durable.length} peers have saved it${holders.length === 0 ? '' : ` (${holders.map((p) => `S${p}`).join(', ')})`}\n${showLog(i, view, index)}`,
      );
    }
  }

  /** A leader holds every entry committed in an earlier term than its own. */
  private checkLeaderComplete(i: number, view: RaftView): void {
    const inc = this.incarnations[i]!;
    const done = inc.leaderChecked;
    // The entries the log scans found unchanged since the last check in this term still pass it.
    const from = done !== undefined && done.term === view.term ? Math.min(done.upTo + 1, inc.leaderStaleFrom) : 1;
    const upTo = this.committed.length - 1;
    // Entries the leader's snapshot covers are gone from its log; its snapshot's last one was checked on its own.
    for (let index = Math.max(from, (view.snapshotIndex ?? 0) + 1); index <= upTo; index++) {
      const committed = this.committed[index];
      if (committed === undefined || committed.knownAtTerm >= view.term) continue;
      const held = index <= view.lastIndex ? view.entry(index) : undefined;
      if (held === undefined || held.term !== committed.term || !sameCommand(held.command, committed.command)) {
        this.fail(
          'leader completeness',
          `S${i} leads term ${view.term} but holds ${held === undefined ? 'nothing' : showEntry(held)} at index ${index}, where ${showEntry(committed)} was committed by term ${committed.knownAtTerm}\n${showLog(i, view, index)}`,
        );
      }
    }
    inc.leaderChecked = { term: view.term, upTo };
    inc.leaderStaleFrom = Number.POSITIVE_INFINITY;
  }

  private fail(invariant: Invariant, detail: string): never {
    throw new InvariantViolation(invariant, detail, this.nowMs());
  }

  private defer(invariant: Invariant, detail: string): void {
    this.pending ??= new InvariantViolation(invariant, detail, this.nowMs());
  }
}

function emptyDurable(): Durable {
  return { term: 0, votedFor: -1, snapshotIndex: 0, terms: [0], logVersion: undefined };
}

/**
 * The first index of the view's log that may differ from that peer's log at
 * `logVersion`: all of it held when that version is unknown, or the view
 * cannot tell (it has no logChangedSince, or gives no usable index).
 */
function changedFrom(view: RaftView, logVersion: number | undefined): number {
  const first = (view.snapshotIndex ?? 0) + 1;
  if (logVersion === undefined) return first;
  if (logVersion === view.logVersion) return view.lastIndex + 1;
  const from = view.logChangedSince?.(logVersion);
  return typeof from === 'number' && from > first ? Math.min(from, view.lastIndex + 1) : first;
}

/** The first index in [from, to] where the view's term differs from `terms`, or undefined. */
function firstTermMismatch(view: RaftView, terms: readonly number[], from: number, to: number): number | undefined {
  for (let index = from; index <= Math.min(to, view.lastIndex); index++) if (view.entry(index).term !== terms[index]) return index;
  return undefined;
}

function showState(term: number, votedFor: number, lastIndex?: number): string {
  const vote = votedFor < 0 ? 'no vote' : `a vote for S${votedFor}`;
  return `term ${term}, ${vote}${lastIndex === undefined ? '' : `, last index ${lastIndex}`}`;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** A numeric field of a message, by the lab's names (term, candidateId, …); undefined when it has none. */
function numberField(value: unknown, key: string): number | undefined {
  const v = field(value, key);
  return typeof v === 'number' ? v : undefined;
}

function freshIncarnation(): Incarnation {
  return {
    commitIndex: 0,
    lastApplied: 0,
    snapshotIndex: 0,
    restoredFrom: undefined,
    logVersion: undefined,
    entries: [],
    leaderChecked: undefined,
    leaderStaleFrom: Number.POSITIVE_INFINITY,
  };
}

/** The reference Raft hands out its own entry objects, so identity settles most comparisons. */
function sameEntry(a: LogEntry | undefined, b: LogEntry): boolean {
  return a === b || (a !== undefined && a.term === b.term && sameCommand(a.command, b.command));
}

/** Commands cross the network as copies, so two equal ones need not be the same object. */
function sameCommand(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  const x = encode(a);
  const y = encode(b);
  return x.length === y.length && x.every((byte, k) => byte === y[k]);
}

function show(command: unknown): string {
  return typeof command === 'string' ? JSON.stringify(command) : String(command);
}

function showEntry(entry: { term: number; command: unknown }): string {
  return `${show(entry.command)} (term ${entry.term})`;
}

/** How many entries before the one in question a violation shows, so the message stays readable. */
const LOG_CONTEXT_ENTRIES = 5;

/** Peer i's log around `index`, as `index:term:command` words. */
function showLog(i: number, view: RaftView, index: number): string {
  const snapshotIndex = view.snapshotIndex ?? 0;
  const last = Math.min(index, view.lastIndex);
  const first = Math.max(snapshotIndex + 1, last - LOG_CONTEXT_ENTRIES);
  const words: string[] = [];
  for (let k = first; k <= last; k++) {
    const entry = view.entry(k);
    words.push(`${k}:t${entry.term}:${show(entry.command)}`);
  }
  const more = view.lastIndex > last ? ` … (last index ${view.lastIndex})` : '';
  const start = snapshotIndex > 0 ? `snapshot ${snapshotIndex}:t${view.snapshotTerm ?? 0} ` : '';
  return `S${i} log (term ${view.term}, ${view.role}, commit ${view.commitIndex}): ${start}${first > snapshotIndex + 1 ? '… ' : ''}${words.join(' ')}${more}`;
}
