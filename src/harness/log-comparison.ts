/**
 * The determinism check's comparison of its two runs' logs, in memory that
 * does not grow with them: the first run's lines are kept as text up to a
 * limit and as a hash each after it, and the second run's are compared as
 * they are written, so that a peer may log as much as the disk holds with
 * the check on (it is on by default for the first run of a --raft module).
 */
import { DivergenceError } from './event-trace.js';

/** How many characters of the first run's log are kept as text, to be quoted where the second run's differs. */
export const FIRST_LOG_CHARS_MAX = 16 * 1024 * 1024;

/** A line's hash: two 32-bit hashes of its UTF-16 units in one safe integer, 53 bits. */
export function lineHash(line: string): number {
  let fnv = 0x811c9dc5;
  let djb = 5381;
  for (let i = 0; i < line.length; i++) {
    const unit = line.charCodeAt(i);
    fnv = Math.imul(fnv ^ unit, 0x01000193);
    djb = (Math.imul(djb, 33) + unit) | 0;
  }
  return (fnv >>> 0) * 0x200000 + ((djb >>> 0) & 0x1fffff);
}

/** The first run's log: its first lines as text, the rest as hashes. */
export class FirstLog {
  private readonly texts: string[] = [];
  private readonly hashes: number[] = [];
  private chars = 0;

  constructor(private readonly charsMax = FIRST_LOG_CHARS_MAX) {}

  add(line: string): void {
    if (this.hashes.length === 0 && this.chars + line.length + 1 <= this.charsMax) {
      this.texts.push(line);
      this.chars += line.length + 1;
    } else {
      this.hashes.push(lineHash(line));
    }
  }

  get length(): number {
    return this.texts.length + this.hashes.length;
  }

  /** Whether line k (from 0) of this log is `line`; false past its end. */
  matches(k: number, line: string): boolean {
    if (k < this.texts.length) return this.texts[k] === line;
    return this.hashes[k - this.texts.length] === lineHash(line);
  }

  /** Line k as a message quotes it. */
  quote(k: number): string {
    if (k >= this.length) return '(end of log)';
    return k < this.texts.length ? this.texts[k]! : `(not kept: past the first ${(this.charsMax / (1024 * 1024)).toFixed(1)} M characters of the log)`;
  }
}

/** Compares the second run's lines, as they are written, with the first run's. */
export class LogComparer {
  private lines = 0;
  private difference: { k: number; second: string } | undefined;

  constructor(private readonly first: FirstLog) {}

  next(line: string): void {
    if (this.difference === undefined && !this.first.matches(this.lines, line)) this.difference = { k: this.lines, second: line };
    this.lines += 1;
  }

  /** Where the two logs first differ, once the second run is over; undefined when they are the same. */
  finish(): DivergenceError | undefined {
    const difference = this.difference ?? (this.lines < this.first.length ? { k: this.lines, second: '(end of log)' } : undefined);
    if (difference === undefined) return undefined;
    return new DivergenceError(
      `determinism check: the two runs' logs differ at line ${difference.k + 1}\n  first run:  ${this.first.quote(difference.k)}\n  second run: ${difference.second}`,
    );
  }
}
