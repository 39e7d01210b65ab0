/**
 * Turns a run's timeline (the recorded data) into what the viewer draws:
 * per-peer bands of role and term, spans cut off from the network, commit
 * and applied steps, the RPCs as segments with their fate, and the log lines
 * indexed by peer and time for the hover. Pure functions, no DOM.
 */
import type { RpcOutcome, Timeline, TimelineRole } from '../harness/timeline.js';

export interface Band {
  startMs: number;
  endMs: number;
  role: TimelineRole;
  term: number;
}

export interface Span {
  startMs: number;
  endMs: number;
}

export interface Step {
  atMs: number;
  value: number;
}

export interface LogLine {
  atMs: number;
  /** The peer it names (`S<n>`), or -1 for the harness's TEST lines. */
  peer: number;
  text: string;
}

/** How an RPC is drawn: its fate, which decides colour and marks. */
export type Fate = 'ok' | 'lost' | 'discarded' | 'unreachable' | 'held' | 'in-flight';

export interface Rpc {
  id: number;
  from: number;
  to: number;
  method: string;
  sentMs: number;
  delayMs: number;
  deliveredMs: number | null;
  holdMs: number | null;
  endedMs: number | null;
  outcome: RpcOutcome | null;
  fate: Fate;
  /** Delayed in the network on its way (unreliable mode's 0–27 ms). */
  delayed: boolean;
  args: string;
  reply: string | null;
  /** For an InstallSnapshot, the last index and term the snapshot holds (read from its arguments), else null. */
  snapshot: SnapshotMark | null;
}

/** What an InstallSnapshot carries: the log through `index`, whose last entry has `term`. */
export interface SnapshotMark {
  index: number;
  term: number;
}

/** One straight piece of an RPC's way: the request, or the reply. */
export interface Segment {
  rpc: Rpc;
  kind: 'request' | 'reply';
  fromMs: number;
  fromPeer: number;
  toMs: number;
  /** The lane it ends on; a fractional lane for a message lost on its way. */
  toPeer: number;
  /** Where the message was lost or thrown away, marked with a cross. */
  lostAtEnd: boolean;
}

export interface PeerModel {
  bands: Band[];
  /** While cut off from the network (crashed peers are cut off too). */
  disconnected: Span[];
  crashesMs: number[];
  restartsMs: number[];
  commit: Step[];
  applied: Step[];
  log: LogLine[];
}

export interface TimelineModel {
  timeline: Timeline;
  /** When the run ended. */
  endMs: number;
  /** The end of the drawing: a little after the run's end, so that what happened last is not on the edge. */
  viewEndMs: number;
  peers: PeerModel[];
  /** The largest commit or applied index, for the lanes' vertical scale. */
  maxIndex: number;
  unreliable: Span[];
  longReordering: Span[];
  /** The harness's own lines (TEST), in time order. */
  testLines: LogLine[];
  rpcs: Rpc[];
  /** Every segment, by the time it starts. */
  segments: Segment[];
  /** The peers the failure message names (`S2 and S4 ...`). */
  failurePeers: number[];
}

const LOG_LINE = /^(\d+) ([A-Z0-9]{4}) (?:S(\d+) )?(.*)$/;

/** A log line's time (its stamp is in 0.1 ms units) and the peer it names. */
export function parseLogLine(line: string): LogLine | undefined {
  const match = LOG_LINE.exec(line);
  if (match === null) return undefined;
  return { atMs: Number(match[1]) / 10, peer: match[3] === undefined ? -1 : Number(match[3]), text: line };
}

