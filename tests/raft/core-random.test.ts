import { describe, expect, it } from 'vitest';
import { RaftCore } from '../../src/raft/core.js';
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  Entry,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  RequestVoteArgs,
  RequestVoteReply,
} from '../../src/raft/messages.js';
import { decodeHardState, HardStateEncoder } from '../../src/raft/persist.js';
import { decode, encode } from '../../src/sim/codec.js';
import { makeRandom, type Random } from '../../src/sim/random.js';
import { SimClock } from '../../src/sim/sim-clock.js';
import { captureLog, wire } from '../sim/helpers.js';

/**
 * Raft's safety properties under chaos: cores exchange messages through a
 * pool that delivers in random order, loses, duplicates, and crashes and
 * restarts peers from what they persisted. Timers are random inputs; with
 * snapshots on, each peer's service also snapshots what it has applied at
 * random. After every step the cluster is checked against Figure 3 of the
 * Raft paper; at the end the network heals and every peer must converge.
 */

type Flight =
  | { kind: 'vote'; from: number; to: number; incarnation: number; args: RequestVoteArgs }
  | { kind: 'voteReply'; from: number; to: number; incarnation: number; args: RequestVoteArgs; reply: RequestVoteReply }
  | { kind: 'append'; from: number; to: number; incarnation: number; args: AppendEntriesArgs }
  | { kind: 'appendReply'; from: number; to: number; incarnation: number; args: AppendEntriesArgs; reply: AppendEntriesReply }
  | { kind: 'snap'; from: number; to: number; incarnation: number; args: InstallSnapshotArgs }
  | { kind: 'snapReply'; from: number; to: number; incarnation: number; args: InstallSnapshotArgs; reply: InstallSnapshotReply };

/** The entry at `index` of a core's log, or undefined where it is compacted or past the end. */
function heldEntry(core: RaftCore, index: number): Entry | undefined {
  return index > core.snapshotIndex && index <= core.lastLogIndex ? core.view(0).entry(index) : undefined;
}

