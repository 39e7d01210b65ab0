import { describe, expect, it } from 'vitest';
import { RaftLog } from '../../src/raft/raft-log.js';
import { entries } from './helpers.js';

describe('RaftLog', () => {
  it('starts with only the term-0 sentinel at index 0', () => {
    const log = new RaftLog();
    expect(log.lastIndex).toBe(0);
    expect(log.lastTerm).toBe(0);
    expect(log.term(0)).toBe(0);
    expect(() => log.entry(0)).toThrow(RangeError);
    expect(() => log.term(1)).toThrow('no log entry at index 1 (last is 0)');
  });

  it('indexes from 1', () => {
    const log = new RaftLog(entries([1, 1, 2]));
    expect(log.lastIndex).toBe(3);
    expect(log.lastTerm).toBe(2);
    expect(log.entry(1)).toEqual({ term: 1, command: 'c1' });
    expect(log.from(2)).toEqual(entries([1, 2], 'c', 2));
    expect(log.from(4)).toEqual([]);
    expect(log.append({ term: 3, command: 'c4' })).toBe(4);
  });

  it('finds the first index of the term at an index, and the last index of a term', () => {
    const log = new RaftLog(entries([1, 1, 3, 3, 3, 5]));
    expect([1, 2, 3, 4, 5, 6].map((i) => log.firstIndexOfTermAt(i))).toEqual([1, 1, 3, 3, 3, 6]);
    expect([1, 2, 3, 4, 5, 6].map((t) => log.lastIndexOfTerm(t))).toEqual([2, -1, 5, -1, 6, -1]);
  });

  it('truncates a suffix but never the sentinel', () => {
    const log = new RaftLog(entries([1, 1, 2, 2]));
    log.truncateFrom(3);
    expect(log.lastIndex).toBe(2);
    log.truncateFrom(10);
    expect(log.lastIndex).toBe(2);
    expect(() => log.truncateFrom(0)).toThrow(RangeError);
  });

  it('tracks the lowest index changed since the last save', () => {
    const log = new RaftLog(entries([1, 1, 1]));
    expect(log.takeChangedFrom()).toBe(1);
    expect(log.takeChangedFrom()).toBe(4);
    log.append({ term: 1, command: 'c4' });
    log.append({ term: 1, command: 'c5' });
    expect(log.takeChangedFrom()).toBe(4);
    log.truncateFrom(3);
    log.append({ term: 2, command: 'x' });
    log.append({ term: 2, command: 'y' });
    expect(log.takeChangedFrom()).toBe(3);
  });

  it('tells an observer the lowest index changed since a version it saw, for its latest changes', () => {
    const log = new RaftLog(entries([1, 1, 1]));
    const start = log.version;
    expect(log.changedSince(start)).toBe(4);
    log.append({ term: 1, command: 'c4' });
    const four = log.version;
    log.truncateFrom(3);
    log.append({ term: 2, command: 'x' });
    expect(log.changedSince(four)).toBe(3);
    expect(log.changedSince(start)).toBe(3);
    // A compaction changes none of the entries still held.
    const beforeCompaction = log.version;
    log.compactTo(2);
    expect(log.changedSince(beforeCompaction)).toBe(4);
    log.append({ term: 2, command: 'y' });
    expect(log.changedSince(beforeCompaction)).toBe(4);
    // A version from the future, too far back or not a version at all: everything held may differ.
    expect(log.changedSince(log.version + 1)).toBe(3);
    expect(log.changedSince(Number.NaN)).toBe(3);
    for (let k = 0; k < 64; k++) log.append({ term: 2, command: k });
    expect(log.changedSince(four)).toBe(3);
    expect(log.changedSince(log.version - 64)).toBe(5);
  });

  it('after a compaction holds only the entries past the snapshot, indexed as before', () => {
    const log = new RaftLog(entries([1, 1, 2, 2, 3]));
    const version = log.version;
    log.compactTo(3);
    expect(log.version).toBeGreaterThan(version);
    expect([log.snapshotIndex, log.snapshotTerm, log.lastIndex, log.lastTerm]).toEqual([3, 2, 5, 3]);
    expect(log.term(3)).toBe(2);
    expect(log.entry(4)).toEqual({ term: 2, command: 'c4' });
    expect(log.from(4)).toEqual(entries([2, 3], 'c', 4));
    expect(log.view()).toHaveLength(3);
    expect(() => log.entry(3)).toThrow('no log entry at index 3 (held 4..5 after a snapshot at 3)');
    expect(() => log.term(2)).toThrow(RangeError);
    expect(() => log.from(3)).toThrow('entries from 3 are compacted');
    expect(() => log.truncateFrom(3)).toThrow('the snapshot covers it');
    expect(() => log.compactTo(3)).toThrow(RangeError);
    expect(() => log.compactTo(6)).toThrow(RangeError);
    expect(log.append({ term: 4, command: 'c6' })).toBe(6);
  });

  it('searches terms only among the held entries and the snapshot\'s last', () => {
    const log = new RaftLog(entries([1, 1, 2, 2, 2, 3]));
    log.compactTo(4);
    expect([5, 6].map((i) => log.firstIndexOfTermAt(i))).toEqual([5, 6]);
    expect([1, 2, 3].map((t) => log.lastIndexOfTerm(t))).toEqual([-1, 5, 6]);
    log.compactTo(6);
    expect(log.lastIndexOfTerm(3)).toBe(6);
  });

  it('a snapshot past the log replaces all of it', () => {
    const log = new RaftLog(entries([1, 1]));
    log.takeChangedFrom();
    log.resetTo(10, 4);
    expect([log.snapshotIndex, log.snapshotTerm, log.lastIndex, log.lastTerm]).toEqual([10, 4, 10, 4]);
    expect(log.takeChangedFrom()).toBe(11);
    expect(log.append({ term: 5, command: 'c11' })).toBe(11);
  });

  it('discard lets go of every held entry in place, keeping the snapshot\'s place', () => {
    const log = new RaftLog(entries([3, 3], 'c', 8), 7, 2);
    const held = log.view();
    const version = log.version;
    log.discard();
    expect([log.snapshotIndex, log.snapshotTerm, log.lastIndex, log.lastTerm]).toEqual([7, 2, 7, 2]);
    // The array handed out before is cut too: nothing it holds keeps an entry alive.
    expect(held).toHaveLength(1);
    expect(log.version).toBeGreaterThan(version);
  });

  it('starts after a restored snapshot', () => {
    const log = new RaftLog(entries([3, 3], 'c', 8), 7, 2);
    expect([log.snapshotIndex, log.snapshotTerm, log.lastIndex]).toEqual([7, 2, 9]);
    expect(log.entry(8)).toEqual({ term: 3, command: 'c8' });
    expect(log.takeChangedFrom()).toBe(8);
  });
});
