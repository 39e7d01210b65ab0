import { describe, expect, it } from 'vitest';
import {
  checkSeedRange,
  defaultOutputDir,
  parseIterations,
  parseSeed,
  parseExecCommand,
  parseHeapLimitMb,
  parseMaxFailures,
  parseTimeoutMs,
  parseWorkers,
  resolveLogLevel,
} from '../../src/cli/options.js';
import { UsageError } from '../../src/cli/usage-error.js';

describe('parseSeed', () => {
  it('takes decimal and 0x-hex, up to 2^53 - 1', () => {
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed('1234')).toBe(1234);
    expect(parseSeed('0x2a')).toBe(42);
    expect(parseSeed('0XFF')).toBe(255);
    expect(parseSeed('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseSeed('0x1fffffffffffff')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each(['-1', '9007199254740992', '0x20000000000000', '1.5', '1e3', '', 'abc', '0x', ' 7'])('rejects %j in one line naming it', (value) => {
    expect(() => parseSeed(value)).toThrow(new UsageError(`--seed must be a whole number from 0 to 9007199254740991 (decimal or 0x-hex), got "${value}"`));
  });
});

describe('parseIterations and parseWorkers', () => {
  it('take positive whole numbers', () => {
    expect(parseIterations('1')).toBe(1);
    expect(parseIterations('500')).toBe(500);
    expect(parseWorkers('4')).toBe(4);
    expect(parseWorkers('256')).toBe(256);
  });

  it.each(['0', '-3', '2.5', 'abc', '', '1e2'])('reject -n %j with the allowed range', (value) => {
    expect(() => parseIterations(value)).toThrow(new UsageError(`-n/--iter must be a whole number of at least 1, got "${value}"`));
  });

  it.each(['0', 'abc', '257', '1.5'])('reject -p %j with the allowed range', (value) => {
    expect(() => parseWorkers(value)).toThrow(new UsageError(`-p/--workers must be a whole number from 1 to 256, got "${value}"`));
  });
});

describe('parseTimeoutMs', () => {
  it('takes go test durations and bare seconds, and gives milliseconds', () => {
    expect(parseTimeoutMs('30')).toBe(30_000);
    expect(parseTimeoutMs('0.5')).toBe(500);
    expect(parseTimeoutMs('90s')).toBe(90_000);
    expect(parseTimeoutMs('2m')).toBe(120_000);
    expect(parseTimeoutMs('1m30s')).toBe(90_000);
    expect(parseTimeoutMs('500ms')).toBe(500);
    expect(parseTimeoutMs('1h')).toBe(3_600_000);
    // As in go test, 0 means no limit.
    expect(parseTimeoutMs('0')).toBe(0);
  });

  it.each(['abc', '-1', 'x', '', '1m30', 's', '2 m', '1d', '1e3s', '999h'])('rejects %j naming the value and the form', (value) => {
    expect(() => parseTimeoutMs(value)).toThrow(new UsageError(`invalid --timeout "${value}"; expected a duration like 90s, 2m or 1m30s`));
  });
});

describe('parseMaxFailures', () => {
  it('takes a whole number of at least 1', () => {
    expect(parseMaxFailures('3')).toBe(3);
  });

  it.each(['0', '-1', 'x', '1.5'])('rejects %j', (value) => {
    expect(() => parseMaxFailures(value)).toThrow(new UsageError(`-x/--max-failures must be a whole number of at least 1, got "${value}"`));
  });
});

describe('parseExecCommand', () => {
  it.each(['', '   '])('rejects the empty command %j', (value) => {
    expect(() => parseExecCommand(value)).toThrow(new UsageError(`--exec needs a command to run, got "${value}"`));
  });

  it('keeps a command as given', () => {
    expect(parseExecCommand(' go test ')).toBe(' go test ');
  });
});

describe('parseHeapLimitMb', () => {
  it('is unset when the variable is unset or empty, else a whole number of MB', () => {
    expect(parseHeapLimitMb(undefined)).toBeUndefined();
    expect(parseHeapLimitMb('')).toBeUndefined();
    expect(parseHeapLimitMb('512')).toBe(512);
    expect(() => parseHeapLimitMb('8')).toThrow(/RAFT_DSTEST_HEAP_MB must be a whole number of MB of at least 16, got "8"/);
  });
});

describe('checkSeedRange', () => {
  it('rejects a base whose last run would need a seed past 2^53 - 1', () => {
    expect(() => checkSeedRange(9007199254740990, 2)).not.toThrow();
    expect(() => checkSeedRange(9007199254740990, 3)).toThrow(
      new UsageError('--seed 9007199254740990 with -n 3 would need seeds up to 9007199254740992, above the largest seed 9007199254740991'),
    );
  });
});

describe('resolveLogLevel', () => {
  it('counts -v: debug, then trace', () => {
    expect(resolveLogLevel(1, undefined)).toBe('debug');
    expect(resolveLogLevel(2, undefined)).toBe('trace');
    expect(resolveLogLevel(3, 'none')).toBe('trace');
  });

  it('honours RAFT_LOG when -v is absent, and is quiet by default', () => {
    expect(resolveLogLevel(0, 'trace')).toBe('trace');
    expect(resolveLogLevel(0, 'debug')).toBe('debug');
    expect(resolveLogLevel(0, undefined)).toBe('none');
    expect(resolveLogLevel(1, 'trace')).toBe('debug');
  });

  it('rejects a bad RAFT_LOG as a usage error', () => {
    expect(() => resolveLogLevel(0, 'loud')).toThrow(UsageError);
    expect(() => resolveLogLevel(0, 'loud')).toThrow(/RAFT_LOG=loud/);
  });
});

describe('defaultOutputDir', () => {
  it('is reports/<YYYYmmdd_HHMMSS> in local time', () => {
    expect(defaultOutputDir(new Date(2025, 0, 2, 3, 4, 5))).toBe('reports/20250102_030405');
    expect(defaultOutputDir(new Date(2025, 11, 31, 23, 59, 58))).toBe('reports/20251231_235958');
  });
});
