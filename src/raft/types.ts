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

export interface RaftPeer {
  /** Proposes a command; returns at once with where it would land if this peer leads. */
  start(command: unknown): StartResult;
  getState(): RaftState;
  /** After kill, the peer sends nothing and applies nothing. */
  kill(): void;
  /** The RPC methods the network dispatches to, by name. */
  readonly handlers: Readonly<Record<string, (args: never) => unknown>>;
}

/** A Raft implementation: the reference one, or a user's module. */
export interface RaftFactory {
  make(options: MakeOptions): RaftPeer;
}
