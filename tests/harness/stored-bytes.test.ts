import { describe, expect, it } from 'vitest';
import { StoredBytes } from '../../src/harness/stored-bytes.js';

describe('StoredBytes', () => {
  it('reads empty until written, and empty again after an empty write, each read a copy of its own', () => {
    const a = new StoredBytes();
    const b = new StoredBytes();
    expect(a.read()).toEqual(new Uint8Array(0));
    a.write(new Uint8Array(0));
    expect([a.length, a.read().length]).toEqual([0, 0]);
    a.write(Uint8Array.of(1, 2, 3));
    // Two stores that started empty share nothing once one is written.
    expect(b.read()).toEqual(new Uint8Array(0));
    const read = a.read();
    read[0] = 9;
    expect(a.read()).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('a shared copy keeps its bytes when either side writes', () => {
    const a = new StoredBytes();
    a.write(Uint8Array.of(1, 2, 3));
    const b = a.share();
    a.write(Uint8Array.of(4));
    expect(b.read()).toEqual(Uint8Array.of(1, 2, 3));
    b.write(Uint8Array.of(5, 6));
    expect(a.read()).toEqual(Uint8Array.of(4));
    expect(b.read()).toEqual(Uint8Array.of(5, 6));
  });
});
