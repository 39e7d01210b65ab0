import type { Clock } from './clock.js';

/** How much a run writes into its log: the harness always, Raft on request. */
export type LogLevel = 'none' | 'debug' | 'trace';

export const LOG_LEVELS: readonly LogLevel[] = ['none', 'debug', 'trace'];

/** The topics a log line may carry; `raft-dslogs` colours and filters by them. */
export const TOPICS = [
  'TIMR', 'VOTE', 'LEAD', 'TERM', 'LOG1', 'LOG2', 'CMIT', 'PERS', 'SNAP',
  'DROP', 'CLNT', 'TEST', 'INFO', 'WARN', 'ERRO', 'TRCE',
] as const;
export type Topic = (typeof TOPICS)[number];

/**
 * A structured logger. `debug` lines describe protocol events (elections,
 * commits); `trace` lines describe every message. Callers on hot paths check
 * `debugOn` / `traceOn` before building a message, so a quiet run pays nothing.
 */
export interface Logger {
  readonly debugOn: boolean;
  readonly traceOn: boolean;
  debug(topic: Topic, peer: number, message: string): void;
  trace(topic: Topic, peer: number, message: string): void;
  /** A harness line: always kept, whatever the level. */
  test(message: string): void;
}

export function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'none';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new RangeError(`RAFT_LOG=${value} is not a log level; expected one of ${LOG_LEVELS.join(', ')}`);
}

/** Formats the timestamp column: tenths of a millisecond, at least six digits. */
export function formatTimestamp(nowMs: number): string {
  return String(Math.floor(nowMs * 10)).padStart(6, '0');
}

/**
 * Keeps a run's log in memory, one string per line, stamped with the
 * world's clock. In simulation the stamp is virtual time, so a seed always
 * produces the same bytes.
 */
export class CaptureLog implements Logger {
  readonly lines: string[] = [];
  readonly debugOn: boolean;
  readonly traceOn: boolean;

  constructor(
    private readonly clock: Clock,
    readonly level: LogLevel,
    /** Called with every line as it is written (for live output); optional. */
    private readonly tap?: (line: string) => void,
  ) {
    this.debugOn = level !== 'none';
    this.traceOn = level === 'trace';
  }

  debug(topic: Topic, peer: number, message: string): void {
    if (this.debugOn) this.write(`${formatTimestamp(this.clock.now())} ${topic} S${peer} ${message}`);
  }

  trace(topic: Topic, peer: number, message: string): void {
    if (this.traceOn) this.write(`${formatTimestamp(this.clock.now())} ${topic} S${peer} ${message}`);
  }

  test(message: string): void {
    this.write(`${formatTimestamp(this.clock.now())} TEST ${message}`);
  }

  private write(line: string): void {
    this.lines.push(line);
    this.tap?.(line);
  }
}
