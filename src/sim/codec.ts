/**
 * A compact binary encoding for plain values: numbers, strings, booleans,
 * null, undefined, byte arrays, arrays and plain objects. The persister's
 * state, the 2D service's snapshots, the event trace's digests and strict
 * mode's comparisons go through it; the network copies messages with the
 * same result and refusals, without the bytes (copy.ts). The lab's byte
 * counts are gob's sizes (labrpc/gob-size.ts), not these.
 *
 * The format is a tag byte per value; integers are LEB128 varints, strings
 * are UTF-8 with a varint length, objects list their keys in order. A key
 * is a varint: twice its length, followed by its bytes, the first time it
 * appears in a value; then 2k + 1 for the k-th key so written. An
 * AppendEntries names `term` and `command` once, not once per entry.
 *
 * Every save of a run goes through here, so the hot paths are written for
 * speed: one reusable buffer to encode into, encodings handed
 * out as views of a shared slab, short strings decoded through a table of
 * those already seen.
 */

const enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  UInt = 4,
  NegInt = 5,
  Float = 6,
  String = 7,
  Array = 8,
  Object = 9,
  Bytes = 10,
}

/** Strings shorter than this take the ASCII fast path (their length, even doubled, fits one varint byte). */
const SHORT_STRING = 32;
/** The most bytes a varint of a safe integer takes: 53 bits, seven a byte. */
const VARINT_BYTES_MAX = 8;
/** Keys a value may refer back to; later new keys are written out each time. */
const KEY_TABLE_MAX = 64;

export class CodecError extends Error {
  override name = 'CodecError';
}

