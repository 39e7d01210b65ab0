import { decode, encode } from '../sim/codec.js';
import type { HardState } from './core.js';
import type { Entry } from './messages.js';

/**
 * The bytes a peer saves: term, vote and log. Terms and commands go in two
 * parallel arrays so that the encoding carries no per-entry field names.
 */
interface StoredState {
  term: number;
  votedFor: number;
  terms: number[];
  commands: unknown[];
}

export function encodeHardState(state: HardState): Uint8Array {
  const terms = new Array<number>(state.entries.length);
  const commands = new Array<unknown>(state.entries.length);
  state.entries.forEach((e, i) => {
    terms[i] = e.term;
    commands[i] = e.command;
  });
  const stored: StoredState = { term: state.term, votedFor: state.votedFor, terms, commands };
  return encode(stored);
}

/** Reads what `encodeHardState` wrote; an empty buffer is a peer's first boot. */
export function decodeHardState(bytes: Uint8Array): HardState | undefined {
  if (bytes.length === 0) return undefined;
  const stored = decode(bytes) as StoredState;
  if (
    typeof stored !== 'object' || stored === null ||
    !Number.isInteger(stored.term) || !Number.isInteger(stored.votedFor) ||
    !Array.isArray(stored.terms) || !Array.isArray(stored.commands) ||
    stored.terms.length !== stored.commands.length
  ) {
    throw new Error('persisted Raft state is corrupt');
  }
  const entries: Entry[] = stored.terms.map((term, i) => ({ term, command: stored.commands[i] }));
  return { term: stored.term, votedFor: stored.votedFor, entries };
}
