import { ByteReader, ByteWriter, CodecError } from '../sim/codec.js';
import type { HardState, PersistentState } from './core.js';
import type { Entry } from './messages.js';

/**
 * The bytes a peer saves: a version byte, term, vote, the snapshot's last
 * index and term, and the entry count, then each entry's term and command
 * (the snapshot itself is saved beside them). Entries are laid end to end so
 * that a save re-encodes only the entries that changed since the previous
 * one; the lab's churn tests save thousands of times over logs of thousands
 * of entries.
 */
const FORMAT_VERSION = 3;
/** The longest header: the version byte and five varints of up to eight bytes each. */
const HEADER_BYTES_MAX = 1 + 5 * 8;

/**
 * Encodes the persistent state incrementally. The body (the entries) sits
 * in one buffer after room for the longest header; each save writes its
 * header just before the body and returns a view of header and body
 * together, so a save allocates nothing and copies nothing. The view is
 * overwritten by the next save: the persister copies what it keeps, as the
 * lab's does.
 */
export class HardStateEncoder {
  private readonly body = new ByteWriter(1024);
  private readonly header = new ByteWriter(HEADER_BYTES_MAX);
  /** The snapshot index the cached encodings start after. */
  private base = 0;
  /**
   * `ends[k]` is the buffer offset just past entry base + k, for k below
   * `endCount`; `ends[0]` is where the body starts. The array is never
   * shortened: setting an array's length below half its capacity makes V8
   * shrink its store, and the next save, growing it again, copy it.
   */
  private ends: number[] = [HEADER_BYTES_MAX];
  private endCount = 1;

  /** The state's bytes, in a view valid until the next call. */
  encode(state: PersistentState): Uint8Array {
    this.rebase(state.snapshotIndex);
    // Keep the encodings of the entries before the first change.
    const keep = Math.max(0, Math.min(state.changedFrom - 1 - this.base, this.endCount - 1));
    const ends = this.ends;
    const body = this.body;
    body.pos = ends[keep]!;
    let count = keep + 1;
    for (let i = keep + 1; i < state.log.length; i++) {
      const entry = state.log[i]!;
      body.varint(entry.term);
      body.value(entry.command);
      if (count < ends.length) ends[count] = body.pos;
      else ends.push(body.pos);
      count++;
    }
    this.endCount = count;

    const header = this.header;
    header.pos = 0;
    header.byte(FORMAT_VERSION);
    header.varint(state.term);
    header.varint(state.votedFor + 1);
    header.varint(state.snapshotIndex);
    header.varint(state.log[0]!.term);
    header.varint(state.log.length - 1);
    const start = HEADER_BYTES_MAX - header.pos;
    // Byte by byte: cheaper for a few dozen bytes than a view to copy from.
    const from = header.buf;
    const to = body.buf;
    for (let i = 0; i < header.pos; i++) to[start + i] = from[i]!;
    // A plain Uint8Array, not a Buffer: its slice() copies, as a caller keeping the bytes expects.
    return new Uint8Array(body.buf.buffer, body.buf.byteOffset + start, body.pos - start);
  }

  /** After a compaction, drops the encodings of the entries the snapshot now covers. */
  private rebase(snapshotIndex: number): void {
    if (snapshotIndex === this.base) return;
    const drop = snapshotIndex - this.base;
    const ends = this.ends;
    if (drop > 0 && drop < this.endCount) {
      const shift = ends[drop]! - HEADER_BYTES_MAX;
      this.body.buf.copyWithin(HEADER_BYTES_MAX, ends[drop]!, ends[this.endCount - 1]!);
      for (let k = drop; k < this.endCount; k++) ends[k - drop] = ends[k]! - shift;
      this.endCount -= drop;
    } else {
      this.endCount = 1;
    }
    this.base = snapshotIndex;
  }
}

/** Reads what HardStateEncoder wrote; an empty buffer is a peer's first boot. */
export function decodeHardState(bytes: Uint8Array): HardState | undefined {
  if (bytes.length === 0) return undefined;
  const r = new ByteReader(bytes);
  try {
    const version = r.varint();
    if (version !== FORMAT_VERSION) throw new CodecError(`unknown format version ${version}`);
    const term = r.varint();
    const votedFor = r.varint() - 1;
    const snapshotIndex = r.varint();
    const snapshotTerm = r.varint();
    const count = r.varint();
    const entries: Entry[] = new Array<Entry>(count);
    for (let i = 0; i < count; i++) {
      const entryTerm = r.varint();
      entries[i] = { term: entryTerm, command: r.value() };
    }
    if (r.pos !== bytes.length) throw new CodecError(`${bytes.length - r.pos} bytes left over`);
    return { term, votedFor, snapshotIndex, snapshotTerm, entries };
  } catch (error) {
    throw new Error(`persisted Raft state is corrupt: ${(error as Error).message}`);
  }
}
