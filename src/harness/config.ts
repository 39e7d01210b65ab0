import { type ClientEnd, Network, Server } from '../labrpc/network.js';
import type { ApplyMsg, RaftFactory, RaftPeer } from '../raft/types.js';
import type { Clock } from '../sim/clock.js';
import { decode, encode } from '../sim/codec.js';
import { asError } from '../sim/sim-world.js';
import { AppliedLog } from './applied-log.js';
import type { World } from '../sim/world.js';
import { digest, type EventTrace, traceObserver } from './event-trace.js';
import { InvariantChecker } from './invariants.js';
import { observedClock } from './observed-clock.js';
import { type PeerObserver, tapPeer } from './peer-taps.js';
import { Persister } from './persister.js';
import { RaftMeter } from './raft-meter.js';
import type { SaveMeter } from './save-meter.js';
import type { TimelineRecorder } from './timeline-trace.js';
import { fatal, TestFailure, type TestContext } from './test-context.js';

/** The 2D tests' service snapshots its state after every index i with (i + 1) % SNAPSHOT_INTERVAL == 0. */
export const SNAPSHOT_INTERVAL = 10;

export interface ConfigOptions {
  /** Part 2D: each peer's service snapshots every SNAPSHOT_INTERVAL commands (config.go's applierSnap). */
  snapshot?: boolean;
}

/**
 * A port of the lab's config.go: a cluster of Raft peers on a simulated
 * network, with the checks the tests call. Method names, steps, timings and
 * failure messages follow the Go original, so a run here means what a run of
 * `go test` means.
 */
export class Config {
  readonly n: number;
  readonly net: Network;
  /** The live peer at each index, or undefined while crashed. */
  readonly rafts: (RaftPeer | undefined)[];
  readonly connected: boolean[];
  /** Committed values each peer has applied, by index. */
  readonly logs: AppliedLog[];
  /** The last index each peer's service has applied, by command or snapshot (the snapshot applier's check). */
  readonly lastApplied: number[];
  private readonly world: World;
  private readonly raft: RaftFactory;
  /** Whether the services snapshot (applierSnap) or only check what is applied (applier). */
  private readonly snapshots: boolean;
  private readonly applyErr: string[];
  private readonly saved: (Persister | undefined)[];
  /** Each peer's outgoing ends, one per destination; replaced on restart so a dead instance cannot send. */
  private readonly endnames: (ClientEnd[] | undefined)[];
  private readonly startMs: number;
  /** The clock peers and the network run on: the world's, observed after each event when checking. */
  private readonly peerClock: Clock;
  private readonly checker: InvariantChecker | undefined;
  private readonly trace: EventTrace | undefined;
  private readonly timeline: TimelineRecorder | undefined;
  /** Who watches each peer's messages and saves: the checker and the trace, when on. */
  private readonly observers: PeerObserver[];
  /** Wall time spent inside the Raft (charged to the clock with --charge-cpu). */
  private readonly meter: RaftMeter;
  /** Counts the peers' saves, when the run reports them. */
  private readonly saves: SaveMeter | undefined;
  /** Counts each peer's starts and crashes, so that a crashed instance's effects go unobserved. */
  private readonly incarnation: number[];
  private finished = false;
  private maxIndex = 0;
  // begin()/end() statistics.
  private t0Ms = 0;
  private rpcs0 = 0;
  private bytes0 = 0;
  private maxIndex0 = 0;

  constructor(t: TestContext, n: number, unreliable: boolean, options: ConfigOptions = {}) {
    this.world = t.world;
    this.raft = t.raft;
    this.n = n;
    this.snapshots = options.snapshot === true;
    this.rafts = new Array(n).fill(undefined);
    this.checker = t.strict ? new InvariantChecker({ peers: this.rafts, nowMs: () => this.now, touches: true }) : undefined;
    this.trace = t.trace;
    this.observers = [...(this.trace === undefined ? [] : [traceObserver(this.trace)]), ...(this.checker === undefined ? [] : [this.checker])];
    this.meter = t.meter ?? new RaftMeter(() => 0);
    this.saves = t.saves;
    this.incarnation = new Array<number>(n).fill(0);
    this.timeline = t.timeline;
    this.timeline?.attach(t.world.clock, this.rafts);
    const watched = this.checker !== undefined || this.trace !== undefined || this.timeline !== undefined;
    this.peerClock = watched ? observedClock(t.world.clock, () => this.afterEvent()) : t.world.clock;
    this.net = new Network({ clock: this.peerClock, random: t.world.random, log: t.world.log, ...(this.timeline === undefined ? {} : { observer: this.timeline }) });
    this.connected = new Array<boolean>(n).fill(false);
    this.logs = Array.from({ length: n }, () => new AppliedLog());
    this.lastApplied = new Array<number>(n).fill(0);
    this.applyErr = new Array<string>(n).fill('');
    this.saved = new Array(n).fill(undefined);
    this.endnames = new Array(n).fill(undefined);
    this.startMs = t.world.clock.now();

    this.setUnreliable(unreliable);
    this.net.setLongDelays(true);
    for (let i = 0; i < n; i++) this.start1(i);
    for (let i = 0; i < n; i++) this.connect(i);
  }