/** Scratch space to read a float's bytes through. */
const floatScratch = new Float64Array(1);
const floatBytes = new Uint8Array(floatScratch.buffer);
/** Floats go little-endian whatever the host's order. */
const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Appends encoded values to a growing buffer; `pos` may be rewound to drop a tail. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;
  /** The keys written out in the value being encoded, in order: later uses refer to them. */
  private readonly keys: string[] = [];
  private keyCount = 0;

  constructor(capacity: number) {
    // A small first buffer comes from Node's shared pool: a writer per peer
    // (persist.ts) then costs no allocation of memory of its own.
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 16));
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** An unsigned integer up to 2^53, seven bits a byte. */
  varint(n: number): void {
    this.ensure(VARINT_BYTES_MAX);
    this.putVarint(n);
  }

  /** One value, complete in itself: its keys refer only to keys within it. */
  value(v: unknown): void {
    this.keyCount = 0;
    this.write(v);
  }

  /** A varint into room already ensured. */
  private putVarint(n: number): void {
    const buf = this.buf;
    let pos = this.pos;
    // Below 2^31 the bit operators are exact, and far cheaper than division.
    if (n < 0x80000000) {
      while (n >= 0x80) {
        buf[pos++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      buf[pos++] = n;
    } else {
      // Up to 2^53 as two 32-bit halves, shifted together: the remainder and
      // division of doubles would cost many times more.
      let low = n >>> 0;
      let high = (n - low) / 0x1_0000_0000;
      while (high > 0 || low >= 0x80) {
        buf[pos++] = (low & 0x7f) | 0x80;
        low = ((low >>> 7) | (high << 25)) >>> 0;
        high >>>= 7;
      }
      buf[pos++] = low;
    }
    this.pos = pos;
  }

  /**
   * A string's length times `lengthScale` (1 for a string, 2 for a new key),
   * then its UTF-8 bytes.
   */
  private string(s: string, lengthScale: number): void {
    const length = s.length;
    // Short strings (field names, mostly) are copied byte by byte while they
    // are ASCII: cheaper than a call into Buffer.write.
    if (length < SHORT_STRING) {
      this.ensure(length + 1);
      const buf = this.buf;
      const start = this.pos;
      buf[start] = length * lengthScale;
      let i = 0;
      for (; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + 1 + i] = c;
      }
      if (i === length) {
        this.pos = start + 1 + length;
        return;
      }
    }
    // UTF-8 needs at most three bytes per UTF-16 unit.
    const max = length * 3;
    this.ensure(max + VARINT_BYTES_MAX);
    const lengthAt = this.pos;
    // Reserve a length slot sized for the worst case, then move if shorter.
    const slot = varintSize(max * lengthScale);
    const written = this.buf.write(s, lengthAt + slot, 'utf8');
    const need = varintSize(written * lengthScale);
    if (need !== slot) this.buf.copy(this.buf, lengthAt + need, lengthAt + slot, lengthAt + slot + written);
    this.putVarint(written * lengthScale);
    this.pos = lengthAt + need + written;
  }

  private key(key: string): void {
    const keys = this.keys;
    const count = this.keyCount;
    for (let k = 0; k < count; k++) {
      if (keys[k] === key) {
        this.ensure(VARINT_BYTES_MAX);
        this.putVarint(2 * k + 1);
        return;
      }
    }
    if (count < KEY_TABLE_MAX) {
      keys[count] = key;
      this.keyCount = count + 1;
    }
    this.string(key, 2);
  }

  private bytes(b: Uint8Array): void {
    this.ensure(VARINT_BYTES_MAX + b.length);
    this.putVarint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  private write(v: unknown): void {
    switch (typeof v) {
      case 'number':
        this.ensure(1 + VARINT_BYTES_MAX);
        if (Number.isSafeInteger(v)) {
          if (v >= 0) {
            this.buf[this.pos++] = Tag.UInt;
            this.putVarint(v);
          } else {
            this.buf[this.pos++] = Tag.NegInt;
            this.putVarint(-v);
          }
        } else {
          this.buf[this.pos++] = Tag.Float;
          this.float(v);
        }
        return;
      case 'string':
        this.byte(Tag.String);
        this.string(v, 1);
        return;
      case 'boolean':
        this.byte(v ? Tag.True : Tag.False);
        return;
      case 'undefined':
        this.byte(Tag.Undefined);
        return;
      case 'object':
        if (v === null) {
          this.byte(Tag.Null);
        } else if (Array.isArray(v)) {
          this.ensure(1 + VARINT_BYTES_MAX);
          this.buf[this.pos++] = Tag.Array;
          const n = v.length;
          this.putVarint(n);
          // Indexes, not an iterator: a hole is sent as undefined, and no iterator is allocated.
          for (let i = 0; i < n; i++) this.write(v[i]);
        } else if (v instanceof Uint8Array) {
          this.byte(Tag.Bytes);
          this.bytes(v);
        } else {
          this.object(v);
        }
        return;
      default:
        throw new CodecError(`cannot encode a value of type ${typeof v}`);
    }
  }

  /** A float's eight bytes, little-endian, into room already ensured. */
  private float(v: number): void {
    floatScratch[0] = v;
    const buf = this.buf;
    const pos = this.pos;
    for (let i = 0; i < 8; i++) buf[pos + i] = floatBytes[HOST_LITTLE_ENDIAN ? i : 7 - i]!;
    this.pos = pos + 8;
  }

  private object(v: object): void {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new CodecError(`cannot encode an instance of ${v.constructor?.name ?? 'unknown'}; send plain objects`);
    }
    this.ensure(1 + VARINT_BYTES_MAX);
    this.buf[this.pos++] = Tag.Object;
    // The key count goes before the keys; it is known only after them, so
    // leave it one byte (any count below 128) and make room if it needs more.
    const countAt = this.pos++;
    let count = 0;
    // for-in walks the own keys in Object.keys order (the prototype, checked
    // above, has no enumerable keys of its own) without allocating their list.
    for (const key in v) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
      count++;
      this.key(key);
      this.write((v as Record<string, unknown>)[key]);
    }
    if (count < 0x80) {
      this.buf[countAt] = count;
      return;
    }
    const need = varintSize(count);
    this.ensure(need - 1);
    this.buf.copy(this.buf, countAt + need, countAt + 1, this.pos);
    const end = this.pos + need - 1;
    this.pos = countAt;
    this.putVarint(count);
    this.pos = end;
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/**
 * Decoded short ASCII strings, by a hash of their bytes. Field names repeat
 * in every message, and finding one here costs a comparison instead of a new
 * string. A slot holds whichever string was last decoded into it; strings
 * are values, so sharing one never lets two peers share state.
 */
const INTERN_SLOTS = 1024;
const interned: string[] = new Array<string>(INTERN_SLOTS).fill('');
/** Each slot's string as bytes, SHORT_STRING bytes a slot, and its length plus one (0: an empty slot). */
const internedBytes = new Uint8Array(INTERN_SLOTS * SHORT_STRING);
const internedLength = new Uint8Array(INTERN_SLOTS);

/**
 * The engine's own copy of a string, the one it uses for property names:
 * an object built with a key from here needs no lookup of the key first.
 */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

/**
 * The keys of the value being decoded, in order of first appearance.
 * Decoding never calls out, so one reader at a time uses them.
 */
const keyTable: string[] = [];
let keyTableSize = 0;

/** Reads values written by ByteWriter, in order. */
export class ByteReader {
  pos = 0;
  private readonly buf: Uint8Array;
  private readonly end: number;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.end = buf.length;
  }

  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw new CodecError('truncated varint');
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let result = b & 0x7f;
    let scale = 0x80;
    for (;;) {
      if (pos >= this.end) throw new CodecError('truncated varint');
      b = buf[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      scale *= 0x80;
    }
  }

  /** One value, complete in itself (see ByteWriter.value). */
  value(): unknown {
    keyTableSize = 0;
    return this.read();
  }

  /** A string of `length` bytes. */
  private string(length: number): string {
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw new CodecError('truncated string');
    const buf = this.buf;
    if (length < SHORT_STRING) {
      let hash = length;
      let i = start;
      for (; i < end; i++) {
        const c = buf[i]!;
        if (c >= 0x80) break;
        hash = (Math.imul(hash, 31) + c) | 0;
      }
      if (i === end) {
        this.pos = end;
        const slot = hash & (INTERN_SLOTS - 1);
        // Compared byte to byte with the bytes kept beside the string: cheaper than reading the string's characters.
        const at = slot * SHORT_STRING;
        if (internedLength[slot] === length + 1) {
          let k = 0;
          while (k < length && internedBytes[at + k] === buf[start + k]) k++;
          if (k === length) return interned[slot]!;
        }
        let s = '';
        for (let k = start; k < end; k++) s += String.fromCharCode(buf[k]!);
        s = internalized(s);
        interned[slot] = s;
        internedBytes.set(buf.subarray(start, end), at);
        internedLength[slot] = length + 1;
        return s;
      }
    }
    this.pos = end;
    return Buffer.from(buf.buffer, buf.byteOffset + start, length).toString('utf8');
  }

  private key(): string {
    const code = this.varint();
    // Parity survives the 32-bit conversion of `&`, whatever the size.
    if ((code & 1) === 1) {
      const k = (code - 1) / 2;
      if (k >= keyTableSize) throw new CodecError(`key reference ${k} to one of ${keyTableSize} keys`);
      return keyTable[k]!;
    }
    const key = this.string(code / 2);
    if (keyTableSize < KEY_TABLE_MAX) keyTable[keyTableSize++] = key;
    return key;
  }

  private read(): unknown {
    if (this.pos >= this.end) throw new CodecError('truncated value');
    const tag = this.buf[this.pos++] as Tag;
    switch (tag) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.UInt:
        return this.varint();
      case Tag.NegInt:
        return -this.varint();
      case Tag.Float: {
        const pos = this.pos;
        if (pos + 8 > this.end) throw new CodecError('truncated float');
        const buf = this.buf;
        for (let i = 0; i < 8; i++) floatBytes[HOST_LITTLE_ENDIAN ? i : 7 - i] = buf[pos + i]!;
        this.pos = pos + 8;
        return floatScratch[0];
      }
      case Tag.String:
        return this.string(this.varint());
      case Tag.Array: {
        const n = this.varint();
        // Every element takes at least a byte: a longer count is corrupt, not a reason to allocate.
        if (n > this.end - this.pos) throw new CodecError('truncated array');
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = this.read();
        return out;
      }
      case Tag.Object: {
        const n = this.varint();
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.key();
          const value = this.read();
          // Assigning to `__proto__` would set the prototype instead of a property.
          if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
          else out[key] = value;
        }
        return out;
      }
      case Tag.Bytes: {
        const n = this.varint();
        if (n > this.end - this.pos) throw new CodecError('truncated byte string');
        // A copy: a view would let the decoded value alias the encoding.
        const out = new Uint8Array(n);
        out.set(this.buf.subarray(this.pos, this.pos + n));
        this.pos += n;
        return out;
      }
      default:
        throw new CodecError(`unknown tag ${tag as number} at byte ${this.pos - 1}`);
    }
  }
}

