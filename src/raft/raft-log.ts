import type { Entry } from './messages.js';

/** How many of its latest changes a log remembers for `changedSince`; an observer further behind compares the whole log. */
const CHANGE_HISTORY = 64;

/**
 * The replicated log, indexed from 1 as in the paper, holding only the
 * entries after the latest snapshot. Position 0 of the array is a sentinel
 * standing for the last entry the snapshot covers (index `snapshotIndex`,
 * term `snapshotTerm`; index 0 and term 0 before any snapshot), so that "the
 * entry before the first held one" always has a term to compare against.
 */
export class RaftLog {
  private entries: Entry[];
  /** The index of the sentinel: the last index the snapshot covers (0 without one). */
  private offset: number;
  /** The lowest index changed since the last `takeChangedFrom()`, so persistence can skip the rest. */
  private changedFrom: number;
  /** Counts every change (append, truncation, compaction), so an observer can tell an unchanged log at a glance. */
  private changes = 0;
  /** For the latest changes, by version modulo CHANGE_HISTORY: the lowest index that change made differ. */
  private readonly changeFrom: number[] = [];

  constructor(entries: readonly Entry[] = [], snapshotIndex = 0, snapshotTerm = 0) {
    this.entries = [{ term: snapshotTerm, command: null }, ...entries];
    this.offset = snapshotIndex;
    this.changedFrom = snapshotIndex + 1;
  }

  /** The last index covered by the snapshot; entries at or below it are gone. */
  get snapshotIndex(): number {
    return this.offset;
  }

  /** The term of the entry at `snapshotIndex`. */
  get snapshotTerm(): number {
    return this.entries[0]!.term;
  }

  get lastIndex(): number {
    return this.offset + this.entries.length - 1;
  }

  /** Grows with every change to the log; equal values mean the same entries. */
  get version(): number {
    return this.changes;
  }

  get lastTerm(): number {
    return this.entries[this.entries.length - 1]!.term;
  }

  /** The term of the entry at `index`, for snapshotIndex ≤ index ≤ lastIndex; the caller checks. */
  term(index: number): number {
    const entry = this.entries[index - this.offset];
    if (entry === undefined || index < this.offset) throw new RangeError(`no log entry at index ${index} (${this.describe()})`);
    return entry.term;
  }

  /** The entry at `index`, for snapshotIndex < index ≤ lastIndex. */
  entry(index: number): Entry {
    const entry = this.entries[index - this.offset];
    if (entry === undefined || index <= this.offset) throw new RangeError(`no log entry at index ${index} (${this.describe()})`);
    return entry;
  }

  /** Entries from `from` (above the snapshot) to the end; an empty list past the end. */
  from(from: number): Entry[] {
    if (from <= this.offset) throw new RangeError(`entries from ${from} are compacted (${this.describe()})`);
    return this.entries.slice(from - this.offset);
  }

  append(entry: Entry): number {
    this.entries.push(entry);
    this.changed(this.lastIndex);
    this.changedFrom = Math.min(this.changedFrom, this.lastIndex);
    return this.lastIndex;
  }

  /** Drops the entry at `index` and all after it; the snapshot's entries cannot be dropped. */
  truncateFrom(index: number): void {
    if (index <= this.offset) throw new RangeError(`cannot truncate at ${index}: the snapshot covers it (${this.describe()})`);
    const length = index - this.offset;
    if (length < this.entries.length) this.changed(index);
    this.entries.length = Math.min(this.entries.length, length);
    this.changedFrom = Math.min(this.changedFrom, index);
  }

  /**
   * Discards the entries up to and including `index`, which a snapshot now
   * covers; the entries after it stay. The new sentinel keeps that entry's term.
   */
  compactTo(index: number): void {
    if (index <= this.offset || index > this.lastIndex) throw new RangeError(`cannot compact to ${index} (${this.describe()})`);
    const term = this.term(index);
    // A fresh array, so that the discarded entries can be collected.
    this.entries = [{ term, command: null }, ...this.entries.slice(index - this.offset + 1)];
    this.offset = index;
    // The entries still held are the ones held before.
    this.changed(this.lastIndex + 1);
    this.changedFrom = Math.max(this.changedFrom, index + 1);
  }

  /** Discards the whole log for a snapshot that ends at `index` in `term`. */
  resetTo(index: number, term: number): void {
    this.entries = [{ term, command: null }];
    this.offset = index;
    this.changed(index + 1);
    this.changedFrom = index + 1;
  }

  /**
   * Lets go of every held entry, for a peer that is killed: the log then
   * holds only its sentinel, and says so (lastIndex is snapshotIndex). The
   * array is cut in place, so that it holds no entry even while something
   * still refers to it.
   */
  discard(): void {
    this.entries.length = 1;
    this.changed(this.offset + 1);
  }

  /**
   * The lowest index whose entry may differ from the one it held (or did not
   * hold) when `version` was current: past the last index when nothing held
   * changed, the first held index when `version` is too old to tell.
   */
  changedSince(version: number): number {
    if (!Number.isInteger(version) || version > this.changes || version < this.changes - CHANGE_HISTORY) return this.offset + 1;
    let from = this.lastIndex + 1;
    for (let v = version + 1; v <= this.changes; v++) from = Math.min(from, this.changeFrom[v % CHANGE_HISTORY]!);
    return from;
  }

  /** Counts a change that makes the entries from `from` on differ. */
  private changed(from: number): void {
    this.changes++;
    this.changeFrom[this.changes % CHANGE_HISTORY] = from;
  }

  /** The first index holding `term`, searching back from `index` (which holds it) to the first held entry. */
  firstIndexOfTermAt(index: number): number {
    const term = this.term(index);
    let i = index;
    while (i > this.offset + 1 && this.entries[i - 1 - this.offset]!.term === term) i--;
    return i;
  }

  /** The last index holding `term` among the held entries and the sentinel, or -1 if there is none. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.lastIndex; i >= this.offset && i > 0; i--) {
      const t = this.entries[i - this.offset]!.term;
      if (t === term) return i;
      if (t < term) return -1;
    }
    return -1;
  }

  /** The held entries, sentinel first: `view()[k]` is index snapshotIndex + k. Not to be modified. */
  view(): readonly Entry[] {
    return this.entries;
  }

  /** Returns the lowest index changed since the last call (or construction), and starts tracking afresh. */
  takeChangedFrom(): number {
    const from = this.changedFrom;
    this.changedFrom = this.lastIndex + 1;
    return from;
  }

  private describe(): string {
    return this.offset === 0 ? `last is ${this.lastIndex}` : `held ${this.offset + 1}..${this.lastIndex} after a snapshot at ${this.offset}`;
  }
}
