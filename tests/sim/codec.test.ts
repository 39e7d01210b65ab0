import { describe, expect, it } from 'vitest';
import { CodecError, decode, encode } from '../../src/sim/codec.js';
import { makeRandom } from '../../src/sim/random.js';

const LONG_ASCII = 'abcdefghij'.repeat(500);

/** Every kind of value the codec carries, nested the way Raft messages are. */
const SAMPLE = {
  term: 7,
  entries: [
    { term: 1, command: 42 },
    { term: 2, command: 'put x 1' },
    { term: 2, command: [1.5, -3, null, undefined, true, false] },
  ],
  blob: new Uint8Array([0, 1, 127, 128, 255]),
  nested: { deeper: { deepest: ['ünïcödé', '🎉', { empty: {} }, []] } },
  big: Number.MAX_SAFE_INTEGER,
  text: LONG_ASCII,
};

describe('codec round trips', () => {
  it.each([
    ['zero', 0],
    ['one', 1],
    ['127 (one varint byte)', 127],
    ['128 (two varint bytes)', 128],
    ['2^32', 2 ** 32],
    ['2^53-1', Number.MAX_SAFE_INTEGER],
    ['-1', -1],
    ['-(2^53-1)', -Number.MAX_SAFE_INTEGER],
    ['a float', 3.141592653589793],
    ['a negative float', -0.000123],
    ['an unsafe integer', 2 ** 60],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['NaN', Number.NaN],
    ['the empty string', ''],
    ['ASCII', 'hello'],
    ['31 ASCII chars (longest short string)', 'x'.repeat(31)],
    ['32 ASCII chars', 'x'.repeat(32)],
    ['43 ASCII chars (length slot shrinks)', 'y'.repeat(43)],
    ['non-ASCII', 'héllo wörld'],
    ['short non-ASCII', 'é'],
    ['CJK', '日本語のテキスト'],
    ['emoji', '😀👍🏽🇳🇱'],
    ['43 two-byte chars', 'é'.repeat(43)],
    ['a 5000-char string', LONG_ASCII],
    ['a 5000-char non-ASCII string', 'ж'.repeat(5000)],
    ['true', true],
    ['false', false],
    ['null', null],
    ['undefined', undefined],
    ['an empty array', []],
    ['an empty object', {}],
    ['an empty Uint8Array', new Uint8Array(0)],
    ['a Uint8Array', new Uint8Array([1, 2, 3, 250])],
    ['nested values', SAMPLE],
  ])('%s', (_name, value) => {
    expect(decode(encode(value))).toStrictEqual(value);
  });

  it('keeps object key order and holes become undefined', () => {
    const decoded = decode(encode({ b: 1, a: 2, c: 3 })) as object;
    expect(Object.keys(decoded)).toEqual(['b', 'a', 'c']);
    // eslint-disable-next-line no-sparse-arrays
    expect(decode(encode([1, , 3]))).toEqual([1, undefined, 3]);
  });

  it('accepts an object with a null prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = 'v';
    expect(decode(encode(bare))).toEqual({ k: 'v' });
  });

  it('round-trips a key named __proto__ as an ordinary property', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "b": 2}') as object;
    const decoded = decode(encode(value)) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decoded.polluted).toBeUndefined();
    // What was decoded can be sent on again.
    expect(() => encode(decoded)).not.toThrow();
  });

  it('round-trips random strings of every length band', () => {
    const random = makeRandom(31);
    const alphabet = ['a', 'Z', '~', '\u0000', 'é', 'ж', '中', '😀', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff'];
    for (let i = 0; i < 2000; i++) {
      const length = random.int(i % 10 === 0 ? 3000 : 80);
      let s = '';
      for (let j = 0; j < length; j++) s += alphabet[random.int(alphabet.length)];
      const decoded = decode(encode(s));
      if (decoded !== s) expect(decoded).toBe(s);
    }
  });
});

