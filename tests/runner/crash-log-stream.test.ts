/**
 * The shared-memory log stream: what the writer writes is what the reader
 * passes on, in order, across chunks; and however much a run logs, the
 * shared memory it holds stays bounded, because a worker that runs ahead of
 * the host waits for it.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MAX_CHUNKS_AHEAD, SharedLogReader, SharedLogWriter, sharedNowMs } from '../../src/runner/log-stream.js';

const yieldToReader = () => new Promise((resolve) => setImmediate(resolve));

function collecting(): { reader: SharedLogReader; text: () => string } {
  const chunks: Buffer[] = [];
  const reader = new SharedLogReader(async (bytes) => {
    chunks.push(Buffer.from(bytes));
  });
  return { reader, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('shared log stream', () => {
  it('passes on every line, in order, once the run is over, including what the last chunk holds', async () => {
    const { reader, text } = collecting();
    const writer = new SharedLogWriter(reader.shared);
    writer.write('000000 TEST first');
    writer.write('');
    writer.write('ünïcödé ✓');
    writer.close();
    await reader.finish();
    expect(text()).toBe('000000 TEST first\n\nünïcödé ✓\n');
  });

  it('says when the run started, on a clock every thread shares', async () => {
    const reader = new SharedLogReader(async () => {});
    expect(reader.startedAtMs()).toBeUndefined();
    const before = sharedNowMs();
    new SharedLogWriter(reader.shared).started();
    expect(reader.startedAtMs()).toBeGreaterThanOrEqual(before);
    expect(reader.startedAtMs()).toBeLessThanOrEqual(sharedNowMs());
    await reader.finish();
  });

  it('moves to new chunks as they fill, including for a line larger than any chunk', async () => {
    const { reader, text } = collecting();
    const writer = new SharedLogWriter(reader.shared);
    const expected: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const line = `${String(i).padStart(6, '0')} LOG1 S${i % 5} appended entries ${'x'.repeat(i % 50)}`;
      writer.write(line);
      expected.push(line);
      // One thread plays both sides here: the reader takes full chunks only when the writer lets the event loop turn.
      if (i % 500 === 0) await yieldToReader();
    }
    const huge = 'é'.repeat(10 * 1024 * 1024);
    writer.write(huge);
    expected.push(huge);
    await yieldToReader();
    writer.write('after the huge line');
    expected.push('after the huge line');
    await reader.finish();
    expect(text()).toBe(expected.map((line) => `${line}\n`).join(''));
  });
});

const writerThread = new URL('./fixtures/log-writer-thread.mjs', import.meta.url);
const builtStream = new URL('../../dist/runner/log-stream.js', import.meta.url);

describe.runIf(existsSync(builtStream))('shared log stream across threads (built)', () => {
  // Issue 11, item 9: a run's log went to the host whole, in memory.
  it('holds a bounded amount of shared memory for a 64 MB log read by a slow host, and loses nothing', async () => {
    const lines = 64 * 1024;
    const lineBytes = 1000;
    let received = 0;
    let lastLine = '';
    let heldMax = 0;
    // A slow disk: each chunk takes 20 ms to pass on.
    const reader: SharedLogReader = new SharedLogReader(async (bytes) => {
      heldMax = Math.max(heldMax, reader.heldBytes);
      received += bytes.length;
      const text = Buffer.from(bytes).toString('utf8');
      lastLine = text.slice(text.lastIndexOf('\n', text.length - 2) + 1, -1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    const worker = new Worker(writerThread, { workerData: { shared: reader.shared, lines, lineBytes }, transferList: [reader.shared.port] });
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await reader.finish();
    await worker.terminate();
    const lineLength = (i: number) => `${i} `.length + lineBytes + 1;
    expect(received).toBe(Array.from({ length: lines }, (_, i) => lineLength(i)).reduce((a, b) => a + b, 0));
    expect(lastLine).toBe(`${lines - 1} ${'x'.repeat(lineBytes)}`);
    // At most MAX_CHUNKS_AHEAD chunks of 8 MB at once, where a worker left to run ahead would leave the whole 64 MB.
    expect(heldMax).toBeLessThanOrEqual((MAX_CHUNKS_AHEAD + 1) * 8 * 1024 * 1024);
  });

  // Issue 11, item 9: a 1.5 GB log from a --raft peer took 1.5 GB of memory, every chunk it had been through
  // waiting for a garbage collector that a thread busy logging never ran.
  it('writes a 200 MB log through a fixed set of chunks, reused once the host has passed them on', async () => {
    const lines = 200 * 1024;
    const lineBytes = 1000;
    let received = 0;
    const reader: SharedLogReader = new SharedLogReader(async (bytes) => {
      received += bytes.length;
    });
    const worker = new Worker(writerThread, { workerData: { shared: reader.shared, lines, lineBytes }, transferList: [reader.shared.port] });
    const { made } = await new Promise<{ made: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await reader.finish();
    await worker.terminate();
    expect(received).toBeGreaterThan(lines * lineBytes);
    // Chunks double from 64 kB to 8 MB (seven sizes), then at most MAX_CHUNKS_AHEAD + 1 of 8 MB are in use at once;
    // a new chunk for each 8 MB would be some 30.
    expect(made).toBeLessThanOrEqual(7 + MAX_CHUNKS_AHEAD + 1);
  });
});
