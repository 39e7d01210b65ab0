import { describe, expect, it } from 'vitest';
import { Persister } from '../../src/harness/persister.js';
import type { HardState } from '../../src/raft/core.js';
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  RequestVoteArgs,
  RequestVoteReply,
} from '../../src/raft/messages.js';
import { ELECTION_TIMEOUT_MS_MIN, ELECTION_TIMEOUT_MS_SPREAD, reference } from '../../src/raft/peer.js';
import { decodeHardState } from '../../src/raft/persist.js';
import type { ApplyMsg, PeerEnd, RaftPeer } from '../../src/raft/types.js';
import { makeRandom } from '../../src/sim/random.js';
import { SimClock } from '../../src/sim/sim-clock.js';
import { captureLog, drain, wire } from '../sim/helpers.js';
import { appendArgs, entries, hardState, ok } from './helpers.js';

/** The harness's persister, noting each save in the shared event trace. */
class RecordingPersister extends Persister {
  saves = 0;
  constructor(
    private readonly events: string[],
    saved?: Uint8Array,
    savedSnapshot?: Uint8Array,
  ) {
    super();
    if (saved !== undefined) super.save(saved, savedSnapshot);
  }

  override save(raftState: Uint8Array, snapshot?: Uint8Array): void {
    super.save(raftState, snapshot);
    this.saves++;
    this.events.push(snapshot === undefined ? 'save' : 'save with snapshot');
  }

  hard(): HardState | undefined {
    return decodeHardState(this.readRaftState());
  }
}

interface Sent {
  to: number;
  method: string;
  args: unknown;
  reply: (reply: unknown) => void;
  /** What the persister held when the message left: it must already cover the message. */
  savedAtSend: HardState | undefined;
}

/** One peer on a bare SimClock, with ends that only record what is sent; the test plays the network. */
class Fixture {
  readonly clock = new SimClock();
  readonly events: string[] = [];
  readonly sent: Sent[] = [];
  readonly applied: ApplyMsg[] = [];
  readonly persister: RecordingPersister;
  readonly peer: RaftPeer;
  /** Runs inside apply, after the message is recorded: the service's reaction, e.g. a snapshot. */
  onApply: (msg: ApplyMsg) => void = () => {};

  constructor(
    readonly me = 0,
    readonly n = 3,
    saved?: Uint8Array,
    seed = 1,
    savedSnapshot?: Uint8Array,
    /** Ends that offer callWith, as the harness's do, rather than only the lab's call. */
    withContext = false,
  ) {
    this.persister = new RecordingPersister(this.events, saved, savedSnapshot);
    const record = (to: number, method: string, args: unknown, reply: (reply: unknown) => void) => {
      expect(to, 'a peer never calls itself').not.toBe(me);
      this.events.push(`send ${method} S${to}`);
      this.sent.push({ to, method, args: wire(args), reply, savedAtSend: this.persister.hard() });
    };
    const peers: PeerEnd[] = Array.from({ length: n }, (_, to) =>
      withContext
        ? {
            call: () => expect.fail('an end that offers callWith is called through it'),
            // The reply comes with the call's context, as the network hands it back.
            callWith: (method, args, onReply, context) => record(to, method, args, (reply) => onReply(reply, context)),
          }
        : { call: (method, args, onReply) => record(to, method, args, onReply) },
    );
    this.peer = reference.make({
      peers,
      me,
      persister: this.persister,
      apply: (msg) => {
        this.events.push(msg.snapshotValid === true ? `apply snapshot ${msg.snapshotIndex}` : `apply ${msg.commandIndex}`);
        this.applied.push(msg);
        this.onApply(msg);
      },
      clock: this.clock,
      random: makeRandom(seed),
      log: captureLog(this.clock, 'trace'),
    });
  }

  vote(args: RequestVoteArgs): RequestVoteReply {
    return (this.peer.handlers.RequestVote as (a: RequestVoteArgs) => RequestVoteReply)(wire(args));
  }

  append(args: AppendEntriesArgs): AppendEntriesReply {
    return (this.peer.handlers.AppendEntries as (a: AppendEntriesArgs) => AppendEntriesReply)(wire(args));
  }

  installSnapshot(args: InstallSnapshotArgs): InstallSnapshotReply {
    return (this.peer.handlers.InstallSnapshot as (a: InstallSnapshotArgs) => InstallSnapshotReply)(wire(args));
  }

  /** Runs events until `count` more messages have been sent, or `limitMs` of virtual time pass. */
  runUntilSent(count: number, limitMs = 5000): Sent[] {
    const from = this.sent.length;
    const deadline = this.clock.now() + limitMs;
    while (this.sent.length < from + count) {
      const next = this.clock.nextEventTime();
      if (next === undefined || next > deadline) break;
      this.clock.runNext();
    }
    return this.sent.slice(from);
  }

