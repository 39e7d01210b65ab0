import type { RaftMeter } from './raft-meter.js';

/** What a run's saves came to: how many, the bytes they held, and at most how long they took. */
export interface SaveTotals {
  count: number;
  /** Raft state and snapshot bytes, summed over every save. */
  bytes: number;
  /**
   * Wall ms of the Raft's calls up to each save: from the start of the call
   * (or the end of the save before it in the same call) to the save's end.
   * An upper bound on the time spent encoding and saving, since a peer
   * encodes its state just before it saves it.
   */
  ms: number;
}

/**
 * Counts the saves of every peer of a run, so that a Raft whose saves grow
 * with its log (the whole state encoded on every save) is seen for what it
 * is: a slow run, and where its time went. The wall clock is injected, and
 * read only at saves.
 */
export class SaveMeter {
  private readonly totals: SaveTotals = { count: 0, bytes: 0, ms: 0 };
  private lastEndMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly readWallMs: () => number,
    private readonly raft: RaftMeter,
  ) {}

  get result(): SaveTotals {
    return { ...this.totals };
  }

  /** Counts a save of `bytes` bytes, which has just ended: the wall clock is read now. */
  saved(bytes: number): void {
    this.totals.count += 1;
    this.totals.bytes += bytes;
    const endMs = this.readWallMs();
    if (this.raft.running) this.totals.ms += Math.max(0, endMs - Math.max(this.raft.resumedAtMs, this.lastEndMs));
    this.lastEndMs = endMs;
  }
}
