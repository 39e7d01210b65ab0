import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/sim/codec.js';
import { copyValue } from '../../src/sim/copy.js';

/** The copy is the round trip's: values, and keys in the same order. */
function expectSameAsRoundTrip(value: unknown): void {
  const copied = copyValue(value);
  const expected = decode(encode(value));
  expect(copied).toStrictEqual(expected);
  expect(JSON.stringify(copied)).toBe(JSON.stringify(expected));
}

describe('copyValue past the key lists it remembers', () => {
  it('objects of thousands of different key lists (keys that are data) copy exactly, before and after the bound', () => {
    for (let i = 0; i < 3000; i++) {
      expectSameAsRoundTrip({ [`peer${i}`]: i, term: -0, [`x${i % 7}`]: { nested: [i, `s${i}`] } });
    }
    // A list seen early still has its copier; one never seen is copied key by key.
    expectSameAsRoundTrip({ peer5: 1, term: 2, x5: { nested: [] } });
    expectSameAsRoundTrip({ never: 1, seen: { before: 2 } });
  });

  it('an object with more keys than a remembered list holds', () => {
    const wide: Record<string, number> = {};
    for (let k = 0; k < 100; k++) wide[`k${k}`] = k;
    expectSameAsRoundTrip(wide);
    expectSameAsRoundTrip({ ...wide, tail: { a: 1 } });
  });

  it('keys a literal could not hold as they are: __proto__, indexes, non-identifiers', () => {
    const polluting = JSON.parse('{"a": 1, "__proto__": {"polluted": true}}') as object;
    const copied = copyValue(polluting) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.keys(copied)).toEqual(['a', '__proto__']);
    expectSameAsRoundTrip({ 'a-b': 1, 2: 2, 'ü': 3, '\uD800': 4, 'x y': 5 });
    expectSameAsRoundTrip({ constructor: 1, hasOwnProperty: 2, toString: 3 });
  });
});