  /** Times out, wins the votes of every other peer, and returns the first heartbeats. */
  becomeLeader(): Sent[] {
    const requests = this.runUntilSent(this.n - 1);
    const before = this.sent.length;
    for (const r of requests) r.reply({ term: (r.args as RequestVoteArgs).term, voteGranted: true });
    expect(this.peer.getState().isLeader).toBe(true);
    return this.sent.slice(before);
  }

  /** Runs until an AppendEntries carrying entries goes to `to`. */
  nextEntriesTo(to: number): Sent {
    for (let i = 0; i < 100; i++) {
      const [s] = this.runUntilSent(1);
      if (s === undefined) break;
      if (s.to === to && s.method === 'AppendEntries' && (s.args as AppendEntriesArgs).entries.length > 0) return s;
    }
    throw new Error(`no entries sent to S${to}`);
  }
}

describe('reference peer (adapter)', () => {
  it('times out within the election window, saving its vote before it asks for any', () => {
    const f = new Fixture(1, 3);
    const requests = f.runUntilSent(2);
    expect(f.clock.now()).toBeGreaterThanOrEqual(ELECTION_TIMEOUT_MS_MIN);
    expect(f.clock.now()).toBeLessThan(ELECTION_TIMEOUT_MS_MIN + ELECTION_TIMEOUT_MS_SPREAD);
    expect(f.events).toEqual(['save', 'send RequestVote S0', 'send RequestVote S2']);
    expect(f.persister.hard()).toMatchObject({ term: 1, votedFor: 1 });
    expect(requests.map((r) => r.args)).toEqual([0, 2].map(() => ({ term: 1, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 })));
    expect(requests.map((r) => r.savedAtSend?.votedFor)).toEqual([1, 1]);
  });

  it('a granted vote is saved before the handler returns its reply', () => {
    const f = new Fixture();
    const reply = f.vote({ term: 3, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 });
    expect(reply).toEqual({ term: 3, voteGranted: true });
    expect(f.persister.saves).toBe(1);
    expect(f.persister.hard()).toMatchObject({ term: 3, votedFor: 1 });
  });

  it('accepted entries are saved before the handler returns its reply, and applied once committed', () => {
    const f = new Fixture();
    const reply = f.append(appendArgs({ term: 2, leaderId: 1, entries: entries([2, 2]), leaderCommit: 1 }));
    expect(reply.success).toBe(true);
    expect(f.events).toEqual(['save', 'apply 1']);
    expect(f.persister.hard()).toEqual(hardState(2, [2, 2]));
    expect(f.applied).toEqual([{ commandValid: true, command: 'c1', commandIndex: 1 }]);
  });

  it('a heartbeat that changes nothing is not saved', () => {
    const f = new Fixture();
    f.append(appendArgs({ term: 2, leaderId: 1, entries: entries([2]) }));
    const saves = f.persister.saves;
    f.append(appendArgs({ term: 2, leaderId: 1, prevLogIndex: 1, prevLogTerm: 2 }));
    expect(f.persister.saves).toBe(saves);
  });

  it('as leader: proposals are saved, then sent, then applied in order once a majority holds them', () => {
    const f = new Fixture(0, 3);
    const heartbeats = f.becomeLeader();
    expect(heartbeats.map((h) => [h.to, h.method])).toEqual([
      [1, 'AppendEntries'],
      [2, 'AppendEntries'],
    ]);
    expect(f.peer.start('x')).toEqual({ index: 1, term: 1, isLeader: true });
    expect(f.peer.start('y')).toEqual({ index: 2, term: 1, isLeader: true });
    const send = f.nextEntriesTo(1);
    expect((send.args as AppendEntriesArgs).entries.map((e) => e.command)).toEqual(['x', 'y']);
    expect(send.savedAtSend?.entries).toEqual([
      { term: 1, command: 'x' },
      { term: 1, command: 'y' },
    ]);
    expect(f.applied).toEqual([]);
    send.reply(ok());
    expect(f.applied).toEqual([
      { commandValid: true, command: 'x', commandIndex: 1 },
      { commandValid: true, command: 'y', commandIndex: 2 },
    ]);
  });

  it('after kill it sends nothing, saves nothing and applies nothing', () => {
    const f = new Fixture(0, 3);
    f.becomeLeader();
    f.peer.start('x');
    const send = f.nextEntriesTo(1);
    const sentBefore = f.sent.length;
    const savesBefore = f.persister.saves;
    f.peer.kill();
    // A reply that would commit 'x' arrives after the kill.
    send.reply(ok());
    expect(f.peer.start('y')).toMatchObject({ index: -1, isLeader: false });
    // Every timer of the peer is gone: the clock runs dry.
    expect(drain(f.clock)).toBe(0);
    f.vote({ term: 9, candidateId: 2, lastLogIndex: 5, lastLogTerm: 5 });
    expect(f.sent.length).toBe(sentBefore);
    expect(f.persister.saves).toBe(savesBefore);
    expect(f.applied).toEqual([]);
  });

  it('sends through callWith where the ends offer it, and its replies count as through call', () => {
    const f = new Fixture(0, 3, undefined, 1, undefined, true);
    // The votes' replies come back through callWith too.
    f.becomeLeader();
    expect(f.peer.start('x')).toEqual({ index: 1, term: 1, isLeader: true });
    f.nextEntriesTo(1).reply(ok());
    expect(f.applied).toEqual([{ commandValid: true, command: 'x', commandIndex: 1 }]);
  });

  it('a killed peer lets go of its log and keeps its term', () => {
    const f = new Fixture();
    f.append(appendArgs({ term: 2, leaderId: 1, entries: entries([2, 2]), leaderCommit: 1 }));
    f.peer.kill();
    expect(f.peer.inspect!().lastIndex).toBe(0);
    expect(f.peer.getState()).toEqual({ term: 2, isLeader: false });
    expect(f.append(appendArgs({ term: 2, leaderId: 1, prevLogIndex: 2, prevLogTerm: 2 })).term).toBe(2);
  });

  it('a follower, once killed, never times out into an election', () => {
    const f = new Fixture(2, 3);
    f.peer.kill();
    f.clock.setTimer(10_000, () => {});
    drain(f.clock);
    expect(f.sent).toEqual([]);
    expect(f.persister.saves).toBe(0);
  });

  // After kill() the peer can no longer make anything durable, so its
  // handlers refuse rather than promise what was never saved.
  it('a killed peer refuses votes and entries it could not save', () => {
    const f = new Fixture(0, 3);
    f.peer.kill();
    expect(f.vote({ term: 4, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 }).voteGranted).toBe(false);
    expect(f.append(appendArgs({ term: 4, leaderId: 1, entries: entries([4]) })).success).toBe(false);
    expect(f.persister.saves).toBe(0);
  });

  it('a restarted peer has the same term, vote and log', () => {
    const first = new Fixture(0, 3);
    first.vote({ term: 3, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 });
    first.append(appendArgs({ term: 3, leaderId: 1, entries: entries([1, 3, 3]) }));
    first.peer.kill();

    const restarted = new Fixture(0, 3, first.persister.readRaftState(), 2);
    expect(restarted.peer.getState()).toEqual({ term: 3, isLeader: false });
    // The vote for S1 in term 3 survived: S2 cannot have it, S1 may ask again.
    expect(restarted.vote({ term: 3, candidateId: 2, lastLogIndex: 9, lastLogTerm: 3 }).voteGranted).toBe(false);
    expect(restarted.vote({ term: 3, candidateId: 1, lastLogIndex: 3, lastLogTerm: 3 }).voteGranted).toBe(true);
    // The log survived: a request that builds on index 3 fits, and commits what was there.
    const reply = restarted.append(appendArgs({ term: 3, leaderId: 1, prevLogIndex: 3, prevLogTerm: 3, entries: entries([3], 'c', 4), leaderCommit: 4 }));
    expect(reply.success).toBe(true);
    expect(restarted.applied.map((m) => m.command)).toEqual(['c1', 'c2', 'c3', 'c4']);
    // And what it saves next is the old state plus the new entry.
    expect(restarted.persister.hard()).toEqual(hardState(3, [1, 3, 3, 3], 1));

    // A peer that lost its state could not have accepted that request.
    const amnesiac = new Fixture(0, 3);
    expect(amnesiac.append(appendArgs({ term: 3, leaderId: 1, prevLogIndex: 3, prevLogTerm: 3 }))).toMatchObject({ success: false, conflictIndex: 1 });
  });

  it('one seed, one schedule: two peers built alike time out at the same instant', () => {
    const times = [1, 1, 2].map((seed) => {
      const f = new Fixture(0, 3, undefined, seed);
      f.runUntilSent(1);
      return f.clock.now();
    });
    expect(times[1]).toBe(times[0]);
    expect(times[2]).not.toBe(times[0]);
  });
});

