import { describe, expect, it } from 'vitest';
import { parseLogLine } from '../../../src/cli/dslogs/parse.js';

describe('parseLogLine', () => {
  it('splits an event line into time, topic, peer and message', () => {
    expect(parseLogLine('004213 VOTE S0 grants vote to S1 for term 1')).toEqual({
      time: '004213',
      topic: 'VOTE',
      peer: 0,
      message: 'grants vote to S1 for term 1',
    });
  });

  it('keeps timestamps longer than six digits and peers above 9', () => {
    expect(parseLogLine('12345678 CMIT S12 commit index 7')).toMatchObject({ time: '12345678', peer: 12, message: 'commit index 7' });
  });

  it('reads a harness line as TEST with no peer, keeping the message spacing', () => {
    expect(parseLogLine('035470 TEST   ... Passed --   3.5')).toEqual({
      time: '035470',
      topic: 'TEST',
      peer: undefined,
      message: '  ... Passed --   3.5',
    });
    // A harness message that happens to start like a peer is still the harness's words.
    expect(parseLogLine('000100 TEST S1 crashed')).toMatchObject({ peer: undefined, message: 'S1 crashed' });
  });

  it('accepts an event without a message and an event without a peer', () => {
    expect(parseLogLine('000001 TIMR S3')).toEqual({ time: '000001', topic: 'TIMR', peer: 3, message: '' });
    expect(parseLogLine('000001 WARN no peer here')).toEqual({ time: '000001', topic: 'WARN', peer: undefined, message: 'no peer here' });
  });

  it.each([
    ['a header line', 'Test: TestInitialElection2A (seed 42)'],
    ['a stack trace line', '    at Config.one (file:///project/dist/harness/config.js:120:11)'],
    ['an empty line', ''],
    ['a time shorter than six digits', '04213 VOTE S0 grants vote'],
    ['an unknown topic', '004213 FAIL S0 something'],
    ['a lower-case topic', '004213 vote S0 grants vote'],
    ['a topic of the wrong length', '004213 VOTES S0 grants vote'],
    ['no space after the time', '004213VOTE S0 grants vote'],
  ])('returns undefined for %s', (_what, text) => {
    expect(parseLogLine(text)).toBeUndefined();
  });
});
