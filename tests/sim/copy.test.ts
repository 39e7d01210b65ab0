import { describe, expect, it } from 'vitest';
import { CodecError, decode, encode } from '../../src/sim/codec.js';
import { copyValue } from '../../src/sim/copy.js';
import { makeRandom, type Random } from '../../src/sim/random.js';

/** What the network handed a receiver before it copied directly: the value through the codec. */
const roundTrip = (value: unknown): unknown => decode(encode(value));

/** Asserts the copy is what the round trip gives: the same values, keys in the same order, and the same prototypes. */
function expectSameAsRoundTrip(value: unknown): void {
  const copied = copyValue(value);
  const expected = roundTrip(value);
  expect(copied).toStrictEqual(expected);
  // toStrictEqual tells 0 from -0 but not key order; compare the order too.
  expect(JSON.stringify(copied)).toBe(JSON.stringify(expected));
}

const SCALARS: readonly unknown[] = [0, -0, 1, -1, 127, 2 ** 53 - 1, 2 ** 60, -(2 ** 60), 0.5, -1e-300, Number.NaN, Infinity, -Infinity, '', 'x', 'é', '😀', '\uD800', 'a\uDFFFb', '\uDC00\uD800', true, false, null, undefined];

/** A random plain value up to `depth` deep, of every kind the codec carries. */
function randomValue(random: Random, depth: number): unknown {
  const kind = random.int(depth > 0 ? 6 : 3);
  switch (kind) {
    case 0:
      return SCALARS[random.int(SCALARS.length)];
    case 1:
      return random.int(1000) - 500;
    case 2:
      return new Uint8Array(Array.from({ length: random.int(5) }, () => random.int(256)));
    case 3: {
      const items = Array.from({ length: random.int(5) }, () => randomValue(random, depth - 1));
      // A hole now and then.
      if (items.length > 1 && random.int(3) === 0) delete items[1];
      return items;
    }
    default: {
      const keys = ['term', 'command', 'entries', 'b', 'a', '10', '2', '__proto__', 'ü', '\uD800', '\uDBFF'];
      const out = random.int(4) === 0 ? (Object.create(null) as Record<string, unknown>) : ({} as Record<string, unknown>);
      for (let k = random.int(5); k > 0; k--) {
        const key = keys[random.int(keys.length)]!;
        Object.defineProperty(out, key, { value: randomValue(random, depth - 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

describe('copyValue gives what decode(encode(value)) gives', () => {
  it.each(SCALARS.map((v) => [String(v), v]))('%s', (_name, value) => {
    const copied = copyValue(value);
    expect(Object.is(copied, roundTrip(value))).toBe(true);
  });

  it('-0 becomes 0, as it does through the codec', () => {
    expect(Object.is(copyValue(-0), 0)).toBe(true);
    expect(Object.is((copyValue({ x: -0 }) as { x: number }).x, 0)).toBe(true);
  });

  it('a lone surrogate becomes U+FFFD, in values and in keys', () => {
    expect(copyValue('a\uD800b')).toBe('a\uFFFDb');
    expect(Object.keys(copyValue({ '\uDC00': 1 }) as object)).toEqual(['\uFFFD']);
    expectSameAsRoundTrip({ '\uD800': 1, '\uDBFF': 2, z: 3 });
  });

  it('holes, Buffers, null prototypes, __proto__ keys and integer-like keys', () => {
    // eslint-disable-next-line no-sparse-arrays
    expectSameAsRoundTrip([1, , 3]);
    const buffer = copyValue(Buffer.from([1, 2, 3]));
    expect(Object.getPrototypeOf(buffer)).toBe(Uint8Array.prototype);
    expectSameAsRoundTrip({ b: Buffer.from([4, 5]) });
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = 'v';
    expect(Object.getPrototypeOf(copyValue(bare))).toBe(Object.prototype);
    const polluting = JSON.parse('{"__proto__": {"polluted": true}, "b": 2, "10": 1, "2": 0}') as object;
    const copied = copyValue(polluting) as Record<string, unknown>;
    expect(Object.keys(copied)).toEqual(Object.keys(roundTrip(polluting) as object));
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(copied.polluted).toBeUndefined();
  });

  it('only own enumerable string keys, read through getters', () => {
    const value = Object.defineProperties({ shown: 1, [Symbol('s')]: 2 } as Record<string | symbol, unknown>, {
      hidden: { value: 3, enumerable: false },
      got: { get: () => 4, enumerable: true },
    });
    expect(copyValue(value)).toStrictEqual({ shown: 1, got: 4 });
    expectSameAsRoundTrip(value);
  });

  it('thousands of random values, nested as Raft messages are', () => {
    const random = makeRandom(16);
    for (let i = 0; i < 3000; i++) expectSameAsRoundTrip(randomValue(random, 4));
  });
});

describe('copyValue shares nothing with its input', () => {
  it('no object, array or byte array is the input’s', () => {
    const input = { entries: [{ term: 1, command: [1, 2] }], blob: new Uint8Array([5, 6]), nested: { deeper: {} } };
    const copied = copyValue(input) as typeof input;
    expect(copied).not.toBe(input);
    expect(copied.entries).not.toBe(input.entries);
    expect(copied.entries[0]).not.toBe(input.entries[0]);
    expect(copied.entries[0]!.command).not.toBe(input.entries[0]!.command);
    expect(copied.blob.buffer).not.toBe(input.blob.buffer);
    expect(copied.nested.deeper).not.toBe(input.nested.deeper);
    input.entries[0]!.term = 9;
    input.blob[0] = 0;
    expect(copied.entries[0]!.term).toBe(1);
    expect(copied.blob[0]).toBe(5);
  });
});

describe('copyValue refuses what the codec refuses, with the same error', () => {
  class Point {
    constructor(readonly x: number) {}
  }

  it.each([
    ['a class instance', new Point(1)],
    ['a Map', new Map([[1, 2]])],
    ['a Date', new Date(0)],
    ['an Int32Array', new Int32Array(2)],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 10n],
    ['a class instance deep inside', { entries: [{ command: new Point(2) }] }],
    ['the first bad value, in key order', { a: 1n, b: new Point(3) }],
  ])('%s', (_name, value) => {
    let codecError: unknown;
    try {
      encode(value);
    } catch (error) {
      codecError = error;
    }
    expect(codecError).toBeInstanceOf(CodecError);
    expect(() => copyValue(value)).toThrow(CodecError);
    expect(() => copyValue(value)).toThrow((codecError as Error).message);
  });
});
