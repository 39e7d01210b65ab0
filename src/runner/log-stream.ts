/**
 * Carries a run's log from its worker to the host as it is written, so that
 * the lines written before a worker is ended (timeout, crash, process.exit,
 * out of memory) are still there to keep, and so that a log of any size
 * passes through in bounded memory.
 *
 * Lines go into shared memory, not messages: a line costs one UTF-8 encode
 * and one atomic store, and needs nothing from the worker's event loop, so
 * even a run that then spins forever in a synchronous loop has every line it
 * wrote before the loop already visible to the host. The memory comes in
 * chunks; the host makes the first, the worker posts each later one over a
 * MessagePort the moment it makes it (before writing to it) and counts it in
 * a shared word, on which the host waits (Atomics.waitAsync). A new chunk
 * means the one before it is full, so the host passes that one on (to disk)
 * and lets it go, counting it in another word. A worker that runs more than
 * MAX_CHUNKS_AHEAD chunks ahead of the host waits for it, so neither side
 * holds more than that many chunks of a run, however much it logs. A chunk
 * the host has passed on goes back to the worker over the same port, to be
 * written again: shared memory a thread has let go of is freed only when its
 * garbage collector notices, which a thread busy logging may not do for
 * gigabytes, so a long log reuses its chunks instead of making new ones.
 * A short log fits the first chunk and costs no message and no wake-up at all.
 *
 * Chunk layout: an Int32 at byte 0 holds how many bytes of text follow the
 * header; text starts at HEADER_BYTES. Lines end in '\n' and never straddle
 * two chunks. The first chunk's header also holds the shared words: the
 * chunks taken and made (Int32s at bytes 4 and 8) and the run's start (a
 * Float64 at byte 16), so that a run shares one buffer unless it logs much.
 *
 * The shared words also say when the run itself starts (after the worker has
 * loaded what it needs), so that a run's time limit is its own and not that
 * of a thread starting on a busy machine.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { hostWallMs } from '../sim/real-clock.js';

const HEADER_BYTES = 24;
const FIRST_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;
/** How many chunks a worker may have made that the host has not yet taken. */
export const MAX_CHUNKS_AHEAD = 4;
/** How long a waiting worker sleeps between looks, so that ending its thread is never held up. */
const WAIT_SLICE_MS = 50;

/** The shared words in the first chunk's header: Int32 indexes, and the byte of the start time (a Float64). */
const TAKEN = 1;
const MADE = 2;
const START_BYTE = 16;

/** Atomics.waitAsync (in Node since 16), which the ES2022 library this project compiles against does not declare. */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: unknown } }).waitAsync;

/** Milliseconds on a clock every thread of the process shares (a thread's performance.now() is its own). */
export function sharedNowMs(): number {
  // The host's own clock: a stand-in for performance.now fails a simulated run (see guardRun).
  return performance.timeOrigin + hostWallMs();
}

/** What a task carries so its worker can stream the log. */
export interface SharedLog {
  /** The first chunk, whose header holds the shared words. */
  first: SharedArrayBuffer;
  /** Goes in the task's transfer list. */
  port: MessagePort;
}

/** Worker side: appends lines to the shared chunks. */
export class SharedLogWriter {
  private chunk: SharedArrayBuffer;
  private bytes: Uint8Array;
  private used: Int32Array;
  private readonly counts: Int32Array;
  /** Chunks made so far, the host's first one included. */
  private made = 1;
  private readonly encoder = new TextEncoder();

  constructor(private readonly shared: SharedLog) {
    this.chunk = shared.first;
    this.bytes = new Uint8Array(this.chunk);
    this.used = new Int32Array(this.chunk, 0, 1);
    this.counts = new Int32Array(shared.first, 0, 3);
  }

  write(line: string): void {
    const text = `${line}\n`;
    if (this.tryAppend(text)) return;
    this.waitForHost();
    // Sized so that the next chunks double, and any one line fits (UTF-8 is at most 3 bytes per UTF-16 unit).
    const size = Math.max(Math.min(this.chunk.byteLength * 2, MAX_CHUNK_BYTES), HEADER_BYTES + text.length * 3);
    this.chunk = this.recycled(size) ?? new SharedArrayBuffer(size);
    this.bytes = new Uint8Array(this.chunk);
    this.used = new Int32Array(this.chunk, 0, 1);
    Atomics.store(this.used, 0, 0);
    this.made += 1;
    this.shared.port.postMessage(this.chunk);
    Atomics.store(this.counts, MADE, this.made - 1);
    Atomics.notify(this.counts, MADE);
    this.tryAppend(text);
  }

  /** Says that the run proper starts now. */
  started(): void {
    new Float64Array(this.shared.first, START_BYTE, 1)[0] = sharedNowMs();
  }

