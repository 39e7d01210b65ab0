import type { Timer } from '../sim/clock.js';
import { RaftCore } from './core.js';
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  Outbound,
  RequestVoteArgs,
  RequestVoteReply,
} from './messages.js';
import { decodeHardState, HardStateEncoder } from './persist.js';
import type { MakeOptions, RaftFactory, RaftPeer, RaftState, RaftView, StartResult } from './types.js';

/** A leader sends AppendEntries at this period: ten a second, the lab's ceiling. */
export const HEARTBEAT_INTERVAL_MS = 100;
/**
 * A leader sends new entries this long after the first of them is proposed
 * (or a follower's reply shows it lacks some), so that proposals made close
 * together travel in one AppendEntries.
 */
export const REPLICATE_BATCH_MS = 10;
/** Election timeouts are drawn uniformly from [min, min + spread). */
export const ELECTION_TIMEOUT_MS_MIN = 400;
export const ELECTION_TIMEOUT_MS_SPREAD = 400;

/**
 * Drives a RaftCore from the lab interface: turns timers, RPCs and replies
 * into core inputs, then carries out what the core asks for — persist first,
 * then send, then apply — so nothing leaves the peer before it is durable.
 */
class Peer implements RaftPeer {
  readonly handlers: RaftPeer['handlers'];
  private readonly core: RaftCore;
  private readonly encoder = new HardStateEncoder();
  private killed = false;
  /** The highest index handed to `apply`. */
  private lastApplied = 0;
  private electionTimer: Timer | undefined;
  /** The timeout the election timer was last armed with: the one pending, or the one that fired. */
  private electionTimeoutMs = 0;
  private heartbeatTimer: Timer | undefined;
  private replicateTimer: Timer | undefined;

  constructor(private readonly o: MakeOptions) {
    this.core = new RaftCore({
      id: o.me,
      peerCount: o.peers.length,
      log: o.log,
      restored: decodeHardState(o.persister.readRaftState()),
      snapshot: o.persister.readSnapshot(),
    });
    // The service restored its state from the saved snapshot before make().
    this.lastApplied = this.core.snapshotIndex;
    // A killed peer refuses everything: it can no longer make a vote or an
    // entry durable, so it must not promise either.
    // Each handler's effects are durable (flushed) before its reply goes back.
    this.handlers = {
      RequestVote: (args: RequestVoteArgs): RequestVoteReply => {
        if (this.killed) return { term: this.core.currentTerm, voteGranted: false };
        const reply = this.core.onRequestVote(args);
        this.flush();
        return reply;
      },
      AppendEntries: (args: AppendEntriesArgs): AppendEntriesReply => {
        if (this.killed) return { term: this.core.currentTerm, success: false, conflictTerm: -1, conflictIndex: 0 };
        const reply = this.core.onAppendEntries(args);
        this.flush();
        return reply;
      },
      InstallSnapshot: (args: InstallSnapshotArgs): InstallSnapshotReply => {
        if (this.killed) return { term: this.core.currentTerm };
        const reply = this.core.onInstallSnapshot(args);
        this.flush();
        return reply;
      },
    };
    this.armElectionTimer();
  }

  start(command: unknown): StartResult {
    if (this.killed) return { index: -1, term: this.core.currentTerm, isLeader: false };
    const result = this.core.propose(command);
    this.flush();
    return result;
  }

  getState(): RaftState {
    return { term: this.core.currentTerm, isLeader: this.core.isLeader };
  }

  /** Called by the service, usually from inside `apply`; the compaction is saved before this returns. */
  snapshot(index: number, snapshot: Uint8Array): void {
    if (this.killed) return;
    this.core.snapshot(index, snapshot.slice());
    this.flush();
  }

  /** Only snapshots that move the service forward are handed over, so each may be installed, as the lab advises. */
  condInstallSnapshot(): boolean {
    return true;
  }

  inspect(): RaftView {
    return this.core.view(this.lastApplied);
  }

  kill(): void {
    this.killed = true;
    this.electionTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.replicateTimer?.cancel();
    // Nothing reads the log of a killed peer; its state lives on in the persister.
    this.core.discardLog();
  }

