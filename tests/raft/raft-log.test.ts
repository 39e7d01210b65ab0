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
});
