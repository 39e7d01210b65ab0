import { describe, expect, it } from 'vitest';
import { offsetRunIndices } from '../../src/runner/shard.js';
import { fakePool } from './helpers.js';

describe('offsetRunIndices', () => {
  it('shifts k into the whole plan on the way into the pool, keeping the seed, so results carry the shifted k', async () => {
    const { pool, create } = fakePool();
    const shifted = offsetRunIndices(create, 5)({ workers: 1 });
    const result = await shifted.run({ test: 'TestA', k: 0, seed: 105, realtime: false, logLevel: 'none' });
    expect(pool.started[0]).toMatchObject({ k: 5, seed: 105 });
    expect(result).toMatchObject({ k: 5, seed: 105 });
    await shifted.destroy();
    expect(pool.destroyed).toBe(true);
  });

  it('is the factory itself when there is nothing to shift', () => {
    const { create } = fakePool();
    expect(offsetRunIndices(create, 0)).toBe(create);
  });
});
