import type { Clock } from '../sim/clock.js';
import type { Logger } from '../sim/log.js';
import type { Random } from '../sim/random.js';

/**
 * The lab interface: all the test harness knows of a Raft peer. Any
 * implementation that satisfies it can be stressed by the suite, and the
 * reference Raft (`reference`, exported beside these types) uses nothing
 * beyond it.
 *
 * A whole cluster runs in one thread on a virtual clock, so the suite relies
 * on a few rules that Go's lab gets from its runtime:
 *
 * - Time only through `clock` and randomness only through `random`. The
 *   simulator replays a run from its seed because every timer and every
 *   random choice goes through these two. A `setTimeout`, `setInterval`,
 *   `setImmediate`, `Date.now()`, `new Date()`, `performance.now()` or
 *   `Math.random()` in a peer would make its runs unrepeatable, so in a
 *   simulated run each fails the run at once, naming the call and the fix.
 * - Everything is synchronous: a handler returns its reply, a timer callback
 *   runs to the end. There is nothing to lock, and no `await` is needed.
 * - RPC arguments and replies are plain data, because the network copies
 *   them as they are sent, as encoding and decoding them would: numbers,
 *   strings, booleans, null, undefined, Uint8Array, arrays and plain objects
 *   of these. Class instances, Maps, Sets, functions and bigints cannot be
 *   sent. Peers therefore never share an object, as separate Go processes
 *   would not.
 * - An exception thrown by a peer (in make, a handler, a reply callback or a
 *   timer) fails the run it happens in, with its stack in the run's log.
 * - Keep no mutable state at module level: the runs on one worker thread
 *   share the module, and state carried from one run into the next breaks
 *   replay from a seed.
 */

/**
 * One outgoing connection, to one peer (the lab's labrpc.ClientEnd). `call`
 * returns at once; `onReply` runs later, once: with the peer's reply, or
 * with `undefined` when the request or the reply was lost, or the peer is
 * down or cut off (labrpc's `ok == false`). A lost call may still have been
 * handled by the peer. Calls still pending when a test ends never complete.
 *
 * The harness's ends also have `callWith`, the same call with a `context`
 * handed back to `onReply` as its second argument, so that a peer can answer
 * all its calls with one function made once, where a closure per call is
 * garbage on every message. It is optional: a peer given ends without it
 * (its own, in a test) uses `call`.
 */
export interface ClientEnd {
  call(method: string, args: unknown, onReply: (reply: unknown) => void): void;
  callWith?<C>(method: string, args: unknown, onReply: (reply: unknown, context: C) => void, context: C): void;
}

/** The earlier name of {@link ClientEnd}, kept for code written against it. */
export type PeerEnd = ClientEnd;

/**
 * What a peer hands the service (the lab's ApplyMsg): a committed command,
 * or a snapshot a leader sent.
 *
 * A command has `commandValid: true`, `command` the value that was given to
 * `start`, and `commandIndex`; the indexes go strictly up by one, 1, 2, 3, …
 * with no gap, each once. A restarted peer is a new incarnation: its commit
 * index was not saved, so it applies again from index 1 (or from just after
 * its snapshot, see below), and the suite expects the same commands at the
 * same indexes.
 *
 * Part 2D. A snapshot has `snapshotValid: true`, `snapshot` the bytes the
 * leader's service passed to `snapshot()`, and `snapshotIndex` and
 * `snapshotTerm`, the last index it covers and that entry's term (the other
 * fields may be left `false`, `undefined` and 0). The service then calls
 * `condInstallSnapshot` if the peer has it (see {@link RaftPeer}) and
 * replaces its state with the snapshot's; the next command must be at
 * `snapshotIndex + 1`. Hand over only a snapshot that goes past everything
 * applied so far: an older one would move the service's state back. A
 * restarted peer does not hand over its own saved snapshot: the service reads
 * it from the persister before `make` (as the lab's config.go does), so the
 * peer's first command after a restart is the one just after its snapshot.
 */
