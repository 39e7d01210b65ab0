import { CodecError } from './codec.js';

/**
 * A deep copy of a plain value: exactly what `decode(encode(value))` gives,
 * refusing what `encode` refuses with the same CodecError, but without the
 * bytes in between. The network copies every request and reply this way,
 * so a receiver never shares an object with its sender, at about a third of
 * the cost of encoding and decoding.
 *
 * What the round trip changes, this changes too: -0 becomes 0 (an integer
 * goes as an unsigned varint), a lone surrogate becomes U+FFFD (strings go
 * as UTF-8), a hole in an array becomes undefined, a Buffer or any other
 * Uint8Array becomes a plain Uint8Array, an object with a null prototype an
 * ordinary one, and only own enumerable string keys are kept, in order.
 * tests/sim/copy.test.ts holds the two to the same results.
 */
export function copyValue(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      // -0 equals 0, and becomes it; any other number is handed on as it is
      // (arithmetic on it could box a fresh copy of a large one).
      return value === 0 ? 0 : value;
    case 'string':
      return wellFormed(value);
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) return copyArray(value);
      if (value instanceof Uint8Array) return new Uint8Array(value);
      return copyObject(value);
    default:
      throw new CodecError(`cannot encode a value of type ${typeof value}`);
  }
}

/** ES2024's string methods, which Node 20 has and the ES2022 typings lack. */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** The string as UTF-8 carries it: each lone surrogate replaced by U+FFFD, as Buffer's encoder does. */
function wellFormed(s: string): string {
  const w = s as unknown as WellFormedString;
  return w.isWellFormed() ? s : w.toWellFormed();
}

function copyArray(items: readonly unknown[]): unknown[] {
  const n = items.length;
  const out = new Array<unknown>(n);
  // Indexes, not an iterator: a hole is read as undefined, as the codec sends it.
  for (let i = 0; i < n; i++) out[i] = copyValue(items[i]);
  return out;
}

function copyObject(value: object): Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new CodecError(`cannot encode an instance of ${value.constructor?.name ?? 'unknown'}; send plain objects`);
  }
  const out: Record<string, unknown> = {};
  // for-in walks the own keys in Object.keys order (the prototype, checked
  // above, has no enumerable keys of its own) without allocating their list.
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const copy = copyValue((value as Record<string, unknown>)[key]);
    const name = wellFormed(key);
    // Assigning to `__proto__` would set the prototype instead of a property.
    if (name === '__proto__') Object.defineProperty(out, name, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[name] = copy;
  }
  return out;
}
