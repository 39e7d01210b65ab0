/**
 * The determinism check's log comparison: the first run's log kept as text
 * up to a limit and as hashes after it, the second compared as it comes.
 */
import { describe, expect, it } from 'vitest';
import { FirstLog, LogComparer, lineHash } from '../../src/harness/log-comparison.js';

function compare(first: readonly string[], second: readonly string[], charsMax?: number): string | undefined {
  const log = new FirstLog(charsMax);
  for (const line of first) log.add(line);
  const comparer = new LogComparer(log);
  for (const line of second) comparer.next(line);
  return comparer.finish()?.message;
}

const lines = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(6, '0')} TEST line ${i}`);

describe('LogComparer', () => {
  it('finds no difference between the same lines, and the first one otherwise, quoting both', () => {
    expect(compare(lines, lines)).toBeUndefined();
    const changed = [...lines];
    changed[40] = 'other';
    changed[70] = 'later';
    expect(compare(lines, changed)).toBe(`determinism check: the two runs' logs differ at line 41\n  first run:  ${lines[40]}\n  second run: other`);
  });

  it('names the end of the shorter log', () => {
    expect(compare(lines, lines.slice(0, 60))).toBe(`determinism check: the two runs' logs differ at line 61\n  first run:  ${lines[60]}\n  second run: (end of log)`);
    expect(compare(lines.slice(0, 60), lines)).toBe(`determinism check: the two runs' logs differ at line 61\n  first run:  (end of log)\n  second run: ${lines[60]}`);
  });

  it('keeps the first log as text only up to its limit, and still finds a difference past it', () => {
    const charsMax = 25 * (lines[0]!.length + 1);
    expect(compare(lines, lines, charsMax)).toBeUndefined();
    const changed = [...lines];
    changed[80] = `${lines[80]}!`;
    expect(compare(lines, changed, charsMax)).toBe(
      `determinism check: the two runs' logs differ at line 81\n  first run:  (not kept: past the first 0.0 M characters of the log)\n  second run: ${changed[80]}`,
    );
    changed[80] = lines[80]!;
    changed[10] = 'early';
    expect(compare(lines, changed, charsMax)).toContain(`first run:  ${lines[10]}\n`);
    expect(compare(lines, lines.slice(0, 99), charsMax)).toContain('differ at line 100\n');
  });
});

describe('lineHash', () => {
  it('tells apart lines that differ in one unit, in order or by a swap', () => {
    const hashes = new Set(['', 'a', 'b', 'ab', 'ba', 'abc', 'abd', '000001 TEST x', '000002 TEST x', 'é', '\u0000'].map(lineHash));
    expect(hashes.size).toBe(11);
    expect(Number.isSafeInteger(lineHash('x'.repeat(1000)))).toBe(true);
  });
});