export interface ApplyMsg {
  commandValid: boolean;
  command: unknown;
  commandIndex: number;
  snapshotValid?: boolean;
  snapshot?: Uint8Array;
  snapshotTerm?: number;
  snapshotIndex?: number;
}

/**
 * Durable storage that outlives a crash (the lab's Persister): a Raft state
 * and a snapshot. The harness copies it when it crashes a peer, and the
 * restarted peer reads the copy; both reads are empty on a first start. Only
 * what was saved survives: a peer must save its persistent state
 * (currentTerm, votedFor, log) before it replies to an RPC or sends anything
 * that depends on it. Saves and reads copy the bytes, so the caller may
 * reuse its buffers.
 *
 * What a save costs: a peer saves on nearly every step (each vote, each
 * entry appended or received), thousands of times a run in the churn tests,
 * over logs of thousands of entries. So the work a save does beyond that
 * copy should follow what changed since the previous save, not the length
 * of the log: encoding the whole state anew on every save (JSON.stringify of
 * the log, say) does work that grows with the log on every save, quadratic
 * over a run, and has cost TestReliableChurn2C tens of seconds a run. The
 * skeleton `raft-dstest init` writes saves through an encoder that encodes
 * each entry once. A kept log ends with its run's saves and the bytes they
 * held (`# saves:`), `-t` shows them per test, and a run whose saving took
 * most of its time gets a hint.
 */
export interface Persister {
  /**
   * With one argument the lab's SaveRaftState: replaces the Raft state and
   * keeps the snapshot. With two, SaveStateAndSnapshot: replaces both in one
   * step, so that a crash never finds a state and a snapshot that disagree
   * (part 2D: save a new snapshot this way, with the state that goes with it).
   */
  save(raftState: Uint8Array, snapshot?: Uint8Array): void;
  readRaftState(): Uint8Array;
  /** The size of the saved Raft state in bytes; the 2D tests require it to stay small once snapshots trim the log. */
  raftStateSize(): number;
  readSnapshot(): Uint8Array;
  snapshotSize(): number;
}

/** What `make` is given: everything a peer may use to reach the world. */
export interface MakeOptions {
  /** One end per peer, by index; `peers[me]` points at this peer itself. */
  peers: readonly ClientEnd[];
  /** This peer's index in `peers`. */
  me: number;
  persister: Persister;
  /** Delivers a committed command to the service; see {@link ApplyMsg}. */
  apply: (msg: ApplyMsg) => void;
  /** The only source of time and timers (virtual in the simulator). */
  clock: Clock;
  /** The only source of randomness; drawing from it is part of the replayed run. */
  random: Random;
  /** The run's log, in the format raft-dslogs reads; quiet unless -v is given. */
  log: Logger;
}

/** Where a proposed command would land: the lab's `Start` return values. */
export interface StartResult {
  index: number;
  term: number;
  isLeader: boolean;
}

/** The lab's `GetState`: this peer's current term and whether it believes it leads. */
export interface RaftState {
  term: number;
  isLeader: boolean;
}

/** A peer's role in its current term. */
export type Role = 'follower' | 'candidate' | 'leader';

/** One log entry as a view shows it. */
export interface LogEntry {
  term: number;
  command: unknown;
}

/**
 * A read-only look at a peer's Raft state (Figure 2), taken at one moment.
 * Strict mode (`--race`) reads it after every event to check the Raft
 * invariants that getState and the applied commands cannot show. Reading it
 * must change nothing, draw no randomness and set no timers.
 */
