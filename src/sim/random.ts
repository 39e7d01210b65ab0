/**
 * The one source of randomness in a simulated world. Everything random —
 * election timeouts, network faults, the tests' own choices — draws from a
 * single seeded stream, so a seed names exactly one run.
 */
export interface Random {
  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number;
  /** An integer in [0, n), for 1 <= n <= 2^32. */
  int(n: number): number;
  /** A non-negative integer below 2^53 (the lab's `rand.Int()`). */
  int53(): number;
  /** A float in [0, 1). */
  float(): number;
}

/** The largest seed accepted: seeds are non-negative safe integers. */
export const SEED_MAX = Number.MAX_SAFE_INTEGER;

const MASK64 = (1n << 64n) - 1n;

/**
 * SplitMix64, used only to spread a seed over the generator's 128 bits of
 * state, as the xoshiro authors recommend.
 */
export function splitMix64(state: bigint): { next: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return { next, value: z ^ (z >> 31n) };
}

/**
 * xoshiro128** 1.0 (Blackman and Vigna): small, fast in 32-bit arithmetic,
 * and well tested. The test suite pins it against the reference vectors.
 */
export class Xoshiro128 implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(state: readonly [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w >>> 0) as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) throw new RangeError('xoshiro128** state must not be all zero');
  }

  /** Seeds the state from a non-negative safe integer through SplitMix64. */
  static fromSeed(seed: number): Xoshiro128 {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed ${seed} is not an integer in [0, ${SEED_MAX}]`);
    }
    const a = splitMix64(BigInt(seed));
    const b = splitMix64(a.next);
    return new Xoshiro128([
      Number(a.value & 0xffffffffn),
      Number(a.value >> 32n),
      Number(b.value & 0xffffffffn),
      Number(b.value >> 32n),
    ]);
  }

  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  int(n: number): number {
    if (!(n >= 1 && n <= 0x1_0000_0000) || !Number.isInteger(n)) {
      throw new RangeError(`Random.int(${n}): n must be an integer in [1, 2^32]`);
    }
    // Multiply-shift maps 32 random bits onto [0, n); the bias is below
    // n / 2^32, far under anything a test could notice.
    return Math.floor((this.uint32() * n) / 0x1_0000_0000);
  }

  int53(): number {
    const high = this.uint32() >>> 11;
    return high * 0x1_0000_0000 + this.uint32();
  }

  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export function makeRandom(seed: number): Random {
  return Xoshiro128.fromSeed(seed);
}
