import { describe, expect, it } from 'vitest';
import { CaptureLog, formatTimestamp, parseLogLevel, TOPICS, type LogLevel } from '../../src/sim/log.js';
import { SimClock } from '../../src/sim/sim-clock.js';

/** The line shape `raft-dslogs` parses. */
const LINE = /^(\d{6,}) ([A-Z0-9]{4}) S(\d+) (.*)$/;

function logAt(level: LogLevel): { clock: SimClock; log: CaptureLog } {
  const clock = new SimClock();
  return { clock, log: new CaptureLog(clock, level) };
}

/** Writes one line of each kind at virtual time 12.34 ms. */
function writeAll(level: LogLevel): string[] {
  const { clock, log } = logAt(level);
  clock.setTimer(12.34, () => {
    log.debug('VOTE', 2, 'debug line');
    log.trace('LOG1', 3, 'trace line');
    log.test('harness line');
  });
  clock.runNext();
  return log.lines;
}

describe('CaptureLog', () => {
  it('keeps only harness lines at level none', () => {
    expect(writeAll('none')).toEqual(['000123 TEST harness line']);
  });

  it('adds debug lines at level debug', () => {
    expect(writeAll('debug')).toEqual(['000123 VOTE S2 debug line', '000123 TEST harness line']);
  });

  it('adds trace lines at level trace', () => {
    expect(writeAll('trace')).toEqual(['000123 VOTE S2 debug line', '000123 LOG1 S3 trace line', '000123 TEST harness line']);
  });

  it.each([
    ['none', false, false],
    ['debug', true, false],
    ['trace', true, true],
  ] as const)('at %s: debugOn %s, traceOn %s', (level, debugOn, traceOn) => {
    const { log } = logAt(level);
    expect(log.debugOn).toBe(debugOn);
    expect(log.traceOn).toBe(traceOn);
  });

  it('peer lines match the dslogs format: time, topic, S<peer>, message', () => {
    const { clock, log } = logAt('trace');
    for (const [i, topic] of TOPICS.entries()) {
      clock.setTimer(i * 1000.05, () => log.trace(topic, i, `message ${i} with spaces`));
    }
    while (clock.runNext());
    expect(log.lines).toHaveLength(TOPICS.length);
    for (const [i, line] of log.lines.entries()) {
      const m = LINE.exec(line);
      expect(m, line).not.toBeNull();
      expect(m![2]).toBe(TOPICS[i]);
      expect(Number(m![3])).toBe(i);
      expect(m![4]).toBe(`message ${i} with spaces`);
      expect(Number(m![1])).toBe(Math.floor(i * 1000.05 * 10));
    }
  });

  it('passes every kept line to the tap, and only those', () => {
    const clock = new SimClock();
    const tapped: string[] = [];
    const log = new CaptureLog(clock, 'debug', (line) => tapped.push(line));
    log.debug('LEAD', 0, 'leader');
    log.trace('LOG2', 0, 'dropped');
    log.test('kept');
    expect(tapped).toEqual(log.lines);
    expect(tapped).toHaveLength(2);
  });
});

describe('formatTimestamp', () => {
  it.each([
    [0, '000000'],
    [0.05, '000000'],
    [0.1, '000001'],
    [1.5, '000015'],
    [99_999.9, '999999'],
    [120_000, '1200000'],
  ])('%s ms is %s', (ms, text) => {
    expect(formatTimestamp(ms)).toBe(text);
  });
});

describe('parseLogLevel', () => {
  it.each([
    [undefined, 'none'],
    ['', 'none'],
    ['none', 'none'],
    ['debug', 'debug'],
    ['trace', 'trace'],
  ] as const)('%s → %s', (value, level) => {
    expect(parseLogLevel(value)).toBe(level);
  });

  it.each(['verbose', 'DEBUG', ' trace', '1'])('rejects %j with a RangeError naming it', (value) => {
    expect(() => parseLogLevel(value)).toThrow(RangeError);
    expect(() => parseLogLevel(value)).toThrow(`RAFT_LOG=${value} is not a log level`);
  });
});