  close(): void {
    this.shared.port.close();
  }

  /** Blocks until making one more chunk keeps the worker within MAX_CHUNKS_AHEAD of the host. */
  private waitForHost(): void {
    for (;;) {
      const taken = Atomics.load(this.counts, TAKEN);
      if (this.made - taken < MAX_CHUNKS_AHEAD) return;
      Atomics.wait(this.counts, TAKEN, taken, WAIT_SLICE_MS);
    }
  }

  /** A chunk the host has passed on and given back, of at least `size` bytes; smaller ones are let go. */
  private recycled(size: number): SharedArrayBuffer | undefined {
    for (let message = receiveMessageOnPort(this.shared.port); message !== undefined; message = receiveMessageOnPort(this.shared.port)) {
      const chunk = message.message as SharedArrayBuffer;
      if (chunk.byteLength >= size) return chunk;
    }
    return undefined;
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

/**
 * Host side: makes the shared log of one task and passes on, in order, the
 * bytes its worker writes: each chunk as soon as it is full, the rest when
 * the run is over (finish), whether or not the worker is still alive.
 */
export class SharedLogReader {
  /** Chunks not yet passed on whole, oldest first; the last is the one being written. */
  private readonly chunks: SharedArrayBuffer[] = [new SharedArrayBuffer(FIRST_CHUNK_BYTES)];
  /** Bytes of chunks[0] already passed on. */
  private passedBytes = 0;
  private readonly counts = new Int32Array(this.chunks[0]!, 0, 3);
  private readonly channel = new MessageChannel();
  private finished = false;
  /** Passing on is one chain, so the bytes keep their order. */
  private passing: Promise<void> = Promise.resolve();

  /** The shared log to put in the task; its port must go in the transfer list. */
  readonly shared: SharedLog = { first: this.chunks[0]!, port: this.channel.port2 };

  /** `pass` receives the bytes (a copy, whole lines) and resolves when they are taken care of; it must not reject. */
  constructor(private readonly pass: (bytes: Uint8Array) => Promise<void>) {
    void this.watch();
  }

  /** When the worker said the run started, on sharedNowMs()'s clock; undefined before. */
  startedAtMs(): number | undefined {
    const at = new Float64Array(this.shared.first, START_BYTE, 1)[0]!;
    return at === 0 ? undefined : at;
  }

  /** The bytes of shared memory this run's log holds now (for tests of the bound). */
  get heldBytes(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  }

  /** Passes on every byte written so far and stops; for after the run (or its thread) has ended. */
  async finish(): Promise<void> {
    this.finished = true;
    // Wakes the watcher, which sees that it is done.
    Atomics.notify(this.counts, MADE);
    this.takeChunks();
    this.channel.port1.close();
    await this.passing;
    await this.passFrom(this.chunks[0]!);
  }

  /** Waits for the worker to make chunks, and passes the full ones on as they come. */
  private async watch(): Promise<void> {
    let seen = 0;
    while (!this.finished) {
      const wait = waitAsync(this.counts, MADE, seen);
      if (wait.async) await wait.value;
      if (this.finished) return;
      seen = Atomics.load(this.counts, MADE);
      this.takeChunks();
    }
  }

  /** Takes the chunks posted so far (synchronously: the port is never started) and passes the full ones on. */
  private takeChunks(): void {
    let took = false;
    for (let message = receiveMessageOnPort(this.channel.port1); message !== undefined; message = receiveMessageOnPort(this.channel.port1)) {
      this.chunks.push(message.message as SharedArrayBuffer);
      took = true;
    }
    if (took) this.passing = this.passing.then(() => this.passFullChunks());
  }

  /** Passes on every chunk that has a successor (so is full), and lets the worker make more. */
  private async passFullChunks(): Promise<void> {
    while (this.chunks.length > 1) {
      await this.passFrom(this.chunks[0]!);
      const passed = this.chunks.shift()!;
      this.passedBytes = 0;
      // Back to the worker to be written again; never the first, whose header holds the shared words.
      if (passed !== this.shared.first && !this.finished) this.channel.port1.postMessage(passed);
      Atomics.add(this.counts, TAKEN, 1);
      Atomics.notify(this.counts, TAKEN);
    }
  }

  /** Passes on what the chunk holds beyond what was passed already. */
  private async passFrom(chunk: SharedArrayBuffer): Promise<void> {
    const used = Atomics.load(new Int32Array(chunk, 0, 1), 0);
    if (used <= this.passedBytes) return;
    // A copy: the shared memory is let go as soon as this resolves.
    const bytes = new Uint8Array(chunk, HEADER_BYTES + this.passedBytes, used - this.passedBytes).slice();
    this.passedBytes = used;
    await this.pass(bytes);
  }
}
