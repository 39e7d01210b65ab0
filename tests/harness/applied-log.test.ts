import { describe, expect, it } from 'vitest';
import { AppliedLog } from '../../src/harness/applied-log.js';

describe('AppliedLog', () => {
  it('holds the indexes applied in order, and tells a held undefined from an index never applied', () => {
    const log = new AppliedLog();
    expect(log.has(0)).toBe(false);
    expect(log.has(1)).toBe(false);
    log.set(1, 'a');
    log.set(2, undefined);
    log.set(3, 0);
    expect([log.has(0), log.has(1), log.has(2), log.has(3), log.has(4)]).toEqual([false, true, true, true, false]);
    expect([log.get(0), log.get(1), log.get(2), log.get(3), log.get(4)]).toEqual([undefined, 'a', undefined, 0, undefined]);
    log.set(2, 'b');
    log.set(0, 'zero');
    expect([...log.entries()]).toEqual([[0, 'zero'], [1, 'a'], [2, 'b'], [3, 0]]);
  });

  it('holds any other index as a map would: far ahead, negative, fractional', () => {
    const log = new AppliedLog();
    log.set(1, 'a');
    log.set(1e12, 'far');
    log.set(-1, 'negative');
    log.set(2.5, 'half');
    expect([log.get(1e12), log.get(-1), log.get(2.5), log.has(2), log.has(1e12 - 1)]).toEqual(['far', 'negative', 'half', false, false]);
    expect([...log.entries()]).toEqual([[1, 'a'], [1e12, 'far'], [-1, 'negative'], [2.5, 'half']]);
  });

  it('an index held apart moves into order once the indexes before it are applied', () => {
    const log = new AppliedLog();
    log.set(3, 'early');
    log.set(1, 'a');
    log.set(2, 'b');
    expect(log.get(3)).toBe('early');
    log.set(3, 'c');
    expect(log.get(3)).toBe('c');
    expect([...log.entries()]).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });
});