describe('reference peer (adapter), part 2D', () => {
  const SNAP = new Uint8Array([7, 7, 7]);

  it('a snapshot the service takes inside apply is saved with the state before apply returns, and applying goes on', () => {
    const f = new Fixture();
    f.onApply = (msg) => {
      if (msg.commandIndex === 2) {
        f.peer.snapshot(2, SNAP);
        f.events.push('snapshot returned');
      }
    };
    f.append(appendArgs({ term: 2, leaderId: 1, entries: entries([2, 2, 2]), leaderCommit: 3 }));
    expect(f.events).toEqual(['save', 'apply 1', 'apply 2', 'save with snapshot', 'snapshot returned', 'apply 3']);
    expect(f.persister.hard()).toEqual({ term: 2, votedFor: -1, snapshotIndex: 2, snapshotTerm: 2, entries: entries([2], 'c', 3) });
    expect(f.persister.readSnapshot()).toEqual(SNAP);
  });

  it('an installed snapshot is saved before the reply and handed to the service as a snapshot message', () => {
    const f = new Fixture();
    const reply = f.installSnapshot({ term: 4, leaderId: 2, lastIncludedIndex: 20, lastIncludedTerm: 3, data: SNAP });
    expect(reply).toEqual({ term: 4 });
    expect(f.events).toEqual(['save with snapshot', 'apply snapshot 20']);
    expect(f.applied).toEqual([
      { commandValid: false, command: undefined, commandIndex: 0, snapshotValid: true, snapshot: SNAP, snapshotTerm: 3, snapshotIndex: 20 },
    ]);
    expect(f.peer.condInstallSnapshot?.(3, 20, SNAP)).toBe(true);
    expect(f.peer.inspect?.()).toMatchObject({ snapshotIndex: 20, snapshotTerm: 3, commitIndex: 20, lastApplied: 20, lastIndex: 20 });
  });

  it('restarts from its snapshot: it does not hand it over again, and applies from just after it', () => {
    const first = new Fixture();
    first.installSnapshot({ term: 4, leaderId: 2, lastIncludedIndex: 20, lastIncludedTerm: 3, data: SNAP });
    first.append(appendArgs({ term: 4, leaderId: 2, prevLogIndex: 20, prevLogTerm: 3, entries: entries([4], 'c', 21) }));
    first.peer.kill();

    const restarted = new Fixture(0, 3, first.persister.readRaftState(), 2, first.persister.readSnapshot());
    expect(restarted.peer.inspect?.()).toMatchObject({ snapshotIndex: 20, commitIndex: 20, lastApplied: 20, lastIndex: 21 });
    restarted.append(appendArgs({ term: 4, leaderId: 2, prevLogIndex: 21, prevLogTerm: 4, leaderCommit: 21 }));
    expect(restarted.applied).toEqual([{ commandValid: true, command: 'c21', commandIndex: 21 }]);
  });

  it('as leader: a follower that needs compacted entries gets the snapshot, then the rest', () => {
    const f = new Fixture(0, 3);
    f.onApply = (msg) => {
      if (msg.commandIndex === 2) f.peer.snapshot(2, SNAP);
    };
    f.becomeLeader();
    f.peer.start('x');
    f.peer.start('y');
    f.peer.start('z');
    f.nextEntriesTo(1).reply(ok());
    expect(f.applied.map((m) => m.commandIndex)).toEqual([1, 2, 3]);
    // S2 answers a heartbeat: its log is empty.
    let toS2: Sent | undefined;
    for (let i = 0; i < 20 && toS2 === undefined; i++) toS2 = f.runUntilSent(1).find((s) => s.to === 2);
    toS2!.reply({ term: 1, success: false, conflictTerm: -1, conflictIndex: 1 });
    const snapshot = f.runUntilSent(5).find((s) => s.to === 2 && s.method === 'InstallSnapshot')!;
    expect(snapshot.args).toEqual({ term: 1, leaderId: 0, lastIncludedIndex: 2, lastIncludedTerm: 1, data: SNAP });
    snapshot.reply({ term: 1 });
    expect(f.nextEntriesTo(2).args).toMatchObject({ prevLogIndex: 2, prevLogTerm: 1, entries: [{ term: 1, command: 'z' }] });
  });

  it('a killed peer ignores snapshot() and refuses InstallSnapshot', () => {
    const f = new Fixture();
    f.append(appendArgs({ term: 2, leaderId: 1, entries: entries([2, 2]), leaderCommit: 2 }));
    const saves = f.persister.saves;
    f.peer.kill();
    f.peer.snapshot(2, SNAP);
    f.installSnapshot({ term: 9, leaderId: 2, lastIncludedIndex: 20, lastIncludedTerm: 3, data: SNAP });
    expect(f.persister.saves).toBe(saves);
    expect(f.persister.snapshotSize()).toBe(0);
    expect(f.applied).toHaveLength(2);
  });
});