describe('codec isolation', () => {
  it('the decoded value shares no object with the input', () => {
    const input = structuredClone(SAMPLE);
    const decoded = decode(encode(input)) as typeof SAMPLE;
    expect(decoded).toEqual(input);
    expect(decoded).not.toBe(input);
    expect(decoded.entries).not.toBe(input.entries);
    expect(decoded.entries[0]).not.toBe(input.entries[0]);
    expect(decoded.blob).not.toBe(input.blob);
    expect(decoded.blob.buffer).not.toBe(input.blob.buffer);
    // Changing one side leaves the other alone.
    input.entries[0]!.command = 'changed';
    input.blob[0] = 99;
    expect(decoded.entries[0]!.command).toBe(42);
    expect(decoded.blob[0]).toBe(0);
  });

  it('decoded bytes do not alias the encoded buffer', () => {
    const bytes = encode({ blob: new Uint8Array([5, 6, 7]) });
    const decoded = decode(bytes) as { blob: Uint8Array };
    bytes.fill(0);
    expect(Array.from(decoded.blob)).toEqual([5, 6, 7]);
  });

  it('an encoding does not change when the input changes afterwards', () => {
    const input = { xs: [1, 2, 3] };
    const bytes = encode(input);
    const snapshot = Array.from(bytes);
    input.xs.push(4);
    encode({ other: 'value that reuses buffers' });
    expect(Array.from(bytes)).toEqual(snapshot);
    expect(decode(bytes)).toEqual({ xs: [1, 2, 3] });
  });
});

describe('codec rejects what it cannot carry', () => {
  class Point {
    constructor(readonly x: number) {}
  }

  it.each([
    ['a class instance', new Point(1), 'instance of Point'],
    ['a Map', new Map([[1, 2]]), 'instance of Map'],
    ['a Date', new Date(0), 'instance of Date'],
    ['a function', () => 1, 'type function'],
    ['a symbol', Symbol('s'), 'type symbol'],
    ['a bigint', 10n, 'type bigint'],
    ['a class instance deep inside', { entries: [{ command: new Point(2) }] }, 'instance of Point'],
  ])('%s', (_name, value, message) => {
    expect(() => encode(value)).toThrow(CodecError);
    expect(() => encode(value)).toThrow(message);
  });

  it('every truncation of a valid encoding is a CodecError', () => {
    const values: unknown[] = [SAMPLE, 1.5, [2.5, 'x'], new Uint8Array(10), [new Uint8Array(10), 1], 'é'.repeat(40), 300];
    for (const value of values) {
      const bytes = encode(value);
      for (let cut = 0; cut < bytes.length; cut++) {
        let error: unknown;
        try {
          decode(bytes.subarray(0, cut));
        } catch (e) {
          error = e;
        }
        expect(error, `${JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v))?.slice(0, 40)} cut at ${cut}`).toBeInstanceOf(CodecError);
      }
    }
  });

  it('trailing bytes are a CodecError', () => {
    for (const value of [0, 'abc', { a: 1 }, [1, 2], new Uint8Array([1])]) {
      const bytes = encode(value);
      const longer = new Uint8Array(bytes.length + 1);
      longer.set(bytes);
      expect(() => decode(longer)).toThrow(CodecError);
      expect(() => decode(longer)).toThrow('1 bytes left over');
    }
  });

  it('an unknown tag is a CodecError naming it', () => {
    expect(() => decode(Uint8Array.from([200]))).toThrow(CodecError);
    expect(() => decode(Uint8Array.from([200]))).toThrow('unknown tag 200');
  });

  it('a length longer than the input is a CodecError, not a huge allocation', () => {
    // Tag then a varint of 2^52: no array, object or byte string can be that long here.
    const huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x08];
    for (const tag of [8, 9, 10]) {
      expect(() => decode(Uint8Array.from([tag, ...huge]))).toThrow(CodecError);
    }
  });
});

describe('codec sizes', () => {
  it.each([
    ['0', 0, 2],
    ['127', 127, 2],
    ['128', 128, 3],
    ['2^53-1', Number.MAX_SAFE_INTEGER, 9],
    ['-1', -1, 2],
    ['a float', 0.5, 9],
    ['true', true, 1],
    ['null', null, 1],
    ['a 5-byte Uint8Array', new Uint8Array(5), 7],
    ['"é" (two UTF-8 bytes)', 'é', 4],
    ['"😀" (four UTF-8 bytes)', '😀', 6],
    ['{a: 1}', { a: 1 }, 6],
    ['[1, 2, 3]', [1, 2, 3], 8],
  ])('%s encodes in %s bytes', (_name, value, size) => {
    expect(encode(value).length).toBe(size);
  });

  it('a 5000-char ASCII string costs at most 4 bytes of overhead', () => {
    const size = encode(LONG_ASCII).length;
    expect(size).toBeGreaterThanOrEqual(5000);
    expect(size).toBeLessThanOrEqual(5004);
  });

  it('a 5000-char string of two-byte characters takes two bytes a character', () => {
    const size = encode('ж'.repeat(5000)).length;
    expect(size).toBeGreaterThanOrEqual(10_000);
    expect(size).toBeLessThanOrEqual(10_004);
  });
});