export function buildModel(timeline: Timeline): TimelineModel {
  const endMs = Math.max(timeline.endMs, 1);
  const viewEndMs = endMs * 1.02;
  const peers: PeerModel[] = Array.from({ length: timeline.peers }, () => ({
    bands: [],
    disconnected: [],
    crashesMs: [],
    restartsMs: [],
    commit: [],
    applied: [],
    log: [],
  }));
  let maxIndex = 1;
  for (const [atMs, peer, role, term, commitIndex, appliedIndex] of timeline.states) {
    const model = peers[peer];
    if (model === undefined) continue;
    const last = model.bands[model.bands.length - 1];
    if (last === undefined || last.role !== role || last.term !== term) {
      if (last !== undefined) last.endMs = atMs;
      // The last state lasts past the run's end, so that a state entered at the very end still shows.
      model.bands.push({ startMs: atMs, endMs: viewEndMs, role, term });
    }
    if (role !== 'down') {
      pushStep(model.commit, atMs, commitIndex);
      pushStep(model.applied, atMs, appliedIndex);
      maxIndex = Math.max(maxIndex, commitIndex, appliedIndex);
    }
  }
  for (const model of peers) model.bands = model.bands.filter((band) => band.endMs > band.startMs);

  const cutOff = new Map<number, number>();
  for (const [atMs, kind, peer] of timeline.events) {
    const model = peers[peer];
    if (model === undefined) continue;
    if (kind === 'disconnect') cutOff.set(peer, atMs);
    if (kind === 'connect') closeSpan(model.disconnected, cutOff, peer, atMs);
    if (kind === 'crash') model.crashesMs.push(atMs);
    // The first start of every peer is the cluster being made, not a restart.
    if (kind === 'start' && atMs > 0) model.restartsMs.push(atMs);
  }
  for (const [peer] of cutOff) closeSpan(peers[peer]!.disconnected, cutOff, peer, endMs);

  const testLines: LogLine[] = [];
  for (const line of timeline.log) {
    const parsed = parseLogLine(line);
    if (parsed === undefined) continue;
    if (parsed.peer === -1) testLines.push(parsed);
    else peers[parsed.peer]?.log.push(parsed);
  }

  const rpcs = timeline.rpcs.map((record, id): Rpc => {
    const [from, to, method, sentMs, delayMs, deliveredMs, holdMs, endedMs, outcome, args, reply] = record;
    const delayed = delayMs > 0 && outcome !== 'unreachable';
    return { id, from, to, method, sentMs, delayMs, deliveredMs, holdMs, endedMs, outcome, fate: fateOf(outcome, holdMs), delayed, args, reply, snapshot: snapshotOf(method, args) };
  });
  const segments = rpcs.flatMap((rpc) => segmentsOf(rpc, endMs)).sort((a, b) => a.fromMs - b.fromMs);

  return {
    timeline,
    endMs,
    viewEndMs,
    peers,
    maxIndex,
    unreliable: modeSpans(timeline, endMs, (reliable) => !reliable),
    longReordering: modeSpans(timeline, endMs, (_, longReordering) => longReordering),
    testLines,
    rpcs,
    segments,
    failurePeers: failurePeers(timeline),
  };
}

const LAST_INCLUDED_INDEX = /\blastIncludedIndex=(\d+)\b/i;
const LAST_INCLUDED_TERM = /\blastIncludedTerm=(\d+)\b/i;

/**
 * The index and term an InstallSnapshot's arguments name, from their
 * summary; null for any other method, or where a Raft of its own (--raft)
 * names the fields otherwise (its arrow is then drawn as a snapshot all the
 * same, and the hover shows its arguments as they are).
 */
export function snapshotOf(method: string, args: string): SnapshotMark | null {
  if (method !== 'InstallSnapshot') return null;
  const index = LAST_INCLUDED_INDEX.exec(args);
  const term = LAST_INCLUDED_TERM.exec(args);
  return index === null || term === null ? null : { index: Number(index[1]), term: Number(term[1]) };
}

function pushStep(steps: Step[], atMs: number, value: number): void {
  if (value < 0) return;
  const last = steps[steps.length - 1];
  if (last !== undefined && last.value === value) return;
  steps.push({ atMs, value });
}

function closeSpan(spans: Span[], open: Map<number, number>, peer: number, atMs: number): void {
  const startMs = open.get(peer);
  if (startMs === undefined) return;
  open.delete(peer);
  if (atMs > startMs) spans.push({ startMs, endMs: atMs });
}

function fateOf(outcome: RpcOutcome | null, holdMs: number | null): Fate {
  switch (outcome) {
    case null:
      // A reply still held back when the run ended is as remarkable as one that arrived late.
      return holdMs === null ? 'in-flight' : 'held';
    case 'replied':
      return holdMs === null ? 'ok' : 'held';
    case 'request-lost':
    case 'reply-lost':
      return 'lost';
    case 'reply-discarded':
      return 'discarded';
    case 'unreachable':
      return 'unreachable';
  }
}

/**
 * The pieces an RPC is drawn as: the request from the caller to the
 * callee (or to where it was lost), then the reply back (or to where it was
 * lost). A message lost on its way ends halfway between the lanes.
 */