  private get now(): number {
    return this.world.clock.now();
  }

  /** Runs after every event of the peers and the network when watching: the timeline, invariants, then the trace. */
  private afterEvent(): void {
    try {
      // The timeline looks first, so that it holds the state a broken invariant is found in.
      this.timeline?.endEvent();
      this.checker?.check();
      this.trace?.endEvent(this.now);
    } catch (error) {
      // Like the applier's log.Fatalf: the run ends with this event.
      this.world.fail(asError(error));
    }
  }

  /** Shuts peer i down but keeps its persistent state. */
  crash1(i: number): void {
    this.incarnation[i]!++;
    this.disconnect(i);
    this.net.deleteServer(i);
    // A fresh persister, in case the old instance goes on writing; it starts
    // from what the old one had saved.
    const saved = this.saved[i];
    if (saved !== undefined) this.saved[i] = saved.copy();
    const rf = this.rafts[i];
    if (rf !== undefined) {
      rf.kill();
      this.rafts[i] = undefined;
      this.timeline?.crashed(i);
    }
    const kept = this.saved[i];
    if (kept !== undefined) {
      const fresh = new Persister();
      fresh.save(kept.readRaftState(), kept.readSnapshot());
      this.saved[i] = fresh;
    }
  }

  /**
   * Starts (or restarts) peer i from its persisted state, with fresh ends and
   * a fresh persister. Like a service starting up, the harness first loads
   * the saved snapshot into peer i's applied state, so the peer's first
   * command must come right after it.
   */
  start1(i: number): void {
    this.crash1(i);
    const ends = Array.from({ length: this.n }, (_, j) => {
      const end = this.net.makeEnd();
      this.net.connect(end, j);
      this.timeline?.ownEnd(end.name, i, j);
      return end;
    });
    this.endnames[i] = ends;

    this.lastApplied[i] = 0;
    const saved = this.saved[i];
    if (saved !== undefined) {
      this.saved[i] = saved.copy();
      const snapshot = this.saved[i]!.readSnapshot();
      if (snapshot.length > 0) {
        const err = this.ingestSnap(i, snapshot, -1);
        if (err !== '') fatal(err);
      }
    } else {
      this.saved[i] = new Persister();
    }

    this.checker?.started(i, this.lastApplied[i]!);
    const incarnation = ++this.incarnation[i]!;
    // In Go the applier reads the apply channel only once Make has returned,
    // so whatever a peer applies inside make() reaches the checks just after.
    let early: ApplyMsg[] | undefined = [];
    const tap = tapPeer({
      me: i,
      ends,
      persister: this.saved[i]!,
      clock: this.peerClock,
      apply: (m) => {
        if (early !== undefined) early.push(m);
        else this.apply(i, peer, m);
      },
      observers: this.observers,
      meter: this.meter,
      ...(this.saves === undefined ? {} : { saves: this.saves }),
      ...(this.checker === undefined ? {} : { touched: () => this.checker!.touch(i) }),
      isCurrent: () => this.incarnation[i] === incarnation,
    });
    const rf = this.meter.inside(() =>
      this.raft.make({
        peers: tap.peers,
        me: i,
        persister: tap.persister,
        apply: tap.apply,
        clock: tap.clock,
        random: this.world.random,
        log: this.world.log,
      }),
    );
    const peer = tap.peer(rf);
    this.rafts[i] = peer;
    this.net.addServer(i, new Server(tap.handlers(rf.handlers)));
    // The timeline first, so that it shows a restart the checker then fails.
    this.timeline?.started(i);
    this.checker?.restarted(i);
    const applied = early;
    early = undefined;
    for (const m of applied) this.apply(i, peer, m);
  }

  /** Hands a message peer i applied to the applier this config runs. */
  private apply(i: number, rf: RaftPeer, m: ApplyMsg): void {
    try {
      if (this.snapshots) this.applierSnap(i, rf, m);
      else this.applier(i, m);
    } catch (error) {
      // A check inside a peer's callback cannot throw into the test: like
      // Go's log.Fatalf, it ends the run with this event.
      this.world.fail(asError(error));
    }
  }

