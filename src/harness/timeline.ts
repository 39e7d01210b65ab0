/**
 * A run's timeline: what each peer was (role, term, commit and applied
 * index), when it was crashed, restarted, cut off or reconnected, and every
 * RPC with its fate, all on the run's virtual clock. It is plain JSON data,
 * written beside a kept run's log and drawn by the HTML report's viewer, so
 * this module holds types only: the viewer, bundled for the browser, imports
 * them too.
 *
 * Records are tuples rather than objects because a long run has tens of
 * thousands of RPCs and the report embeds the data whole; the tuple members
 * are named below.
 */

export const TIMELINE_VERSION = 1;

/** A peer's role; `down` while it is crashed. */
export type TimelineRole = 'follower' | 'candidate' | 'leader' | 'down';

/**
 * A peer's state from `atMs` until its next record. `commitIndex` is -1 when
 * the peer offers no inspect() (a `--raft` module without it); `role` is then
 * only `leader` or `follower`, as getState tells.
 */
export type PeerStateRecord = [atMs: number, peer: number, role: TimelineRole, term: number, commitIndex: number, appliedIndex: number];

/** What the harness did to a peer. */
export type ClusterEventKind = 'crash' | 'start' | 'connect' | 'disconnect';
export type ClusterEventRecord = [atMs: number, kind: ClusterEventKind, peer: number];

/** The network's fault settings from `atMs` on. */
export type NetworkModeRecord = [atMs: number, reliable: boolean, longReordering: boolean];

/**
 * How an RPC ended for its caller (labrpc's outcomes); null if the run ended
 * first. `unreachable` is known from the send on, even while the caller waits.
 */
export type RpcOutcome = 'replied' | 'request-lost' | 'reply-lost' | 'reply-discarded' | 'unreachable';

/**
 * One RPC. `delayMs` is the request's delay in the network (unreliable mode)
 * or, for an unreachable peer, the wait before the caller is told; a
 * delivered request has `deliveredMs`; a reply held back by long reordering
 * has `holdMs`; `endedMs` is when the caller got its reply or its failure
 * (null if the run ended before).
 * The summaries show the scalar fields of the arguments and of the reply.
 */
export type RpcRecord = [
  from: number,
  to: number,
  method: string,
  sentMs: number,
  delayMs: number,
  deliveredMs: number | null,
  holdMs: number | null,
  endedMs: number | null,
  outcome: RpcOutcome | null,
  args: string,
  reply: string | null,
];

export interface Timeline {
  version: typeof TIMELINE_VERSION;
  test: string;
  seed: number;
  /** Peers in the cluster; lanes 0 … peers - 1. */
  peers: number;
  /** Whether the peers offered inspect(), so that candidates and commit indexes are known. */
  inspected: boolean;
  /** Virtual time when the run ended. */
  endMs: number;
  /** Where and why the run failed; null for a run that passed. */
  failure: { atMs: number; message: string } | null;
  states: PeerStateRecord[];
  events: ClusterEventRecord[];
  network: NetworkModeRecord[];
  rpcs: RpcRecord[];
  /** The run's log at trace level, one line per entry (DESIGN §5 format). */
  log: string[];
  /** Something the reader should know about how this timeline was taken (e.g. its replay ended differently). */
  note?: string;
}