describe('codec keys, shared buffers and repeat encodings', () => {
  const appendEntries = (n: number) => ({
    term: 3,
    leaderId: 1,
    prevLogIndex: 10,
    prevLogTerm: 2,
    entries: Array.from({ length: n }, (_, i) => ({ term: 3, command: i % 2 === 0 ? i : `put k${i}` })),
    leaderCommit: 9,
  });
  const occurrences = (bytes: Uint8Array, word: string) => Buffer.from(bytes).toString('latin1').split(word).length - 1;

  it('writes a key once per value and refers back to it after that', () => {
    const bytes = encode(appendEntries(100));
    expect(occurrences(bytes, 'command')).toBe(1);
    expect(occurrences(bytes, 'term')).toBe(1);
    expect(decode(bytes)).toStrictEqual(appendEntries(100));
    // Each value starts its own table: a second value names its keys again.
    expect(occurrences(encode([appendEntries(1), appendEntries(1)]), 'command')).toBe(1);
    expect(occurrences(encode(appendEntries(1)), 'command')).toBe(1);
  });

  it('round-trips objects with more keys than one count byte and the key table hold', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 300; i++) wide[`key${i}`] = i;
    const value = { wide, again: [wide, { key0: 'x', key299: 'y', key150: 'z' }] };
    expect(decode(encode(value))).toStrictEqual(value);
  });

  it('round-trips long, non-ASCII and empty keys, each used twice', () => {
    const keys = ['', 'é', '日本', 'k'.repeat(31), 'k'.repeat(32), 'long key '.repeat(40), '😀'];
    const one = Object.fromEntries(keys.map((k, i) => [k, i]));
    const value = [one, { ...one }, { inner: one }];
    expect(decode(encode(value))).toStrictEqual(value);
  });

  it('decodes thousands of distinct short strings right, whatever they share a table slot with', () => {
    const random = makeRandom(7);
    const strings = Array.from({ length: 5000 }, () => {
      const length = random.int(20);
      let s = '';
      for (let i = 0; i < length; i++) s += String.fromCharCode(32 + random.int(95));
      return s;
    });
    // One at a time, so that each decode can find the last string of its slot.
    for (const s of strings) expect(decode(encode({ [s]: s }))).toStrictEqual({ [s]: s });
    expect(decode(encode(strings))).toStrictEqual(strings);
  });

  it('an encoding kept while thousands more are made stays intact, small or large', () => {
    const small = encode(appendEntries(2));
    const large = encode(appendEntries(2000));
    const smallCopy = Array.from(small);
    const largeCopy = Array.from(large);
    for (let i = 0; i < 5000; i++) encode(appendEntries(i % 7));
    expect(Array.from(small)).toEqual(smallCopy);
    expect(Array.from(large)).toEqual(largeCopy);
    expect(decode(small)).toStrictEqual(appendEntries(2));
  });

  it('one value always encodes to the same bytes, whatever was encoded before', () => {
    const first = Array.from(encode(appendEntries(5)));
    encode({ other: 1, keys: { entirely: ['a'] } });
    decode(encode(appendEntries(50)));
    expect(Array.from(encode(appendEntries(5)))).toEqual(first);
  });

  it('an encode started inside another (from a getter) does not disturb it', () => {
    let inner: Uint8Array | undefined;
    const value = {
      term: 1,
      get command() {
        inner = encode({ nested: 'inside', term: 2 });
        return 'outer';
      },
    };
    const bytes = encode(value);
    expect(decode(bytes)).toStrictEqual({ term: 1, command: 'outer' });
    expect(decode(inner!)).toStrictEqual({ nested: 'inside', term: 2 });
  });

  it('a key reference past the keys written so far is a CodecError', () => {
    // An object of one field whose key refers to key 0 of an empty table.
    expect(() => decode(Uint8Array.of(9, 1, 1, 4, 0))).toThrow(CodecError);
  });
});
