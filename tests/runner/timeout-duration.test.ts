import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDurationMs } from '../../src/runner/duration.js';

describe('parseDurationMs', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['45', 45_000],
    ['0.25', 250],
    ['0', 0],
    ['0s', 0],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 'abc', '-5s', '1m30', '2 m', ' 2m', 's', 'ms', '1d', '1e3', 'Infinity', '5S'])('rejects %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });

  it('rejects what a timer cannot wait for', () => {
    expect(parseDurationMs(`${MAX_DURATION_MS}ms`)).toBe(MAX_DURATION_MS);
    expect(parseDurationMs(`${MAX_DURATION_MS + 1}ms`)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [90_000, '90s'],
    [120_000, '2m'],
    [600_000, '10m'],
    [500, '500ms'],
    [1500, '1.5s'],
    [2000, '2s'],
  ])('writes %i ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
