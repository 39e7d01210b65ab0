import type { Entry } from './messages.js';

/**
 * The replicated log, indexed from 1 as in the paper; index 0 is a sentinel
 * of term 0 so that "the entry before the first" always exists.
 */
export class RaftLog {
  private readonly entries: Entry[];
  /** The lowest index changed since the last `takeChangedFrom()`, so persistence can skip the rest. */
  private changedFrom: number;
  /** Counts every change (append or truncation), so an observer can tell an unchanged log at a glance. */
  private changes = 0;

  constructor(entries: readonly Entry[] = []) {
    this.entries = [{ term: 0, command: null }, ...entries];
    this.changedFrom = 1;
  }

  get lastIndex(): number {
    return this.entries.length - 1;
  }

  /** Grows with every change to the log; equal values mean the same entries. */
  get version(): number {
    return this.changes;
  }

  get lastTerm(): number {
    return this.entries[this.entries.length - 1]!.term;
  }

  /** The term of the entry at `index`; the caller checks that it exists. */
  term(index: number): number {
    const entry = this.entries[index];
    if (entry === undefined) throw new RangeError(`no log entry at index ${index} (last is ${this.lastIndex})`);
    return entry.term;
  }

  entry(index: number): Entry {
    const entry = this.entries[index];
    if (entry === undefined || index === 0) throw new RangeError(`no log entry at index ${index} (last is ${this.lastIndex})`);
    return entry;
  }

  /** Entries from `from` to the end (an empty list past the end). */
  from(from: number): Entry[] {
    return this.entries.slice(from);
  }

  append(entry: Entry): number {
    this.entries.push(entry);
    this.changes++;
    this.changedFrom = Math.min(this.changedFrom, this.lastIndex);
    return this.lastIndex;
  }

  /** Drops the entry at `index` and all after it. */
  truncateFrom(index: number): void {
    if (index < 1) throw new RangeError(`cannot truncate the sentinel (index ${index})`);
    if (index < this.entries.length) this.changes++;
    this.entries.length = Math.min(this.entries.length, index);
    this.changedFrom = Math.min(this.changedFrom, index);
  }

  /** The first index holding `term`, searching back from `index` (which holds it). */
  firstIndexOfTermAt(index: number): number {
    const term = this.term(index);
    let i = index;
    while (i > 1 && this.entries[i - 1]!.term === term) i--;
    return i;
  }

  /** The last index holding `term`, or -1 if the log has none. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.lastIndex; i > 0; i--) {
      const t = this.entries[i]!.term;
      if (t === term) return i;
      if (t < term) return -1;
    }
    return -1;
  }

  /** The live entries, sentinel included: `view()[i]` is index i. Not to be modified. */
  view(): readonly Entry[] {
    return this.entries;
  }

  /** Returns the lowest index changed since the last call (or construction), and starts tracking afresh. */
  takeChangedFrom(): number {
    const from = this.changedFrom;
    this.changedFrom = this.entries.length;
    return from;
  }
}