function segmentsOf(rpc: Rpc, endMs: number): Segment[] {
  if (rpc.from < 0 || rpc.to < 0) return [];
  const halfway = (rpc.from + rpc.to) / 2;
  const segment = (kind: Segment['kind'], fromMs: number, fromPeer: number, toMs: number, toPeer: number, lostAtEnd = false): Segment => ({
    rpc,
    kind,
    fromMs,
    fromPeer,
    toMs,
    toPeer,
    lostAtEnd,
  });
  switch (rpc.outcome) {
    case 'unreachable':
      // It never left the caller, who only learns so after a wait: a stub at the send, not a line across the wait.
      return [segment('request', rpc.sentMs, rpc.from, rpc.sentMs, rpc.from + (rpc.to - rpc.from) / 4, true)];
    case 'request-lost':
      return [segment('request', rpc.sentMs, rpc.from, rpc.endedMs!, halfway, true)];
    case null:
      if (rpc.deliveredMs === null) return [segment('request', rpc.sentMs, rpc.from, Math.max(rpc.sentMs, Math.min(endMs, rpc.sentMs + rpc.delayMs)), halfway)];
      return [segment('request', rpc.sentMs, rpc.from, rpc.deliveredMs, rpc.to), segment('reply', rpc.deliveredMs, rpc.to, endMs, halfway)];
    case 'reply-lost':
    case 'reply-discarded':
      return [segment('request', rpc.sentMs, rpc.from, rpc.deliveredMs!, rpc.to), segment('reply', rpc.deliveredMs!, rpc.to, rpc.endedMs!, (rpc.to * 3 + rpc.from) / 4, true)];
    case 'replied':
      return [segment('request', rpc.sentMs, rpc.from, rpc.deliveredMs!, rpc.to), segment('reply', rpc.deliveredMs!, rpc.to, rpc.endedMs!, rpc.from)];
  }
}

function modeSpans(timeline: Timeline, endMs: number, on: (reliable: boolean, longReordering: boolean) => boolean): Span[] {
  const spans: Span[] = [];
  let startMs: number | undefined;
  for (const [atMs, reliable, longReordering] of timeline.network) {
    const now = on(reliable, longReordering);
    if (now && startMs === undefined) startMs = atMs;
    if (!now && startMs !== undefined) {
      if (atMs > startMs) spans.push({ startMs, endMs: atMs });
      startMs = undefined;
    }
  }
  if (startMs !== undefined && endMs > startMs) spans.push({ startMs, endMs });
  return spans;
}

/** The peers named (`S<n>`) in the first line of the failure message. */
function failurePeers(timeline: Timeline): number[] {
  const first = timeline.failure?.message.split('\n')[0] ?? '';
  const named = new Set<number>();
  for (const match of first.matchAll(/\bS(\d+)\b/g)) {
    const peer = Number(match[1]);
    if (peer < timeline.peers) named.add(peer);
  }
  return [...named].sort((a, b) => a - b);
}

/** The state a peer was in at `atMs`, if its lane has a band there. */
export function bandAt(peer: PeerModel, atMs: number): Band | undefined {
  let lo = 0;
  let hi = peer.bands.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const band = peer.bands[mid]!;
    if (atMs < band.startMs) hi = mid - 1;
    else if (atMs >= band.endMs) lo = mid + 1;
    else return band;
  }
  return undefined;
}

/** The value of a step series at `atMs` (0 before its first step). */
export function stepAt(steps: readonly Step[], atMs: number): number {
  let value = 0;
  for (const step of steps) {
    if (step.atMs > atMs) break;
    value = step.value;
  }
  return value;
}

/** The log lines nearest to `atMs`: every line of the closest instant, at most `limit`. */
export function linesNear(lines: readonly LogLine[], atMs: number, limit = 4): LogLine[] {
  if (lines.length === 0) return [];
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.atMs < atMs) lo = mid + 1;
    else hi = mid;
  }
  const before = lines[lo - 1];
  const after = lines[lo];
  const nearest = after === undefined || (before !== undefined && atMs - before.atMs <= after.atMs - atMs) ? before! : after;
  return lines.filter((line) => line.atMs === nearest.atMs).slice(0, limit);
}

/** The log lines written exactly at `atMs` (one 0.1 ms stamp), at most `limit`. */
export function linesAt(lines: readonly LogLine[], atMs: number, limit = 3): LogLine[] {
  const stamp = Math.floor(atMs * 10);
  return lines.filter((line) => Math.round(line.atMs * 10) === stamp).slice(0, limit);
}
