import { describe, expect, it } from 'vitest';
import type { HardState, PersistentState } from '../../src/raft/core.js';
import type { Entry } from '../../src/raft/messages.js';
import { Persister } from '../../src/harness/persister.js';
import { decodeHardState, HardStateEncoder } from '../../src/raft/persist.js';
import { RaftLog } from '../../src/raft/raft-log.js';
import { makeRandom } from '../../src/sim/random.js';

const SENTINEL: Entry = { term: 0, command: null };

/** The whole state, as a first save (or a save after a restart) sees it. */
function fullState(term: number, votedFor: number, entries: readonly Entry[]): PersistentState {
  return { term, votedFor, snapshotIndex: 0, log: [SENTINEL, ...entries], changedFrom: 1 };
}

/** A state with no snapshot, as the tests of parts 2A–2C write it. */
function hard(term: number, votedFor: number, entries: Entry[]): HardState {
  return { term, votedFor, snapshotIndex: 0, snapshotTerm: 0, entries };
}

function encodeHardState(state: HardState): Uint8Array {
  return new HardStateEncoder().encode({
    term: state.term,
    votedFor: state.votedFor,
    snapshotIndex: state.snapshotIndex,
    log: [{ term: state.snapshotTerm, command: null }, ...state.entries],
    changedFrom: state.snapshotIndex + 1,
  });
}

const COMMANDS: unknown[] = [
  0,
  -17,
  2 ** 53 - 1,
  0.25,
  'put k v',
  'ünïcödé 🎉',
  'x'.repeat(3000),
  null,
  true,
  [1, 'two', [3]],
  { op: 'append', key: 'k', value: 'v', nested: { n: 1 } },
  new Uint8Array([9, 8, 7]),
];

describe('persisted Raft state', () => {
  it.each([
    ['a first boot', hard(0, -1, [])],
    ['a vote and no log', hard(3, 0, [])],
    ['a large term', hard(2 ** 40, 6, [{ term: 2 ** 40, command: 1 }])],
    ['commands of every kind', hard(9, 2, COMMANDS.map((command, i) => ({ term: 1 + (i >> 2), command })))],
    ['a snapshot and no log after it', { term: 4, votedFor: 1, snapshotIndex: 30, snapshotTerm: 3, entries: [] }],
    ['a snapshot and a tail', { term: 5, votedFor: -1, snapshotIndex: 2 ** 33, snapshotTerm: 4, entries: [{ term: 5, command: 'x' }] }],
  ])('round-trips %s', (_what, state: HardState) => {
    expect(decodeHardState(encodeHardState(state))).toStrictEqual(state);
  });

  it('empty bytes are a first boot: no state', () => {
    expect(decodeHardState(new Uint8Array(0))).toBeUndefined();
  });

  it('reads state from a view into a larger buffer', () => {
    const bytes = encodeHardState(hard(4, 1, [{ term: 4, command: 'a' }]));
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(decodeHardState(padded.subarray(5, 5 + bytes.length))).toStrictEqual(hard(4, 1, [{ term: 4, command: 'a' }]));
  });

  it('every truncation, trailing byte or unknown version is reported as corrupt', () => {
    const bytes = encodeHardState(hard(9, 2, COMMANDS.slice(0, 6).map((command) => ({ term: 1, command }))));
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(() => decodeHardState(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow('persisted Raft state is corrupt');
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decodeHardState(longer)).toThrow('1 bytes left over');
    const otherVersion = bytes.slice();
    otherVersion[0] = 1;
    expect(() => decodeHardState(otherVersion)).toThrow('unknown format version 1');
  });

  it('an encoder reused across saves writes exactly what a fresh one would', () => {
    // The encoder keeps the bytes of the unchanged prefix between saves; after
    // appends, truncations, compactions, snapshots that replace the log and
    // term changes the result must still be exact.
    const random = makeRandom(17);
    const log = new RaftLog();
    const reused = new HardStateEncoder();
    let term = 1;
    let votedFor = -1;
    let next = 0;
    for (let save = 0; save < 2000; save++) {
      const op = random.int(10);
      if (op < 6) {
        for (let k = random.int(4); k >= 0; k--) log.append({ term, command: random.int(3) === 0 ? { n: next++ } : `cmd ${next++}` });
      } else if (op < 8 && log.lastIndex > log.snapshotIndex) {
        // Mostly a short conflicting suffix, now and then most of the log.
        const first = log.snapshotIndex + 1;
        log.truncateFrom(random.int(20) === 0 ? first + random.int(log.lastIndex - log.snapshotIndex) : Math.max(first, log.lastIndex - random.int(6)));
        log.append({ term, command: `after truncation ${next++}` });
      } else if (op === 8 && log.lastIndex > log.snapshotIndex) {
        if (random.int(4) === 0) log.resetTo(log.lastIndex + random.int(3), term);
        else log.compactTo(log.snapshotIndex + 1 + random.int(log.lastIndex - log.snapshotIndex));
      } else {
        term++;
        votedFor = random.int(5) - 1;
      }
      const state: PersistentState = { term, votedFor, snapshotIndex: log.snapshotIndex, log: log.view(), changedFrom: log.takeChangedFrom() };
      const incremental = reused.encode(state);
      const fresh = new HardStateEncoder().encode({ ...state, changedFrom: log.snapshotIndex + 1 });
      if (Buffer.compare(Buffer.from(incremental), Buffer.from(fresh)) !== 0) {
        expect(decodeHardState(incremental), `save ${save}`).toStrictEqual(decodeHardState(fresh));
        expect.fail(`save ${save}: same state, different bytes`);
      }
    }
    const changedFrom = log.takeChangedFrom();
    expect(decodeHardState(reused.encode({ term, votedFor, snapshotIndex: log.snapshotIndex, log: log.view(), changedFrom }))).toStrictEqual({
      term,
      votedFor,
      snapshotIndex: log.snapshotIndex,
      snapshotTerm: log.snapshotTerm,
      entries: log.view().slice(1),
    });
    expect(log.lastIndex).toBeGreaterThan(100);
    expect(log.snapshotIndex).toBeGreaterThan(50);
  });

  it('an encoding is a view the next save reuses; the persister keeps its own copy', () => {
    const encoder = new HardStateEncoder();
    const persister = new Persister();
    const first = encoder.encode(fullState(1, 0, [{ term: 1, command: 'a' }]));
    const expected = first.slice();
    persister.save(first);
    encoder.encode(fullState(2, 1, [{ term: 2, command: 'b' }]));
    // The second save wrote over the first's bytes, in the same buffer.
    expect(first).not.toStrictEqual(expected);
    encoder.encode(fullState(3, 2, [{ term: 3, command: 'c'.repeat(5000) }]));
    expect(persister.readRaftState()).toStrictEqual(expected);
    expect(decodeHardState(persister.readRaftState())).toStrictEqual(hard(1, 0, [{ term: 1, command: 'a' }]));
  });
});
