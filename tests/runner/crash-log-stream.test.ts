/**
 * The shared-memory log stream, in one thread: what the writer has written
 * is what the reader reads, at any moment, across chunks.
 */
import { describe, expect, it } from 'vitest';
import { SharedLogReader, SharedLogWriter } from '../../src/runner/log-stream.js';

describe('shared log stream', () => {
  it('reads nothing before the first line and every line, in order, after', () => {
    const reader = new SharedLogReader();
    const writer = new SharedLogWriter(reader.sink);
    expect(reader.lines()).toEqual([]);
    writer.write('000000 TEST first');
    // Readable at once: nothing waits for an event loop turn.
    expect(reader.lines()).toEqual(['000000 TEST first']);
    writer.write('');
    writer.write('ünïcödé ✓');
    expect(reader.lines()).toEqual(['000000 TEST first', '', 'ünïcödé ✓']);
    writer.close();
    reader.close();
  });

  it('moves to new chunks as they fill, including for a line larger than any chunk', () => {
    const reader = new SharedLogReader();
    const writer = new SharedLogWriter(reader.sink);
    const expected: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const line = `${String(i).padStart(6, '0')} LOG1 S${i % 5} appended entries ${'x'.repeat(i % 50)}`;
      writer.write(line);
      expected.push(line);
    }
    const huge = 'é'.repeat(10 * 1024 * 1024);
    writer.write(huge);
    expected.push(huge);
    writer.write('after the huge line');
    expected.push('after the huge line');
    expect(reader.lines()).toEqual(expected);
    writer.close();
    reader.close();
  });
});
