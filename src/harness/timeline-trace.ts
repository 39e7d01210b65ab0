import type { CallOutcome, NetworkObserver } from '../labrpc/network.js';
import type { RaftPeer } from '../raft/types.js';
import type { Clock } from '../sim/clock.js';
import {
  TIMELINE_VERSION,
  type ClusterEventKind,
  type ClusterEventRecord,
  type NetworkModeRecord,
  type PeerStateRecord,
  type RpcRecord,
  type Timeline,
  type TimelineRole,
} from './timeline.js';

/** The longest summary of an RPC's arguments or reply a timeline keeps. */
const SUMMARY_CHARS_MAX = 160;

/**
 * Records a run's timeline as the cluster runs: the harness tells it what it
 * does to peers and the network, the network tells it each call's fate, and
 * after every event it looks at each live peer and notes what changed.
 *
 * It only watches: reading a peer's state (getState, inspect) changes
 * nothing and draws no randomness, so a run recorded here is the same run,
 * event for event, as one that is not. That is what lets the runner take a
 * failing run's timeline by replaying its seed, and spare passing runs the cost.
 */
export class TimelineRecorder implements NetworkObserver {
  private clock: Clock | undefined;
  private peers: readonly (RaftPeer | undefined)[] = [];
  private inspected = true;
  /** Each client end's owner and destination, by the end's name. */
  private readonly ends = new Map<number, { from: number; to: number }>();
  /** The state each peer was last recorded in, as a key, to note only changes. */
  private lastState: string[] = [];
  /** The highest index the harness has seen each peer apply, since its last start. */
  private applied: number[] = [];
  private reliable = true;
  private longReordering = false;
  private readonly states: PeerStateRecord[] = [];
  private readonly events: ClusterEventRecord[] = [];
  private readonly network: NetworkModeRecord[] = [];
  /** RPCs by call number; the network numbers calls in the order they are sent. */
  private readonly rpcs: RpcRecord[] = [];

  /** Called by the cluster it watches: its clock and its peers (the live array, read on every look). */
  attach(clock: Clock, peers: readonly (RaftPeer | undefined)[]): void {
    this.clock = clock;
    this.peers = peers;
    this.lastState = new Array<string>(peers.length).fill('');
    this.applied = new Array<number>(peers.length).fill(0);
    this.network.push([this.now, this.reliable, this.longReordering]);
  }

  private get now(): number {
    if (this.clock === undefined) throw new Error('timeline: no cluster attached');
    return this.clock.now();
  }

  /** Client end `endName` is peer `from`'s way to peer `to`. */
  ownEnd(endName: number, from: number, to: number): void {
    this.ends.set(endName, { from, to });
  }

  started(peer: number): void {
    this.applied[peer] = 0;
    this.clusterEvent('start', peer);
  }

  crashed(peer: number): void {
    this.clusterEvent('crash', peer);
  }

  connected(peer: number, yes: boolean): void {
    this.clusterEvent(yes ? 'connect' : 'disconnect', peer);
  }

  setReliable(yes: boolean): void {
    this.reliable = yes;
    this.networkMode();
  }

  setLongReordering(yes: boolean): void {
    this.longReordering = yes;
    this.networkMode();
  }

  onApply(peer: number, index: number): void {
    if (index > this.applied[peer]!) this.applied[peer] = index;
  }

  /** After each event of the cluster: note every peer whose state changed. */
  endEvent(): void {
    this.look();
  }

  sent(call: number, endName: number, method: string, args: unknown, delayMs: number, reachable: boolean): void {
    const end = this.ends.get(endName);
    // Ends the harness did not make (none today) have no lanes to draw between.
    const from = end?.from ?? -1;
    const to = end?.to ?? -1;
    // An unreachable call's fate is sealed now; the caller learns it when the wait is over.
    this.rpcs[call] = [from, to, method, this.now, delayMs, null, null, null, reachable ? null : 'unreachable', summarize(args), null];
  }

  delivered(call: number): void {
    this.rpcs[call]![5] = this.now;
  }

  held(call: number, holdMs: number): void {
    this.rpcs[call]![6] = holdMs;
  }

  ended(call: number, outcome: CallOutcome, reply?: unknown): void {
    const rpc = this.rpcs[call]!;
    rpc[7] = this.now;
    rpc[8] = outcome;
    if (reply !== undefined) rpc[10] = summarize(reply);
  }

  /** The timeline of the run so far; `failure` is where and why it failed, if it did. */
  finish(run: { test: string; seed: number; endMs: number; failure: Timeline['failure']; log: string[] }): Timeline {
    return {
      version: TIMELINE_VERSION,
      test: run.test,
      seed: run.seed,
      peers: this.peers.length,
      inspected: this.inspected,
      endMs: run.endMs,
      failure: run.failure,
      states: this.states,
      events: this.events,
      network: this.network,
      // A sparse slot would be a call the network never reported; there are none, but JSON must not see holes.
      rpcs: this.rpcs.filter((rpc) => rpc !== undefined),
      log: run.log,
    };
  }

  private clusterEvent(kind: ClusterEventKind, peer: number): void {
    this.events.push([this.now, kind, peer]);
    // Crashes and restarts come from the test script, between events: look now, not at the next event.
    this.look();
  }

  private networkMode(): void {
    if (this.clock === undefined) return;
    const last = this.network[this.network.length - 1];
    const now = this.now;
    if (last !== undefined && last[0] === now) this.network.pop();
    this.network.push([now, this.reliable, this.longReordering]);
  }

  private look(): void {
    const now = this.now;
    for (let peer = 0; peer < this.peers.length; peer++) {
      const rf = this.peers[peer];
      let role: TimelineRole = 'down';
      let term = 0;
      let commitIndex = -1;
      if (rf !== undefined) {
        if (rf.inspect !== undefined) {
          const view = rf.inspect();
          role = view.role;
          term = view.term;
          commitIndex = view.commitIndex;
        } else {
          this.inspected = false;
          const state = rf.getState();
          role = state.isLeader ? 'leader' : 'follower';
          term = state.term;
        }
      }
      const applied = rf === undefined ? 0 : this.applied[peer]!;
      const key = `${role} ${term} ${commitIndex} ${applied}`;
      if (key === this.lastState[peer]) continue;
      this.lastState[peer] = key;
      this.states.push([now, peer, role, term, commitIndex, applied]);
    }
  }
}

/**
 * A short account of an RPC's arguments or reply: its scalar fields, and the
 * length of its arrays (`entries=[3]`), so that a hover can say what a
 * message carried without the report holding every command.
 */
export function summarize(value: unknown): string {
  let text: string;
  if (value === null || typeof value !== 'object') text = scalar(value);
  else if (Array.isArray(value)) text = `[${value.length}]`;
  else if (value instanceof Uint8Array) text = `${value.length}B`;
  else {
    text = Object.entries(value as Record<string, unknown>)
      .map(([key, field]) => `${key}=${fieldText(field)}`)
      .join(' ');
  }
  return text.length <= SUMMARY_CHARS_MAX ? text : `${text.slice(0, SUMMARY_CHARS_MAX - 1)}…`;
}

function fieldText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value instanceof Uint8Array) return `${value.length}B`;
  if (value !== null && typeof value === 'object') return '{…}';
  return scalar(value);
}

function scalar(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value) : String(value);
}