export interface RaftView {
  readonly term: number;
  readonly role: Role;
  /** The candidate this peer voted for in `term`, or -1 if none. */
  readonly votedFor: number;
  readonly commitIndex: number;
  /** The highest index this peer has handed to `apply`. */
  readonly lastApplied: number;
  /** The index of the last log entry; 0 when the log is empty (and the snapshot's last index when it covers the whole log). */
  readonly lastIndex: number;
  /**
   * Part 2D: the last index the peer's snapshot covers, 0 (or absent)
   * without one. Entries up to it are gone from the log; the checker looks
   * only at those after it.
   */
  readonly snapshotIndex?: number;
  /** The term of the entry at `snapshotIndex`: the term the snapshot's last entry had in the log. */
  readonly snapshotTerm?: number;
  /** The entry at `index`, for snapshotIndex < index ≤ lastIndex. */
  entry(index: number): LogEntry;
  /**
   * Changes whenever the log changes (an append, a truncation or a compaction), so a
   * checker can skip a log it has already seen. Equal values must mean
   * identical entries.
   */
  readonly logVersion: number;
  /**
   * Optional: the lowest index whose entry may differ from the one the log
   * held (or did not hold) at an earlier `logVersion` of this peer; past
   * `lastIndex` when none does, and `snapshotIndex + 1` (or less) when the
   * peer cannot tell. With it the checker compares only a changed log's
   * tail; without it, the whole log after each change.
   */
  logChangedSince?(logVersion: number): number;
}

/** One Raft peer, as `make` returns it. */
export interface RaftPeer {
  /**
   * Proposes a command; returns at once with where it would land if this
   * peer leads (`isLeader: false` and any index otherwise). There is no
   * guarantee the command ever commits.
   */
  start(command: unknown): StartResult;
  getState(): RaftState;
  /**
   * Called when the harness crashes the peer. Afterwards the peer sends
   * nothing, applies nothing and saves nothing, and its timers do no work
   * (cancel them, or have them return at once). The network may still
   * deliver RPCs or replies that were in flight: handlers are still called
   * and should refuse (grant no vote, accept no entries), since nothing they
   * promise can be made durable any more.
   */
  kill(): void;
  /**
   * Part 2D (the lab's Snapshot): the service has saved a snapshot of its
   * state that covers every command through `index`, one it has applied, so
   * the peer may discard its log up to there and keep `snapshot` to send to
   * followers that need the discarded entries (InstallSnapshot). The 2D
   * tests call it on every peer, from inside `apply`, after every index i
   * with (i + 1) % 10 == 0. Save the snapshot with the state
   * (`persister.save(state, snapshot)`). Until part 2D a peer may ignore it.
   */
  snapshot(index: number, snapshot: Uint8Array): void;
  /**
   * Optional, part 2D (the lab's CondInstallSnapshot): the service asks
   * before it switches to a snapshot the peer handed it. The 2022 lab keeps
   * this call only for compatibility and advises implementing it as `return
   * true`, handing over only snapshots that should be installed; a peer
   * without it is treated so.
   */
  condInstallSnapshot?(lastIncludedTerm: number, lastIncludedIndex: number, snapshot: Uint8Array): boolean;
  /**
   * The RPC methods the network dispatches to, by name: `RequestVote` and
   * `AppendEntries`, and for part 2D a method of your choice, say
   * `InstallSnapshot`. Each takes a copy of the arguments and returns the
   * reply, synchronously. The table must be complete when `make` returns;
   * the network keeps it from then on.
   */
  readonly handlers: Readonly<Record<string, (args: never) => unknown>>;
  /**
   * Optional: a read-only view of the peer's Raft state for strict mode
   * (`-r`), which checks the Raft invariants after every event. Without it
   * strict mode checks only what getState and the applied commands show.
   */
  inspect?(): RaftView;
}

/**
 * A Raft implementation: the reference one, or a user's module (`--raft`).
 * `make` is the lab's Make: it starts one peer and returns it at once, its
 * long-running work left to timers on `options.clock`. After a crash the
 * harness calls it again with the saved persister.
 */
export interface RaftFactory {
  make(options: MakeOptions): RaftPeer;
}