/** The writer `encode` reuses: an encoding is copied out of it, so nothing keeps it. */
let scratch = new ByteWriter(4096);
/** Set while `scratch` is in use; an encode started meanwhile (from a getter, say) gets a writer of its own. */
let scratchBusy = false;
/** A scratch buffer grown past this is dropped after use, so one huge value does not stay in memory. */
const SCRATCH_BYTES_KEPT = 1 << 20;

/**
 * Encodings are views of a shared slab, handed out end to end: one small
 * message then costs a view, not a buffer of its own. A slab is freed once
 * no encoding in it is referenced.
 */
const SLAB_BYTES = 64 * 1024;
/** Encodings larger than this get a buffer of their own, so a slab is not wasted on one. */
const SLAB_ITEM_BYTES_MAX = 4 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

function allocate(length: number): Uint8Array {
  if (length > SLAB_ITEM_BYTES_MAX) return new Uint8Array(length);
  if (slabUsed + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, length);
  slabUsed += length;
  return out;
}

/**
 * Encodes a plain value to bytes that no other encoding overlaps and that
 * never change. A small encoding is a view of a slab shared with others:
 * whoever hands it on as a buffer of its own copies it (slice()).
 */
export function encode(value: unknown): Uint8Array {
  if (scratchBusy) return copyOut(writeValue(new ByteWriter(256), value));
  scratchBusy = true;
  try {
    const w = writeValue(scratch, value);
    const out = copyOut(w);
    if (w.buf.length > SCRATCH_BYTES_KEPT) scratch = new ByteWriter(4096);
    return out;
  } finally {
    scratchBusy = false;
  }
}

function writeValue(w: ByteWriter, value: unknown): ByteWriter {
  w.pos = 0;
  w.value(value);
  return w;
}

function copyOut(w: ByteWriter): Uint8Array {
  const length = w.pos;
  const out = allocate(length);
  const buf = w.buf;
  // A short copy is cheaper done here than through a view of the source.
  if (length <= 64) for (let i = 0; i < length; i++) out[i] = buf[i]!;
  else buf.copy(out, 0, 0, length);
  return out;
}

/** Decodes bytes written by `encode`; the result shares nothing with the input. */
export function decode(bytes: Uint8Array): unknown {
  const r = new ByteReader(bytes);
  const v = r.value();
  if (r.pos !== bytes.length) throw new CodecError(`${bytes.length - r.pos} bytes left over after the value`);
  return v;
}
