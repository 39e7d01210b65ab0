/**
 * A compact binary encoding for the plain values that cross the simulated
 * network and go to the persister: numbers, strings, booleans, null,
 * undefined, byte arrays, arrays and plain objects. Encoding on send and
 * decoding on delivery is what keeps peers from sharing objects, and its
 * sizes are the byte counts that the lab's RPC-byte checks read.
 *
 * The format is a tag byte per value; integers are LEB128 varints, strings
 * are UTF-8 with a varint length, objects list their keys in order.
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

/** Strings shorter than this take the ASCII fast path (their length fits one varint byte). */
const SHORT_STRING = 32;

export class CodecError extends Error {
  override name = 'CodecError';
}

/** Appends encoded values to a growing buffer; `pos` may be rewound to drop a tail. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** An unsigned integer up to 2^53, seven bits a byte. */
  varint(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    // Short strings (field names, mostly) are copied byte by byte while they
    // are ASCII: cheaper than a call into Buffer.write.
    if (s.length < SHORT_STRING) {
      this.ensure(s.length + 1);
      const start = this.pos;
      this.buf[this.pos++] = s.length;
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[this.pos++] = c;
      }
      if (i === s.length) return;
      this.pos = start;
    }
    // UTF-8 needs at most three bytes per UTF-16 unit.
    const max = s.length * 3;
    this.ensure(max + 8);
    const lengthAt = this.pos;
    // Reserve a length slot sized for the worst case, then move if shorter.
    const slot = varintSize(max);
    const written = this.buf.write(s, lengthAt + slot, 'utf8');
    const need = varintSize(written);
    if (need !== slot) this.buf.copy(this.buf, lengthAt + need, lengthAt + slot, lengthAt + slot + written);
    this.varint(written);
    this.pos = lengthAt + need + written;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if (Number.isSafeInteger(v)) {
          if (v >= 0) {
            this.byte(Tag.UInt);
            this.varint(v);
          } else {
            this.byte(Tag.NegInt);
            this.varint(-v);
          }
        } else {
          this.byte(Tag.Float);
          this.ensure(8);
          this.buf.writeDoubleLE(v, this.pos);
          this.pos += 8;
        }
        return;
      case 'string':
        this.byte(Tag.String);
        this.string(v);
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
          this.byte(Tag.Array);
          this.varint(v.length);
          for (const item of v) this.value(item);
        } else if (v instanceof Uint8Array) {
          this.byte(Tag.Bytes);
          this.bytes(v);
        } else {
          const proto: unknown = Object.getPrototypeOf(v);
          if (proto !== Object.prototype && proto !== null) {
            throw new CodecError(`cannot encode an instance of ${(v as object).constructor?.name ?? 'unknown'}; send plain objects`);
          }
          const keys = Object.keys(v);
          this.byte(Tag.Object);
          this.varint(keys.length);
          for (const key of keys) {
            this.string(key);
            this.value((v as Record<string, unknown>)[key]);
          }
        }
        return;
      default:
        throw new CodecError(`cannot encode a value of type ${typeof v}`);
    }
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

/** Reads values written by ByteWriter, in order. */
export class ByteReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new CodecError('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  }

  string(): string {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.buf.length) throw new CodecError('truncated string');
    if (length < SHORT_STRING) {
      let s = '';
      let i = this.pos;
      for (; i < end; i++) {
        const c = this.buf[i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === end) {
        this.pos = end;
        return s;
      }
    }
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return s;
  }

  value(): unknown {
    if (this.pos >= this.buf.length) throw new CodecError('truncated value');
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
        if (this.pos + 8 > this.buf.length) throw new CodecError('truncated float');
        const v = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        return v;
      }
      case Tag.String:
        return this.string();
      case Tag.Array: {
        const n = this.varint();
        // Every element takes at least a byte: a longer count is corrupt, not a reason to allocate.
        if (n > this.buf.length - this.pos) throw new CodecError('truncated array');
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = this.value();
        return out;
      }
      case Tag.Object: {
        const n = this.varint();
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.string();
          const value = this.value();
          // Assigning to `__proto__` would set the prototype instead of a property.
          if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
          else out[key] = value;
        }
        return out;
      }
      case Tag.Bytes: {
        const n = this.varint();
        if (n > this.buf.length - this.pos) throw new CodecError('truncated byte string');
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

/** Encodes a plain value to fresh bytes. */
export function encode(value: unknown): Uint8Array {
  const w = new ByteWriter(256);
  w.value(value);
  return w.buf.subarray(0, w.pos);
}

/** Decodes bytes written by `encode`; the result shares nothing with the input. */
export function decode(bytes: Uint8Array): unknown {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new ByteReader(buf);
  const v = r.value();
  if (r.pos !== buf.length) throw new CodecError(`${buf.length - r.pos} bytes left over after the value`);
  return v;
}
