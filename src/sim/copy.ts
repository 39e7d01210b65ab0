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
  // Find the copier for this object's list of keys: for-in walks the own keys
  // in Object.keys order (the prototype, checked above, has no enumerable keys
  // of its own) without allocating their list.
  let shape = ROOT_SHAPE;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const next = shape.child(key);
    if (next === undefined) return copyKeyByKey(value);
    shape = next;
  }
  const copier = shape.copier ?? shape.makeCopier();
  return copier === NO_COPIER ? copyKeyByKey(value) : copier(value, copyValue);
}

/** The general case: any keys, each copied and assigned in turn. */
function copyKeyByKey(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
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

/** Copies an object with one given list of keys: an object literal of them, each value through `copy`. */
type Copier = (value: object, copy: (v: unknown) => unknown) => Record<string, unknown>;

/** What a shape has for a copier when its keys cannot be written in an object literal as they are. */
const NO_COPIER: Copier = copyKeyByKey;
/** Keys written in a copier as they are: identifiers (not an array index, not a lone surrogate), but not `__proto__`. */
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Bounds on the shapes remembered, for a Raft whose messages' keys are data (a map by peer name): the rest are copied key by key. */
const SHAPES_MAX = 1024;
const SHAPE_KEYS_MAX = 32;
let shapeCount = 0;

/**
 * The lists of keys objects have been copied with, as a trie: a node per
 * list, holding a copier made for that list. Building the copy as one
 * object literal gives it its final hidden class at once; assigning its
 * keys one by one moved it through one class per key, each a lookup in the
 * engine's transition tree, and that was most of what a copy cost. A Raft
 * sends a handful of message types, so the trie stays small.
 */
class Shape {
  /** The first child's key, and the child: most lists are never a prefix of two others. */
  private firstKey: string | undefined;
  private first: Shape | undefined;
  private others: Map<string, Shape> | undefined;
  copier: Copier | undefined;

  constructor(private readonly keys: readonly string[]) {}

  /** The shape with `key` after these keys; undefined past the bounds. */
  child(key: string): Shape | undefined {
    if (this.firstKey === key) return this.first;
    const known = this.others?.get(key);
    if (known !== undefined) return known;
    if (shapeCount >= SHAPES_MAX || this.keys.length >= SHAPE_KEYS_MAX) return undefined;
    shapeCount++;
    const shape = new Shape([...this.keys, key]);
    if (this.first === undefined) {
      this.firstKey = key;
      this.first = shape;
    } else {
      (this.others ??= new Map()).set(key, shape);
    }
    return shape;
  }

  makeCopier(): Copier {
    if (!this.keys.every((key) => PLAIN_KEY.test(key) && key !== '__proto__')) return (this.copier = NO_COPIER);
    // Only identifiers reach the source text, so the code is exactly these reads and this literal.
    const fields = this.keys.map((key) => `${key}: copy(value.${key})`).join(', ');
    try {
      this.copier = new MakeFunction('value', 'copy', `return { ${fields} };`) as Copier;
    } catch {
      // Code from strings is disallowed (node --disallow-code-generation-from-strings): copy key by key.
      this.copier = NO_COPIER;
    }
    return this.copier;
  }
}

const ROOT_SHAPE = new Shape([]);
/** The Function constructor as this module loaded, whatever a run's code does to the global later. */
const MakeFunction = Function;