  private flush(): void {
    if (this.killed) return;
    // Every field is read before the Ready goes back to the core to be filled
    // again: nothing below, a flush from inside apply included, sees it change.
    const ready = this.core.takeReady();
    const { persist, persistSnapshot, messages, committed, resetElectionTimer, replicate } = ready;
    this.core.releaseReady(ready);
    if (persist) {
      const state = this.encoder.encode(this.core.persistentState());
      if (persistSnapshot) this.o.persister.save(state, this.core.snapshotBytes);
      else this.o.persister.save(state);
      if (this.o.log.traceOn) {
        const snapshot = persistSnapshot ? ` and a ${this.core.snapshotBytes.length}-byte snapshot` : '';
        this.o.log.trace('PERS', this.o.me, `saved term ${this.core.currentTerm}, ${state.length} bytes${snapshot}`);
      }
    }
    // Indexes, not for-of: an empty list is the core's shared frozen array, and
    // iterating arrays of two element kinds makes V8 allocate an iterator.
    for (let k = 0; k < messages.length; k++) this.send(messages[k]!);
    if (resetElectionTimer) this.armElectionTimer();
    if (replicate) this.scheduleReplicate();
    this.syncHeartbeat();
    // The service may call snapshot() from inside apply; that flushes on its
    // own, and this loop goes on with the commands it already holds.
    for (let k = 0; k < committed.length; k++) {
      const c = committed[k]!;
      if (this.killed) return;
      this.lastApplied = c.index;
      if (c.kind === 'command') {
        this.o.apply({ commandValid: true, command: c.command, commandIndex: c.index });
      } else {
        this.o.apply({
          commandValid: false,
          command: undefined,
          commandIndex: 0,
          snapshotValid: true,
          snapshot: c.data,
          snapshotTerm: c.term,
          snapshotIndex: c.index,
        });
      }
    }
  }

  /**
   * Sends a message; its reply comes back to `onReply` with the message as
   * the call's context, where the end offers `callWith`.
   */
  private send(message: Outbound): void {
    const end = this.o.peers[message.to]!;
    if (end.callWith !== undefined) end.callWith(message.method, message.args, this.onReply, message);
    // An end with only the lab's call: a closure for this call.
    else end.call(message.method, message.args, (reply) => this.onReply(reply, message));
  }

  /** Every reply, made once per peer rather than a closure per call: a closure per RPC is garbage on every message. */
  private readonly onReply = (reply: unknown, message: Outbound): void => {
    if (this.killed) return;
    switch (message.method) {
      case 'RequestVote':
        // A vote lost on the way changes nothing.
        if (reply === undefined) return;
        this.core.onRequestVoteReply(message.to, message.args, reply as RequestVoteReply);
        break;
      case 'InstallSnapshot':
        if (reply === undefined) this.core.onInstallSnapshotLost(message.to, message.args);
        else this.core.onInstallSnapshotReply(message.to, message.args, reply as InstallSnapshotReply);
        break;
      default:
        if (reply === undefined) this.core.onAppendEntriesLost(message.to, message.args);
        else this.core.onAppendEntriesReply(message.to, message.args, reply as AppendEntriesReply);
    }
    this.flush();
  };

  // The timers' callbacks are made once per peer, not once per timer: a
  // follower re-arms its election timer on every heartbeat.
  private readonly onElectionTimeout = (): void => {
    if (this.o.log.traceOn) this.o.log.trace('TIMR', this.o.me, `election timer fired after ${this.electionTimeoutMs} ms`);
    // Re-arm first: a leader ignores the expiry but must time out again
    // once it steps down.
    this.armElectionTimer();
    this.core.electionTimeout();
    this.flush();
  };

  private readonly onReplicate = (): void => {
    this.replicateTimer = undefined;
    this.core.replicate();
    this.flush();
  };

  private readonly onHeartbeat = (): void => {
    this.heartbeatTimer = undefined;
    this.core.heartbeatTimeout();
    this.flush();
  };

  private armElectionTimer(): void {
    this.electionTimer?.cancel();
    this.electionTimeoutMs = ELECTION_TIMEOUT_MS_MIN + this.o.random.int(ELECTION_TIMEOUT_MS_SPREAD);
    this.electionTimer = this.o.clock.setTimer(this.electionTimeoutMs, this.onElectionTimeout);
  }

  /** Entries that accumulate within one batch window go out together. */
  private scheduleReplicate(): void {
    if (this.replicateTimer !== undefined) return;
    this.replicateTimer = this.o.clock.setTimer(REPLICATE_BATCH_MS, this.onReplicate);
  }

  private syncHeartbeat(): void {
    if (this.core.isLeader && this.heartbeatTimer === undefined) {
      // The flush after each beat arms the next one while this peer leads.
      this.heartbeatTimer = this.o.clock.setTimer(HEARTBEAT_INTERVAL_MS, this.onHeartbeat);
    } else if (!this.core.isLeader && this.heartbeatTimer !== undefined) {
      this.heartbeatTimer.cancel();
      this.heartbeatTimer = undefined;
    }
  }
}

/** The reference Raft, as a factory behind the lab interface. */
export const reference: RaftFactory = {
  make: (options) => new Peer(options),
};
