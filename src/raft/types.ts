import type { Clock } from '../sim/clock.js';
import type { Logger } from '../sim/log.js';
import type { Random } from '../sim/random.js';

/**
 * The lab interface: all the test harness knows of a Raft peer. Any
 * implementation that satisfies it can be stressed by the suite.
 */

/** One outgoing connection to a peer. `onReply(undefined)` means the request or reply was lost. */
export interface PeerEnd {
  call(method: string, args: unknown, onReply: (reply: unknown) => void): void;
}

/** What a peer hands the service as entries commit (the lab's ApplyMsg). */
export interface ApplyMsg {
  commandValid: boolean;
  command: unknown;
  commandIndex: number;
  // Reserved for snapshots (part 2D).
  snapshotValid?: boolean;
  snapshot?: Uint8Array;
  snapshotTerm?: number;
  snapshotIndex?: number;
}

/** Durable storage that outlives a crash; the harness copies it on restart. */
export interface Persister {
  save(raftState: Uint8Array, snapshot?: Uint8Array): void;
  readRaftState(): Uint8Array;
  raftStateSize(): number;
}

export interface MakeOptions {
  /** One end per peer, by index; `peers[me]` points at this peer itself. */
  peers: readonly PeerEnd[];
  me: number;
  persister: Persister;
  apply: (msg: ApplyMsg) => void;
  clock: Clock;
  random: Random;
  log: Logger;
}

export interface StartResult {
  index: number;
  term: number;
  isLeader: boolean;
}

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
  /** The index of the last log entry; 0 when the log is empty. */
  readonly lastIndex: number;
  /** The entry at `index`, for 1 ≤ index ≤ lastIndex. */
  entry(index: number): LogEntry;
  /**
   * Changes whenever the log changes (an append or a truncation), so a
   * checker can skip a log it has already seen. Equal values must mean
   * identical entries.
   */
  readonly logVersion: number;
}

export interface RaftPeer {
  /** Proposes a command; returns at once with where it would land if this peer leads. */
  start(command: unknown): StartResult;
  getState(): RaftState;
  /** After kill, the peer sends nothing and applies nothing. */
  kill(): void;
  /** The RPC methods the network dispatches to, by name. */
  readonly handlers: Readonly<Record<string, (args: never) => unknown>>;
  /** Optional: the peer's state for strict mode's invariant checks. */
  inspect?(): RaftView;
}

/** A Raft implementation: the reference one, or a user's module. */
export interface RaftFactory {
  make(options: MakeOptions): RaftPeer;
}
