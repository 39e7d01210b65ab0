import { describe, expect, it } from 'vitest';
import { RaftCore } from '../../src/raft/core.js';
import type { AppendEntriesArgs, AppendEntriesReply, RequestVoteArgs, RequestVoteReply } from '../../src/raft/messages.js';
import { decodeHardState, HardStateEncoder } from '../../src/raft/persist.js';
import { makeRandom, type Random } from '../../src/sim/random.js';
import { SimClock } from '../../src/sim/sim-clock.js';
import { captureLog, wire } from '../sim/helpers.js';

/**
 * Raft's safety properties under chaos: cores exchange messages through a
 * pool that delivers in random order, loses, duplicates, and crashes and
 * restarts peers from what they persisted. Timers are random inputs. After
 * every step the cluster is checked against Figure 3 of the Raft paper;
 * at the end the network heals and every peer must converge.
 */

type Flight =
  | { kind: 'vote'; from: number; to: number; incarnation: number; args: RequestVoteArgs }
  | { kind: 'voteReply'; from: number; to: number; incarnation: number; args: RequestVoteArgs; reply: RequestVoteReply }
  | { kind: 'append'; from: number; to: number; incarnation: number; args: AppendEntriesArgs }
  | { kind: 'appendReply'; from: number; to: number; incarnation: number; args: AppendEntriesArgs; reply: AppendEntriesReply };

/** A cheap assertion for the hot path; vitest's expect costs too much per step. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

class Cluster {
  readonly cores: RaftCore[];
  private readonly saved: Uint8Array[];
  private readonly encoders: HardStateEncoder[];
  /** Per peer: the last index handed out as committed since its last restart. */
  private readonly applied: number[];
  /** Per peer: bumped on restart, so replies to the old incarnation are discarded (as labrpc does). */
  private readonly incarnations: number[];
  flights: Flight[] = [];
  /** index → the command committed there, and the highest term in which someone knew it committed. */
  readonly committed = new Map<number, { command: unknown; term: number; knownInTerm: number }>();
  private readonly leaders = new Map<number, number>();
  proposals = 0;

  constructor(readonly n: number) {
    this.cores = Array.from({ length: n }, (_, id) => this.boot(id));
    this.saved = Array.from({ length: n }, () => new Uint8Array(0));
    this.encoders = Array.from({ length: n }, () => new HardStateEncoder());
    this.applied = new Array<number>(n).fill(0);
    this.incarnations = new Array<number>(n).fill(0);
  }

  private boot(id: number, bytes: Uint8Array = new Uint8Array(0)): RaftCore {
    return new RaftCore({ id, peerCount: this.n, log: captureLog(new SimClock(), 'none'), restored: decodeHardState(bytes) });
  }

  restart(id: number): void {
    this.cores[id] = this.boot(id, this.saved[id]);
    this.encoders[id] = new HardStateEncoder();
    this.applied[id] = 0;
    this.incarnations[id]!++;
  }

  /** Carries out a core's Ready: persist first, then send, then check what it committed. */
  flush(id: number): void {
    const core = this.cores[id]!;
    const ready = core.takeReady();
    if (ready.persist) this.saved[id] = this.encoders[id]!.encode(core.persistentState()).slice();
    for (const m of ready.messages) {
      const base = { from: id, to: m.to, incarnation: this.incarnations[id]! };
      if (m.method === 'RequestVote') this.flights.push({ kind: 'vote', ...base, args: wire(m.args) });
      else this.flights.push({ kind: 'append', ...base, args: wire(m.args) });
    }
    for (const c of ready.committed) {
      check(c.index === this.applied[id]! + 1, `S${id} commits index ${c.index} after ${this.applied[id]}`);
      this.applied[id] = c.index;
      const known = this.committed.get(c.index);
      if (known === undefined) {
        const entry = core.hardState().entries[c.index - 1]!;
        this.committed.set(c.index, { command: c.command, term: entry.term, knownInTerm: core.currentTerm });
      } else {
        check(c.command === known.command, `state machine safety: S${id} commits ${String(c.command)} at ${c.index}, not ${String(known.command)}`);
        known.knownInTerm = Math.max(known.knownInTerm, core.currentTerm);
      }
    }
    if (core.isLeader && this.leaders.get(core.currentTerm) !== core.id) this.checkNewLeader(core);
  }

  private checkNewLeader(core: RaftCore): void {
    const other = this.leaders.get(core.currentTerm);
    check(other === undefined, `election safety: S${other} and S${core.id} both lead term ${core.currentTerm}`);
    this.leaders.set(core.currentTerm, core.id);
    // Leader completeness: a leader of a later term holds every entry known committed before it.
    const log = core.hardState().entries;
    for (const [index, c] of this.committed) {
      if (core.currentTerm <= c.knownInTerm) continue;
      const entry = log[index - 1];
      check(entry?.term === c.term && entry.command === c.command, `S${core.id} leads term ${core.currentTerm} without committed index ${index}`);
    }
  }

  /** Delivers (or loses) one message; a reply goes back into the pool. */
  deliver(flight: Flight, lose: boolean): void {
    if (flight.kind === 'voteReply' || flight.kind === 'appendReply') {
      // The reply belongs to the incarnation that sent the request.
      if (flight.incarnation !== this.incarnations[flight.to]) return;
    }
    if (lose) {
      if (flight.kind === 'append') this.lost(flight.from, flight.to, flight.args, flight.incarnation);
      if (flight.kind === 'appendReply') this.lost(flight.to, flight.from, flight.args, flight.incarnation);
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

  /** Log matching: two logs with an entry of the same index and term agree on everything up to it. */
  checkLogMatching(): void {
    const logs = this.cores.map((c) => c.hardState().entries);
    for (let a = 0; a < this.n; a++) {
      for (let b = a + 1; b < this.n; b++) {
        const la = logs[a]!;
        const lb = logs[b]!;
        let i = Math.min(la.length, lb.length) - 1;
        while (i >= 0 && la[i]!.term !== lb[i]!.term) i--;
        expect(la.slice(0, i + 1), `log matching S${a} / S${b} up to ${i + 1}`).toEqual(lb.slice(0, i + 1));
      }
    }
  }
}

function chaos(cluster: Cluster, random: Random, steps: number): void {
  for (let step = 0; step < steps; step++) {
    const roll = random.int(1000);
    if (roll < 15) {
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
    [3, 1],
    [3, 2],
    [5, 3],
    [5, 4],
    [7, 5],
  ])('%s peers, seed %s: safety holds throughout, and the healed cluster converges', (n, seed) => {
    const random = makeRandom(seed);
    const cluster = new Cluster(n);
    chaos(cluster, random, 30_000);
    cluster.checkLogMatching();
    heal(cluster);
    cluster.checkLogMatching();
    const logs = cluster.cores.map((c) => c.hardState().entries);
    for (const log of logs) expect(log).toEqual(logs[0]);
    // The chaos must have made progress for the checks to mean anything.
    expect(cluster.committed.size).toBeGreaterThan(50);
    expect(cluster.proposals).toBeGreaterThan(100);
  });
});
