/**
 * The skeleton's StateEncoder (templates/raft.mjs): a save re-encodes only
 * the entries that changed since the previous save, so the work of a run's
 * saves does not grow with the square of the log, and what it writes reads
 * back as the state it was given, through truncations and compactions.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error The template is plain JavaScript with JSDoc types; the test uses it as a user would.
import { decodeState, StateEncoder } from '../../templates/raft.mjs';

interface Entry {
  term: number;
  command: unknown;
}
interface Header {
  currentTerm: number;
  votedFor: number;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
}
interface Encoder {
  encode(header: Header, log: readonly Entry[]): Uint8Array;
}
const decode = decodeState as (data: Uint8Array) => { header: Header; log: Entry[] };

const header = (lastIncludedIndex = 0, lastIncludedTerm = 0): Header => ({ currentTerm: 7, votedFor: 2, lastIncludedIndex, lastIncludedTerm });
const entries = (count: number, from = 1): Entry[] => Array.from({ length: count }, (_, k) => ({ term: 1 + Math.floor((from + k) / 100), command: (from + k) * 31 }));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('StateEncoder', () => {
  it('writes what decodeState reads back: the header, and the log after its placeholder', () => {
    const encoder: Encoder = new StateEncoder();
    const log = [{ term: 0, command: null }, ...entries(5), { term: 3, command: 'a string' }, { term: 3, command: [1, { x: 2 }] }];
    const { header: read, log: back } = decode(encoder.encode(header(), log));
    expect(read).toEqual(header());
    expect(back).toEqual(log);
  });

  it('encodes an appended entry alone, however long the log: a save costs what changed', () => {
    const encoder: Encoder = new StateEncoder();
    const log = [{ term: 0, command: null }, ...entries(10_000)];
    encoder.encode(header(), log);
    const stringify = vi.spyOn(JSON, 'stringify');
    log.push({ term: 200, command: 424242 });
    const bytes = encoder.encode(header(), log);
    // One call for the new entry, one for the header.
    expect(stringify).toHaveBeenCalledTimes(2);
    expect(decode(bytes).log).toEqual(log);
  });

  it('re-encodes from the first entry that is a new object: a truncated and rewritten tail', () => {
    const encoder: Encoder = new StateEncoder();
    let log = [{ term: 0, command: null }, ...entries(1000)];
    encoder.encode(header(), log);
    const stringify = vi.spyOn(JSON, 'stringify');
    log = [...log.slice(0, 901), { term: 50, command: 'x' }, { term: 50, command: 'y' }];
    const bytes = encoder.encode(header(), log);
    expect(stringify).toHaveBeenCalledTimes(3);
    expect(decode(bytes).log).toEqual(log);
    // A shorter log with the same objects re-encodes nothing but the header.
    stringify.mockClear();
    log = log.slice(0, 500);
    expect(decode(encoder.encode(header(), log)).log).toEqual(log);
    expect(stringify).toHaveBeenCalledTimes(1);
  });

  it('keeps the encodings of the entries a compaction leaves (part 2D)', () => {
    const encoder: Encoder = new StateEncoder();
    const log = [{ term: 0, command: null }, ...entries(300)];
    encoder.encode(header(), log);
    const stringify = vi.spyOn(JSON, 'stringify');
    // A snapshot through index 120: log[0] now stands for it, the entries after it are the same objects.
    const compacted = [{ term: log[120]!.term, command: null }, ...log.slice(121)];
    const bytes = encoder.encode(header(120, log[120]!.term), compacted);
    expect(stringify).toHaveBeenCalledTimes(1);
    const back = decode(bytes);
    expect(back.header.lastIncludedIndex).toBe(120);
    expect(back.log).toEqual(compacted);
    // A snapshot past the whole log (installed from a leader) starts afresh.
    expect(decode(encoder.encode(header(900, 9), [{ term: 9, command: null }])).log).toEqual([{ term: 9, command: null }]);
  });

  it('grows its buffer for entries larger than it', () => {
    const encoder: Encoder = new StateEncoder();
    const big = { term: 1, command: 'z'.repeat(20_000) };
    const log = [{ term: 0, command: null }, big, big, ...entries(3, 5)];
    expect(decode(encoder.encode(header(), log)).log).toEqual(log);
  });
});
