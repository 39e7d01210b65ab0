/**
 * Carries a run's log from its worker to the host as it is written, so that
 * the lines written before a worker is ended (timeout, crash, process.exit,
 * out of memory) are still there to keep.
 *
 * Lines go into shared memory, not messages: a line costs one UTF-8 encode
 * and one atomic store, and needs nothing from the worker's event loop, so
 * even a run that then spins forever in a synchronous loop has every line it
 * wrote before the loop already visible to the host. The memory comes in
 * chunks; the host makes the first, the worker posts each later one over a
 * MessagePort the moment it makes it (before writing to it), and the host
 * drains that port synchronously when it reads.
 *
 * Chunk layout: an Int32 at byte 0 holds how many bytes of text follow the
 * header; text starts at HEADER_BYTES. Lines end in '\n'.
 *
 * The same port tells the host when the run itself starts (after the worker
 * has loaded what it needs), so that a run's time limit is its own and not
 * that of a thread starting on a busy machine.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

const HEADER_BYTES = 8;
const FIRST_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

/** The message that says the run has started; every other message is a chunk. */
const STARTED = 'started';

/** What a task carries so its worker can stream the log: the first chunk and the port for the rest. */
export interface LogSink {
  first: SharedArrayBuffer;
  port: MessagePort;
}

/** Worker side: appends lines to the shared chunks. */
export class SharedLogWriter {
  private chunk: SharedArrayBuffer;
  private bytes: Uint8Array;
  private used: Int32Array;
  private readonly encoder = new TextEncoder();

  constructor(private readonly sink: LogSink) {
    this.chunk = sink.first;
    this.bytes = new Uint8Array(this.chunk);
    this.used = new Int32Array(this.chunk, 0, 1);
  }

  write(line: string): void {
    const text = `${line}\n`;
    if (!this.tryAppend(text)) {
      // Sized so that the next chunks double, and any one line fits (UTF-8 is at most 3 bytes per UTF-16 unit).
      const size = Math.max(Math.min(this.chunk.byteLength * 2, MAX_CHUNK_BYTES), HEADER_BYTES + text.length * 3);
      this.chunk = new SharedArrayBuffer(size);
      this.bytes = new Uint8Array(this.chunk);
      this.used = new Int32Array(this.chunk, 0, 1);
      this.sink.port.postMessage(this.chunk);
      this.tryAppend(text);
    }
  }

  /** Tells the host that the run proper starts now. */
  started(): void {
    this.sink.port.postMessage(STARTED);
  }

  close(): void {
    this.sink.port.close();
  }

  private tryAppend(text: string): boolean {
    const start = HEADER_BYTES + this.used[0]!;
    const { read, written } = this.encoder.encodeInto(text, this.bytes.subarray(start));
    if (read < text.length) return false;
    // The store publishes the bytes: the host reads no further than it says.
    Atomics.store(this.used, 0, this.used[0]! + written);
    return true;
  }
}

/** Host side: makes the sink for one task and reads back whatever its worker wrote. */
export class SharedLogReader {
  private readonly chunks: SharedArrayBuffer[] = [new SharedArrayBuffer(FIRST_CHUNK_BYTES)];
  private readonly channel = new MessageChannel();

  /** The sink to put in the task; its port must go in the transfer list. */
  readonly sink: LogSink = { first: this.chunks[0]!, port: this.channel.port2 };

  /** `onStarted` is called when the worker says the run has started. */
  constructor(private readonly onStarted: () => void = () => {}) {
    this.channel.port1.on('message', (message: unknown) => this.take(message));
  }

  /** Every line written so far, whether or not the worker is still alive. */
  lines(): string[] {
    // Messages not yet dispatched to the listener are taken here, in order.
    for (let message = receiveMessageOnPort(this.channel.port1); message !== undefined; message = receiveMessageOnPort(this.channel.port1)) {
      this.take(message.message);
    }
    const text = this.chunks
      .map((chunk) => Buffer.from(chunk, HEADER_BYTES, Atomics.load(new Int32Array(chunk, 0, 1), 0)).toString('utf8'))
      .join('');
    if (text === '') return [];
    const lines = text.split('\n');
    lines.pop();
    return lines;
  }

  close(): void {
    this.channel.port1.close();
  }

  private take(message: unknown): void {
    if (message === STARTED) this.onStarted();
    else this.chunks.push(message as SharedArrayBuffer);
  }
}
