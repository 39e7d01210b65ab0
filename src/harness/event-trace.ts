import { encode } from '../sim/codec.js';
import type { PeerObserver } from './peer-taps.js';
import { TestFailure } from './test-context.js';

/**
 * What a run did, event by event, as the determinism check sees it: each
 * event is the list of observable things that happened in it (messages sent
 * and their replies, state saved, commands applied), stamped with its time.
 * Two runs of one seed must produce the same trace.
 */
export interface EventTrace {
  /** Something observable happened during the current event. */
  note(fact: string): void;
  /** The current event ended; the facts noted since the last one belong to it. */
  endEvent(nowMs: number): void;
}

/** Two runs of one seed went different ways. */
export class DivergenceError extends TestFailure {
  override name = 'DivergenceError';
}

/** The longest account of one event a divergence message shows. */
const FACTS_SHOWN_CHARS = 400;

/** The facts of the event in progress, and the hash of every event so far. */
abstract class RunningTrace implements EventTrace {
  private facts: string[] = [];
  protected hash = FNV_OFFSET;

  note(fact: string): void {
    this.facts.push(fact);
  }

  abstract endEvent(nowMs: number): void;

  /** Closes the current event: folds it into the running hash and returns its account. */
  protected close(nowMs: number): string {
    const text = eventText(nowMs, this.facts);
    this.facts = [];
    this.hash = fnv1a(text, this.hash);
    return text;
  }
}

/** Records a run's trace: a running hash after each event, and each event's facts for the message. */
export class TraceRecorder extends RunningTrace {
  readonly hashes: number[] = [];
  readonly events: string[] = [];

  endEvent(nowMs: number): void {
    this.events.push(this.close(nowMs));
    this.hashes.push(this.hash);
  }
}

/**
 * Replays a recorded trace against a second run of the same seed and throws
 * a DivergenceError at the first event whose running hash differs.
 */
export class TraceComparer extends RunningTrace {
  private count = 0;

  constructor(private readonly first: TraceRecorder) {
    super();
  }

  endEvent(nowMs: number): void {
    const text = this.close(nowMs);
    const k = this.count++;
    if (k >= this.first.hashes.length) {
      throw new DivergenceError(`determinism check: the second run goes on past event #${k}, where the first run ended; second run: ${clip(text)}`);
    }
    if (this.hash !== this.first.hashes[k]) {
      throw new DivergenceError(
        `determinism check: the two runs of this seed diverge at event #${k}\n  first run:  ${clip(this.first.events[k]!)}\n  second run: ${clip(text)}`,
      );
    }
  }

  /** Throws if the second run ended before the first did. */
  finish(): void {
    if (this.count < this.first.hashes.length) {
      throw new DivergenceError(
        `determinism check: the second run ended after ${this.count} events, the first after ${this.first.hashes.length}; the first run's next event: ${clip(this.first.events[this.count]!)}`,
      );
    }
  }
}

/** Notes each message sent, each reply as it arrives, and each save, in the trace. */
export function traceObserver(trace: EventTrace): PeerObserver {
  return {
    sent: (from, to, method, args) => trace.note(`S${from}->S${to} ${method} ${digest(args)}`),
    replyArrived: (from, to, method, _args, reply) => trace.note(`S${from}<-S${to} ${method} ${reply === undefined ? 'lost' : digest(reply)}`),
    saved: (me, raftState, snapshot) =>
      trace.note(`S${me} save ${stateDigest(raftState)}${snapshot === undefined ? '' : ` with snapshot ${stateDigest(snapshot)}`}`),
  };
}

/** A short stand-in for a message or reply: its size and a hash of its encoding. */
export function digest(value: unknown): string {
  return bytesDigest(encode(value));
}

/**
 * A stand-in for a saved state: its size and a hash of its first and last
 * bytes only. A save holds the whole log, so hashing all of it would cost
 * the check more than the run. A user's Raft may lay its state out any way,
 * but a state that differs almost always differs in size, or in a header
 * (term, vote) or tail (the newest entries) — and any difference that
 * matters soon shows in the messages, which are hashed whole.
 */
export function stateDigest(state: Uint8Array): string {
  if (state.length <= 2 * STATE_BYTES_HASHED) return bytesDigest(state, 0, state.length);
  const head = bytesDigest(state, 0, STATE_BYTES_HASHED);
  return `${head}+${bytesDigest(state, state.length - STATE_BYTES_HASHED, state.length)}`;
}

/** How many bytes at each end of a saved state the trace hashes. */
const STATE_BYTES_HASHED = 32;

/** The length of `bytes` and the FNV-1a hash of bytes [from, to). */
function bytesDigest(bytes: Uint8Array, from = 0, to = bytes.length): string {
  let hash = FNV_OFFSET;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME) >>> 0;
  return `${bytes.length}B#${hash.toString(16).padStart(8, '0')}`;
}

function eventText(nowMs: number, facts: readonly string[]): string {
  return `t=${(nowMs / 1000).toFixed(4)}s ${facts.length === 0 ? '(nothing observable)' : facts.join('; ')}`;
}

function clip(text: string): string {
  return text.length <= FACTS_SHOWN_CHARS ? text : `${text.slice(0, FACTS_SHOWN_CHARS)}…`;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over a string's UTF-16 code units, continuing from `hash`. */
function fnv1a(text: string, hash: number): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME) >>> 0;
  return h;
}