/** A cheap assertion for the hot path; vitest's expect costs too much per step. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

class Cluster {
  readonly cores: RaftCore[];
  private readonly saved: Uint8Array[];
  private readonly savedSnapshots: Uint8Array[];
  private readonly encoders: HardStateEncoder[];
  /** Per peer: the last index handed out as committed since its last restart. */
  private readonly applied: number[];
  /** Per peer: its service's state, the commands applied at indexes 1, 2, … (index 0 unused). */
  private readonly services: unknown[][];
  /** Per peer: bumped on restart, so replies to the old incarnation are discarded (as labrpc does). */
  private readonly incarnations: number[];
  flights: Flight[] = [];
  /** index → the command committed there, and the highest term in which someone knew it committed. */
  readonly committed = new Map<number, { command: unknown; term: number; knownInTerm: number }>();
  private readonly leaders = new Map<number, number>();
  proposals = 0;
  snapshotsInstalled = 0;

  constructor(readonly n: number) {
    this.cores = Array.from({ length: n }, (_, id) => this.boot(id));
    this.saved = Array.from({ length: n }, () => new Uint8Array(0));
    this.savedSnapshots = Array.from({ length: n }, () => new Uint8Array(0));
    this.encoders = Array.from({ length: n }, () => new HardStateEncoder());
    this.applied = new Array<number>(n).fill(0);
    this.services = Array.from({ length: n }, () => [undefined]);
    this.incarnations = new Array<number>(n).fill(0);
  }

  private boot(id: number, bytes: Uint8Array = new Uint8Array(0), snapshot?: Uint8Array): RaftCore {
    return new RaftCore({ id, peerCount: this.n, log: captureLog(new SimClock(), 'none'), restored: decodeHardState(bytes), snapshot });
  }

  restart(id: number): void {
    const core = this.boot(id, this.saved[id], this.savedSnapshots[id]);
    this.cores[id] = core;
    this.encoders[id] = new HardStateEncoder();
    // The service comes back from the saved snapshot, as config.go's start1 has it.
    this.services[id] = core.snapshotIndex > 0 ? (decode(this.savedSnapshots[id]!) as unknown[]) : [undefined];
    this.applied[id] = core.snapshotIndex;
    this.incarnations[id]!++;
  }

  /** The service of peer `id` snapshots everything it has applied. */
  snapshot(id: number): void {
    const core = this.cores[id]!;
    const index = this.applied[id]!;
    if (index <= core.snapshotIndex) return;
    core.snapshot(index, encode(this.services[id]!.slice(0, index + 1)));
    this.flush(id);
  }

  /** Carries out a core's Ready: persist first, then send, then check what it committed. */
  flush(id: number): void {
    const core = this.cores[id]!;
    const ready = core.takeReady();
    if (ready.persist) {
      this.saved[id] = this.encoders[id]!.encode(core.persistentState()).slice();
      if (ready.persistSnapshot) this.savedSnapshots[id] = core.snapshotBytes.slice();
    }
    check(core.snapshotIndex <= core.commit, `S${id}'s snapshot covers ${core.snapshotIndex}, past its commit index ${core.commit}`);
    for (const m of ready.messages) {
      const base = { from: id, to: m.to, incarnation: this.incarnations[id]! };
      if (m.method === 'RequestVote') this.flights.push({ kind: 'vote', ...base, args: wire(m.args) });
      else if (m.method === 'AppendEntries') this.flights.push({ kind: 'append', ...base, args: wire(m.args) });
      else this.flights.push({ kind: 'snap', ...base, args: wire(m.args) });
    }
    for (const c of ready.committed) {
      if (c.kind === 'snapshot') {
        this.installed(id, c.index, c.term, c.data);
        continue;
      }
      check(c.index === this.applied[id]! + 1, `S${id} commits index ${c.index} after ${this.applied[id]}`);
      this.applied[id] = c.index;
      this.services[id]![c.index] = c.command;
      const known = this.committed.get(c.index);
      if (known === undefined) {
        const entry = heldEntry(core, c.index)!;
        this.committed.set(c.index, { command: c.command, term: entry.term, knownInTerm: core.currentTerm });
      } else {
        check(c.command === known.command, `state machine safety: S${id} commits ${String(c.command)} at ${c.index}, not ${String(known.command)}`);
        known.knownInTerm = Math.max(known.knownInTerm, core.currentTerm);
      }
    }
    if (core.isLeader && this.leaders.get(core.currentTerm) !== core.id) this.checkNewLeader(core);
  }

  /** A snapshot handed to peer `id`'s service: it must move it forward, and hold what was committed. */
  private installed(id: number, index: number, term: number, data: Uint8Array): void {
    check(index > this.applied[id]!, `S${id} installs a snapshot through ${index} after applying ${this.applied[id]}`);
    const state = decode(data) as unknown[];
    check(state.length === index + 1, `S${id}'s snapshot through ${index} holds ${state.length - 1} commands`);
    for (let i = 1; i <= index; i++) {
      const known = this.committed.get(i);
      check(known !== undefined && known.command === state[i], `S${id}'s snapshot holds ${String(state[i])} at ${i}, where ${String(known?.command)} committed`);
    }
    check(this.committed.get(index)!.term === term, `S${id}'s snapshot ends in term ${term}, not ${this.committed.get(index)!.term}`);
    this.services[id] = state;
    this.applied[id] = index;
    this.snapshotsInstalled++;
  }

  private checkNewLeader(core: RaftCore): void {
    const other = this.leaders.get(core.currentTerm);
    check(other === undefined, `election safety: S${other} and S${core.id} both lead term ${core.currentTerm}`);
    this.leaders.set(core.currentTerm, core.id);
    // Leader completeness: a leader of a later term holds every entry known
    // committed before it, in its log or (all committed) in its snapshot.
    for (const [index, c] of this.committed) {
      if (core.currentTerm <= c.knownInTerm || index <= core.snapshotIndex) continue;
      const entry = heldEntry(core, index);
      check(entry?.term === c.term && entry.command === c.command, `S${core.id} leads term ${core.currentTerm} without committed index ${index}`);
    }
  }

  /** Delivers (or loses) one message; a reply goes back into the pool. */
  deliver(flight: Flight, lose: boolean): void {
    if (flight.kind === 'voteReply' || flight.kind === 'appendReply' || flight.kind === 'snapReply') {
      // The reply belongs to the incarnation that sent the request.
      if (flight.incarnation !== this.incarnations[flight.to]) return;
    }
    if (lose) {
      if (flight.kind === 'append') this.lost(flight.from, flight.to, flight.args, flight.incarnation);
      if (flight.kind === 'appendReply') this.lost(flight.to, flight.from, flight.args, flight.incarnation);
      if (flight.kind === 'snap') this.snapshotLost(flight.from, flight.to, flight.args, flight.incarnation);
      if (flight.kind === 'snapReply') this.snapshotLost(flight.to, flight.from, flight.args, flight.incarnation);
      return;
    }
    const core = this.cores[flight.to]!;
    switch (flight.kind) {
      case 'vote': {
        const reply = wire(core.onRequestVote(flight.args));
        this.flush(flight.to);
        this.flights.push({ kind: 'voteReply', from: flight.to, to: flight.from, incarnation: flight.incarnation, args: flight.args, reply });
        return;
      }
      case 'append': {
        const reply = wire(core.onAppendEntries(flight.args));
        this.flush(flight.to);
        this.flights.push({ kind: 'appendReply', from: flight.to, to: flight.from, incarnation: flight.incarnation, args: flight.args, reply });
        return;
      }
      case 'snap': {
        const reply = wire(core.onInstallSnapshot(flight.args));
        this.flush(flight.to);
        this.flights.push({ kind: 'snapReply', from: flight.to, to: flight.from, incarnation: flight.incarnation, args: flight.args, reply });
        return;
      }
      case 'snapReply':
        core.onInstallSnapshotReply(flight.from, flight.args, flight.reply);
        break;
      case 'voteReply':
        core.onRequestVoteReply(flight.from, flight.args, flight.reply);
        break;
      case 'appendReply':
        core.onAppendEntriesReply(flight.from, flight.args, flight.reply);
        break;
    }
    this.flush(flight.to);
  }

  private lost(sender: number, to: number, args: AppendEntriesArgs, incarnation: number): void {
    if (incarnation !== this.incarnations[sender]) return;
    this.cores[sender]!.onAppendEntriesLost(to, args);
    this.flush(sender);
  }

  private snapshotLost(sender: number, to: number, args: InstallSnapshotArgs, incarnation: number): void {
    if (incarnation !== this.incarnations[sender]) return;
    this.cores[sender]!.onInstallSnapshotLost(to, args);
    this.flush(sender);
  }

  leaderIds(): number[] {
    return this.cores.filter((c) => c.isLeader).map((c) => c.id);
  }

  propose(id: number): void {
    const result = this.cores[id]!.propose(`cmd${this.proposals++}`);
    check(result.isLeader && result.index === this.cores[id]!.lastLogIndex, `S${id} proposes at ${result.index}`);
    this.flush(id);
  }

  tick(id: number, what: 'election' | 'heartbeat' | 'replicate'): void {
    const core = this.cores[id]!;
    if (what === 'election') core.electionTimeout();
    else if (what === 'heartbeat') core.heartbeatTimeout();
    else core.replicate();
    this.flush(id);
  }

  /**
   * Log matching: two logs with an entry of the same index and term agree
   * on everything up to it (over the entries both still hold).
   */
  checkLogMatching(): void {
    for (let a = 0; a < this.n; a++) {
      for (let b = a + 1; b < this.n; b++) {
        const ca = this.cores[a]!;
        const cb = this.cores[b]!;
        const first = Math.max(ca.snapshotIndex, cb.snapshotIndex) + 1;
        let i = Math.min(ca.lastLogIndex, cb.lastLogIndex);
        while (i >= first && heldEntry(ca, i)!.term !== heldEntry(cb, i)!.term) i--;
        for (let k = first; k <= i; k++) {
          const ea = heldEntry(ca, k)!;
          const eb = heldEntry(cb, k)!;
          if (ea.term !== eb.term || ea.command !== eb.command) expect(ea, `log matching S${a} / S${b} at ${k}, up to ${i}`).toEqual(eb);
        }
      }
    }
  }

  /** Every service holds the same commands, those committed. */
  checkServicesAgree(upTo: number): void {
    for (let id = 0; id < this.n; id++) {
      expect(this.applied[id], `S${id} applied`).toBe(upTo);
      for (let i = 1; i <= upTo; i++) expect(this.services[id]![i], `S${id} at ${i}`).toBe(this.committed.get(i)!.command);
    }
  }
}

