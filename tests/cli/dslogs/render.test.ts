import { describe, expect, it } from 'vitest';
import { parseLogLine, type LogLine } from '../../../src/cli/dslogs/parse.js';
import { renderLine, shouldColor, wrap, type Layout } from '../../../src/cli/dslogs/render.js';
import { ESC } from './io.js';

function line(text: string): LogLine {
  const parsed = parseLogLine(text);
  if (parsed === undefined) throw new Error(`not a log line: ${text}`);
  return parsed;
}

const plain = (columns?: number, width = 120): Layout => ({ width, columns, color: false });

describe('wrap', () => {
  it('leaves text that fits alone', () => {
    expect(wrap('004213 VOTE short', 40, 12)).toEqual(['004213 VOTE short']);
  });

  it('breaks at spaces and hangs later rows under the message', () => {
    const rows = wrap('004213 VOTE one two three four five six seven', 30, 12);
    expect(rows).toEqual(['004213 VOTE one two three four', '            five six seven']);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(30);
  });

  it('cuts a word longer than the row, losing nothing', () => {
    const word = 'x'.repeat(50);
    const rows = wrap(`004213 LOG1 ${word}`, 30, 12);
    expect(rows.every((row) => row.length <= 30)).toBe(true);
    expect(rows.map((row) => row.trim()).join('').replace('004213 LOG1 ', '')).toBe(word);
  });

  it('never splits the time from the topic when there is room for a hanging indent', () => {
    expect(wrap('004213 LOG1 abcdefghijklmnopqrstuvwxyz', 30, 12)[0]).toBe('004213 LOG1 abcdefghijklmnopqr');
  });
});

describe('renderLine', () => {
  it('places a line for S2 with -c 3 at offset 2 × column width', () => {
    // 120 columns (not a terminal) / 3 peers = 40 characters a column.
    const [row] = renderLine(line('004213 VOTE S2 grants vote to S1 for term 1'), plain(3));
    expect(row.slice(0, 80)).toBe(' '.repeat(80));
    expect(row.slice(80)).toBe('004213 VOTE grants vote to S1 for term 1'.slice(0, 39).trimEnd());
  });

  it('puts S0 at the left edge and derives the width from the terminal', () => {
    expect(renderLine(line('000010 LEAD S0 leader for term 2'), plain(3, 90))[0]).toBe('000010 LEAD leader for term 2');
    expect(renderLine(line('000010 LEAD S1 leader for term 2'), plain(3, 90))[0]).toBe(`${' '.repeat(30)}000010 LEAD leader for term 2`);
  });

  it('wraps a long message within its column', () => {
    const rows = renderLine(line(`000010 LOG1 S1 ${'entry '.repeat(20)}`), plain(3));
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(row.slice(0, 40)).toBe(' '.repeat(40));
      expect(row.length).toBeLessThanOrEqual(79);
    }
  });

  it('shows TEST lines full width, from the left edge, even with columns', () => {
    const message = `Test (2B): ${'agreement '.repeat(9)}`.trimEnd();
    const rows = renderLine(line(`000000 TEST ${message}`), plain(3));
    expect(rows).toEqual([`000000 TEST ${message}`]);
    expect(rows[0].length).toBeGreaterThan(40);
  });

  it('shows an event whose peer has no column full width, with its peer', () => {
    expect(renderLine(line('000010 VOTE S5 votes'), plain(3))).toEqual(['000010 VOTE S5 votes']);
  });

  it('without columns prints time, topic, peer and message on one row', () => {
    expect(renderLine(line('004213 VOTE S0 grants vote'), plain())).toEqual(['004213 VOTE S0 grants vote']);
  });

  it('colours each row in its topic colour and resets after it', () => {
    const rows = renderLine(line(`000010 LOG1 S1 ${'entry '.repeat(20)}`), { width: 120, columns: 3, color: true });
    const painted = new RegExp(`^ {40}${ESC}\\[[0-9;]+m.*${ESC}\\[0m$`);
    for (const row of rows) expect(row).toMatch(painted);
    const vote = renderLine(line('000010 VOTE S1 x'), { width: 120, columns: undefined, color: true })[0];
    const erro = renderLine(line('000010 ERRO S1 x'), { width: 120, columns: undefined, color: true })[0];
    expect(vote.slice(0, 8)).not.toBe(erro.slice(0, 8));
  });
});

describe('shouldColor', () => {
  it('colours a terminal and nothing else by default', () => {
    expect(shouldColor(undefined, {}, true)).toBe(true);
    expect(shouldColor(undefined, {}, false)).toBe(false);
    expect(shouldColor(undefined, { TERM: 'dumb' }, true)).toBe(false);
  });

  it('honours NO_COLOR, FORCE_COLOR and the flags, in that order of strength', () => {
    expect(shouldColor(undefined, { NO_COLOR: '1' }, true)).toBe(false);
    expect(shouldColor(undefined, { NO_COLOR: '' }, true)).toBe(true);
    expect(shouldColor(undefined, { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(shouldColor(undefined, { FORCE_COLOR: '0' }, true)).toBe(false);
    expect(shouldColor(undefined, { NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(shouldColor(true, { NO_COLOR: '1' }, false)).toBe(true);
    expect(shouldColor(false, { FORCE_COLOR: '1' }, true)).toBe(false);
  });
});