  private checkLogs(i: number, m: ApplyMsg): { err: string; prevOk: boolean } {
    let err = '';
    const v = m.command;
    for (let j = 0; j < this.logs.length; j++) {
      const log = this.logs[j]!;
      if (log.has(m.commandIndex) && log.get(m.commandIndex) !== v) {
        err = `commit index=${m.commandIndex} server=${i} ${String(m.command)} != server=${j} ${String(log.get(m.commandIndex))}`;
      }
    }
    const prevOk = this.logs[i]!.has(m.commandIndex - 1);
    this.logs[i]!.set(m.commandIndex, v);
    if (m.commandIndex > this.maxIndex) this.maxIndex = m.commandIndex;
    return { err, prevOk };
  }

  /** Checks each applied command against every other peer's, and that peer i applies in order. */
  private applier(i: number, m: ApplyMsg): void {
    this.checker?.onApply(i, m);
    this.traceApply(i, m);
    if (!m.commandValid) return;
    const checked = this.checkLogs(i, m);
    let err = checked.err;
    if (m.commandIndex > 1 && !checked.prevOk) err = `server ${i} apply out of order ${m.commandIndex}`;
    if (err !== '') this.applyError(i, err);
  }

  /**
   * Replaces peer i's applied state with a snapshot's, which the snapshot
   * applier encoded: the last index it covers, then every command up to it.
   * Returns an error, or '' if the snapshot was taken in.
   */
  private ingestSnap(i: number, snapshot: Uint8Array | undefined, index: number): string {
    // Go's config.go calls log.Fatalf here, ending the run at once.
    if (snapshot === undefined) fatal('nil snapshot');
    let decoded: unknown;
    try {
      decoded = decode(snapshot);
    } catch {
      fatal('snapshot decode error');
    }
    if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[0] !== 'number' || !Array.isArray(decoded[1])) {
      fatal('snapshot decode error');
    }
    const [lastIncludedIndex, xlog] = decoded as [number, unknown[]];
    if (index !== -1 && index !== lastIncludedIndex) return `server ${i} snapshot doesn't match m.SnapshotIndex`;
    const log = new AppliedLog();
    for (let j = 0; j < xlog.length; j++) log.set(j, xlog[j]);
    this.logs[i] = log;
    this.lastApplied[i] = lastIncludedIndex;
    return '';
  }

  /**
   * The 2D tests' service: checks each applied command like the applier and
   * that it comes right after the last one applied, snapshots its state every
   * SNAPSHOT_INTERVAL commands, and takes in the snapshots its peer hands it.
   */
  private applierSnap(i: number, rf: RaftPeer, m: ApplyMsg): void {
    let err = '';
    if (m.snapshotValid === true) {
      this.traceApply(i, m);
      const snapshotIndex = m.snapshotIndex ?? 0;
      if (rf.condInstallSnapshot?.(m.snapshotTerm ?? 0, snapshotIndex, m.snapshot!) ?? true) {
        this.checker?.onApply(i, m);
        err = this.ingestSnap(i, m.snapshot, snapshotIndex);
      }
    } else if (m.commandValid) {
      this.checker?.onApply(i, m);
      this.traceApply(i, m);
      if (m.commandIndex !== this.lastApplied[i]! + 1) {
        err = `server ${i} apply out of order, expected index ${this.lastApplied[i]! + 1}, got ${m.commandIndex}`;
      }
      if (err === '') {
        const checked = this.checkLogs(i, m);
        err = checked.err;
        if (m.commandIndex > 1 && !checked.prevOk) err = `server ${i} apply out of order ${m.commandIndex}`;
      }
      this.lastApplied[i] = m.commandIndex;

      if ((m.commandIndex + 1) % SNAPSHOT_INTERVAL === 0) {
        const xlog: unknown[] = [];
        for (let j = 0; j <= m.commandIndex; j++) xlog.push(this.logs[i]!.get(j));
        // The peer is about to drop the entries this snapshot covers: strict
        // mode looks at them first.
        this.checker?.observe(i);
        // A buffer of its own: a small encoding is a view of a slab the codec shares.
        rf.snapshot(m.commandIndex, encode([m.commandIndex, xlog]).slice());
      }
    }
    if (err !== '') this.applyError(i, err);
  }

  /** Go's applier calls log.Fatalf on a bad apply, which ends the whole test at once. */
  private applyError(i: number, err: string): void {
    this.applyErr[i] = err;
    // In strict mode a broken invariant behind the bad apply is the better account.
    this.world.fail(this.checker?.violationNow() ?? new TestFailure(`apply error: ${err}`));
  }

  /** Notes an apply on the timeline and in the determinism trace, when they are on. */
  private traceApply(i: number, m: ApplyMsg): void {
    this.timeline?.onApply(i, m.snapshotValid === true ? (m.snapshotIndex ?? 0) : m.commandIndex);
    if (this.trace === undefined) return;
    if (m.snapshotValid === true) this.trace.note(`S${i} apply snapshot ${m.snapshotIndex} ${m.snapshot === undefined ? 'nil' : digest(m.snapshot)}`);
    else this.trace.note(`S${i} apply ${m.commandIndex} ${digest(m.command)}`);
  }

  checkTimeout(): void {
    if (this.now - this.startMs > 120_000) fatal('test took longer than 120 seconds');
  }

  checkFinished(): boolean {
    return this.finished;
  }

  cleanup(): void {
    this.finished = true;
    for (const rf of this.rafts) rf?.kill();
    this.net.cleanup();
  }

  /** Attaches peer i to the network. */
  connect(i: number): void {
    if (!this.connected[i]) this.timeline?.connected(i, true);
    this.connected[i] = true;
    for (let j = 0; j < this.n; j++) {
      if (this.connected[j]) this.net.enable(this.endnames[i]![j]!, true);
    }
    for (let j = 0; j < this.n; j++) {
      if (this.connected[j]) this.net.enable(this.endnames[j]![i]!, true);
    }
  }

  /** Detaches peer i from the network. */
  disconnect(i: number): void {
    if (this.connected[i]) this.timeline?.connected(i, false);
    this.connected[i] = false;
    for (let j = 0; j < this.n; j++) {
      const out = this.endnames[i];
      if (out !== undefined) this.net.enable(out[j]!, false);
    }
    for (let j = 0; j < this.n; j++) {
      const incoming = this.endnames[j];
      if (incoming !== undefined) this.net.enable(incoming[i]!, false);
    }
  }

  rpcCount(server: number): number {
    return this.net.getCount(server);
  }

  rpcTotal(): number {
    return this.net.getTotalCount();
  }

  setUnreliable(unreliable: boolean): void {
    this.net.setReliable(!unreliable);
    this.timeline?.setReliable(!unreliable);
  }

  bytesTotal(): number {
    return this.net.getTotalBytes();
  }

  setLongReordering(yes: boolean): void {
    this.net.setLongReordering(yes);
    this.timeline?.setLongReordering(yes);
  }

  /** Checks that there is exactly one leader, retrying a few times in case re-elections are needed. */
  async checkOneLeader(): Promise<number> {
    for (let iters = 0; iters < 10; iters++) {
      await this.world.sleep(450 + this.world.random.int(100));
      const leader = this.newestLeader();
      if (leader !== -1) return leader;
    }
    fatal('expected one leader, got none');
  }

  /**
   * The leader of the newest term that has one among the connected peers,
   * or -1 if none has; fails if a term has two. Apart from checkOneLeader's
   * waiting, so that V8, which counts an async function's size at each await
   * towards optimising it, keeps the waiting loop small.
   */
  private newestLeader(): number {
    const leaders = new Map<number, number[]>();
    for (let i = 0; i < this.n; i++) {
      if (!this.connected[i]) continue;
      const { term, isLeader } = this.rafts[i]!.getState();
      if (isLeader) leaders.set(term, [...(leaders.get(term) ?? []), i]);
    }
    let lastTermWithLeader = -1;
    for (const [term, ids] of leaders) {
      if (ids.length > 1) fatal(`term ${term} has ${ids.length} (>1) leaders`);
      if (term > lastTermWithLeader) lastTermWithLeader = term;
    }
    return leaders.size !== 0 ? leaders.get(lastTermWithLeader)![0]! : -1;
  }

  /** Checks that every connected peer agrees on the term, and returns it. */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      if (!this.connected[i]) continue;
      const xterm = this.rafts[i]!.getState().term;
      if (term === -1) term = xterm;
      else if (term !== xterm) fatal('servers disagree on term');
    }
    return term;
  }

  /** Checks that no connected peer thinks it is the leader. */
  checkNoLeader(): void {
    for (let i = 0; i < this.n; i++) {
      if (this.connected[i] && this.rafts[i]!.getState().isLeader) {
        fatal(`expected no leader among connected servers, but ${i} claims to be leader`);
      }
    }
  }

  /** How many peers have applied index, and the value they agree on. */
  nCommitted(index: number): { count: number; command: unknown } {
    let count = 0;
    let command: unknown = undefined;
    for (let i = 0; i < this.rafts.length; i++) {
      if (this.applyErr[i] !== '') fatal(this.applyErr[i]!);
      const log = this.logs[i]!;
      if (log.has(index)) {
        const cmd1 = log.get(index);
        if (count > 0 && command !== cmd1) {
          fatal(`committed values do not match: index ${index}, ${String(command)}, ${String(cmd1)}`);
        }
        count++;
        command = cmd1;
      }
    }
    return { count, command };
  }

  /**
   * Waits for at least n peers to apply index, backing off from 10 ms to a
   * second. Returns -1 if some peer moves past startTerm (the leader may
   * have lost the entry), unless startTerm is -1.
   */
  async wait(index: number, n: number, startTerm: number): Promise<unknown> {
    let toMs = 10;
    for (let iters = 0; iters < 30; iters++) {
      if (this.nCommitted(index).count >= n) break;
      await this.world.sleep(toMs);
      if (toMs < 1000) toMs *= 2;
      if (startTerm > -1) {
        for (const rf of this.rafts) {
          if (rf !== undefined && rf.getState().term > startTerm) return -1;
        }
      }
    }
    const { count, command } = this.nCommitted(index);
    if (count < n) fatal(`only ${count} decided for index ${index}; wanted ${n}`);
    return command;
  }

  /**
   * Does a complete agreement on cmd: offers it to each connected peer until
   * one accepts as leader, then waits up to 2 s for expectedServers to apply
   * it; gives up after about 10 s. With retry, it re-submits after a leader
   * change; without, the first failed wait is fatal. Returns the index.
   */
  async one(cmd: unknown, expectedServers: number, retry: boolean): Promise<number> {
    const t0 = this.now;
    let starts = 0;
    while (this.now - t0 < 10_000 && !this.checkFinished()) {
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        const rf = this.connected[starts] ? this.rafts[starts] : undefined;
        if (rf !== undefined) {
          const r = rf.start(cmd);
          if (r.isLeader) {
            index = r.index;
            break;
          }
        }
      }
      if (index !== -1) {
        const t1 = this.now;
        while (this.now - t1 < 2_000) {
          const { count, command } = this.nCommitted(index);
          if (count > 0 && count >= expectedServers && command === cmd) return index;
          await this.world.sleep(20);
        }
        if (!retry) fatal(`one(${String(cmd)}) failed to reach agreement`);
      } else {
        await this.world.sleep(50);
      }
    }
    if (!this.checkFinished()) fatal(`one(${String(cmd)}) failed to reach agreement`);
    return -1;
  }

  /** Starts a test: logs its description and notes the counters that end() reports against. */
  begin(description: string): void {
    this.world.log.test(`${description} ...`);
    this.t0Ms = this.now;
    this.rpcs0 = this.rpcTotal();
    this.bytes0 = this.bytesTotal();
    this.maxIndex0 = this.maxIndex;
  }

  /** Ends a passing test with the lab's line: seconds, peers, RPCs, bytes, agreements. */
  end(): void {
    this.checkTimeout();
    const seconds = (this.now - this.t0Ms) / 1000;
    const nrpc = this.rpcTotal() - this.rpcs0;
    const nbytes = this.bytesTotal() - this.bytes0;
    const ncmds = this.maxIndex - this.maxIndex0;
    this.world.log.test(
      `  ... Passed --  ${seconds.toFixed(1).padStart(4)}  ${this.n} ${String(nrpc).padStart(4)} ${String(nbytes).padStart(7)} ${String(ncmds).padStart(4)}`,
    );
  }

  /** The largest persisted Raft state among the peers, in bytes. */
  logSize(): number {
    let size = 0;
    for (const p of this.saved) size = Math.max(size, p?.raftStateSize() ?? 0);
    return size;
  }
}

/**
 * Builds a cluster of n peers, runs body against it, and always cleans up,
 * as `defer cfg.cleanup()` does in Go. The body gets the test's context as
 * well, so that a test's body can be a function of the module rather than a
 * closure made afresh each run: V8 then keeps what it learned and compiled
 * of the body from one run to the next.
 */
export async function withConfig(
  t: TestContext,
  n: number,
  unreliable: boolean,
  body: (cfg: Config, t: TestContext) => Promise<void>,
  options: ConfigOptions = {},
): Promise<void> {
  const cfg = new Config(t, n, unreliable, options);
  try {
    await body(cfg, t);
  } finally {
    cfg.cleanup();
  }
}