function chaos(cluster: Cluster, random: Random, steps: number, snapshots: boolean): void {
  for (let step = 0; step < steps; step++) {
    const roll = random.int(1000);
    if (snapshots && roll >= 990) {
      cluster.snapshot(random.int(cluster.n));
    } else if (roll < 15) {
      cluster.tick(random.int(cluster.n), 'election');
    } else if (roll < 80) {
      for (const id of cluster.leaderIds()) cluster.tick(id, 'heartbeat');
    } else if (roll < 130) {
      const leaders = cluster.leaderIds();
      if (leaders.length > 0) cluster.propose(leaders[random.int(leaders.length)]!);
    } else if (roll < 180) {
      for (const id of cluster.leaderIds()) cluster.tick(id, 'replicate');
    } else if (roll < 183) {
      cluster.restart(random.int(cluster.n));
    } else if (cluster.flights.length > 0) {
      // Any message in the pool may go next: arbitrary reordering.
      const i = random.int(cluster.flights.length);
      const flight = cluster.flights[i]!;
      const duplicate = random.int(100) < 3;
      if (!duplicate) cluster.flights.splice(i, 1);
      cluster.deliver(flight, random.int(100) < 10);
    }
    if (step % 500 === 0) cluster.checkLogMatching();
  }
}

/** A perfect network until every peer holds the leader's log and has committed all of it. */
function heal(cluster: Cluster): void {
  for (let round = 0; round < 200; round++) {
    while (cluster.flights.length > 0) cluster.deliver(cluster.flights.shift()!, false);
    const leaders = cluster.leaderIds();
    const top = Math.max(...cluster.cores.map((c) => c.currentTerm));
    const leader = leaders.map((id) => cluster.cores[id]!).find((c) => c.currentTerm === top);
    if (leader === undefined) {
      cluster.tick(round % cluster.n, 'election');
      continue;
    }
    const converged = cluster.cores.every(
      (c) => c.commit === leader.lastLogIndex && c.currentTerm === leader.currentTerm && c.lastLogIndex === leader.lastLogIndex,
    );
    if (converged && leader.commit > 0) return;
    // A fresh proposal in the leader's term lets older entries commit (Figure 8).
    if (round % 10 === 0) cluster.propose(leader.id);
    cluster.tick(leader.id, 'heartbeat');
    cluster.tick(leader.id, 'replicate');
  }
  throw new Error('the cluster did not converge on a perfect network');
}

