/**
 * The skeleton's LogVersions (templates/raft.mjs), behind its inspect(): a
 * log's version changes exactly when the log does, found by comparing
 * entries by identity, and the lowest index each change touched lets strict
 * mode compare only what changed.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error The template is plain JavaScript with JSDoc types; the test uses it as a user would.
import { LogVersions } from '../../templates/raft.mjs';

interface Entry {
  term: number;
  command: unknown;
}
interface Versions {
  update(log: readonly Entry[], base: number): number;
  changedSince(version: number): number;
}
const fresh = () => new (LogVersions as new () => Versions)();
const entry = (term: number, command: unknown): Entry => ({ term, command });

describe('the skeleton\'s LogVersions', () => {
  it('keeps the version of an unchanged log, even as a new array of the same entries', () => {
    const versions = fresh();
    const log = [entry(0, null), entry(1, 'a'), entry(1, 'b')];
    const v = versions.update(log, 0);
    expect(versions.update(log, 0)).toBe(v);
    expect(versions.update([...log], 0)).toBe(v);
    expect(versions.changedSince(v)).toBe(3);
  });

  it('gives a new version on an append, a replaced entry, a truncation and a compaction, and the lowest index each touched', () => {
    const versions = fresh();
    const log = [entry(0, null), entry(1, 'a'), entry(1, 'b'), entry(1, 'c')];
    const start = versions.update(log, 0);
    log.push(entry(2, 'd'));
    const appended = versions.update(log, 0);
    expect(appended).not.toBe(start);
    expect(versions.changedSince(start)).toBe(4);
    // An entry replaced in the middle, at the same length.
    log[2] = entry(2, 'x');
    const replaced = versions.update(log, 0);
    expect(replaced).not.toBe(appended);
    expect(versions.changedSince(appended)).toBe(2);
    expect(versions.changedSince(start)).toBe(2);
    log.length = 3;
    const truncated = versions.update(log, 0);
    expect(truncated).not.toBe(replaced);
    // Past the last index: no entry still held changed.
    expect(versions.changedSince(replaced)).toBe(3);
    // A snapshot through index 1: the entry after it is the one held before.
    const compacted = versions.update([entry(1, null), log[2]!], 1);
    expect(compacted).not.toBe(truncated);
    expect(versions.changedSince(truncated)).toBe(3);
    expect(versions.changedSince(start)).toBe(2);
  });

  it('says everything held may differ for a version it cannot tell about', () => {
    const versions = fresh();
    const log = [entry(3, null), entry(3, 'a')];
    const first = versions.update(log, 10);
    // It remembers the latest 64 changes: the first of 65 appends is forgotten.
    for (let k = 0; k < 65; k++) {
      log.push(entry(3, k));
      versions.update(log, 10);
    }
    expect(versions.changedSince(first)).toBe(11);
    expect(versions.changedSince(first + 1)).toBe(13);
    expect(versions.changedSince(Number.NaN)).toBe(11);
    expect(versions.changedSince(first + 1000)).toBe(11);
  });
});
