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
const FORMAT_VERSION = 2;

export class HardStateEncoder {
  private readonly body = new ByteWriter(1024);
  /** The snapshot index the cached encodings start after. */
  private base = 0;
  /** `ends[k]` is the body offset just past entry base + k; `ends[0]` is 0. */
  private ends: number[] = [0];

  encode(state: PersistentState): Uint8Array {
    this.rebase(state.snapshotIndex);
    // Keep the encodings of the entries before the first change.
    const keep = Math.max(0, Math.min(state.changedFrom - 1 - this.base, this.ends.length - 1));
    this.ends.length = keep + 1;
    this.body.pos = this.ends[keep]!;
    for (let i = keep + 1; i < state.log.length; i++) {
      const entry = state.log[i]!;
      this.body.varint(entry.term);
      this.body.value(entry.command);
      this.ends.push(this.body.pos);
    }

    const header = new ByteWriter(32);
    header.byte(FORMAT_VERSION);
    header.varint(state.term);
    header.varint(state.votedFor + 1);
    header.varint(state.snapshotIndex);
    header.varint(state.log[0]!.term);
    header.varint(state.log.length - 1);
    const out = new Uint8Array(header.pos + this.body.pos);
    out.set(header.buf.subarray(0, header.pos), 0);
    out.set(this.body.buf.subarray(0, this.body.pos), header.pos);
    return out;
  }

  /** After a compaction, drops the encodings of the entries the snapshot now covers. */
  private rebase(snapshotIndex: number): void {
    if (snapshotIndex === this.base) return;
    const drop = snapshotIndex - this.base;
    if (drop > 0 && drop < this.ends.length) {
      const shift = this.ends[drop]!;
      this.body.buf.copyWithin(0, shift, this.ends[this.ends.length - 1]!);
      this.ends = this.ends.slice(drop).map((end) => end - shift);
    } else {
      this.ends = [0];
    }
    this.base = snapshotIndex;
  }
}

/** Reads what HardStateEncoder wrote; an empty buffer is a peer's first boot. */
export function decodeHardState(bytes: Uint8Array): HardState | undefined {
  if (bytes.length === 0) return undefined;
  const r = new ByteReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
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