describe('RaftCore under random loss, reordering, duplication and restarts', () => {
  it.each([
    [3, 1, false],
    [3, 2, false],
    [5, 3, false],
    [5, 4, false],
    [7, 5, false],
    [3, 6, true],
    [3, 7, true],
    [5, 8, true],
    [5, 9, true],
  ])('%s peers, seed %s, snapshots %s: safety holds throughout, and the healed cluster converges', (n, seed, snapshots) => {
    const random = makeRandom(seed);
    const cluster = new Cluster(n);
    chaos(cluster, random, 30_000, snapshots);
    cluster.checkLogMatching();
    heal(cluster);
    cluster.checkLogMatching();
    const last = cluster.cores[0]!.lastLogIndex;
    for (let i = 1; i <= last; i++) {
      const held = cluster.cores.map((c) => heldEntry(c, i)).filter((e) => e !== undefined);
      for (const entry of held) expect(entry, `index ${i}`).toEqual(held[0]);
    }
    cluster.checkServicesAgree(last);
    // The chaos must have made progress for the checks to mean anything.
    expect(cluster.committed.size).toBeGreaterThan(50);
    expect(cluster.proposals).toBeGreaterThan(100);
    if (snapshots) {
      expect(Math.min(...cluster.cores.map((c) => c.snapshotIndex))).toBeGreaterThan(0);
      expect(cluster.snapshotsInstalled).toBeGreaterThan(0);
    }
  });
});
