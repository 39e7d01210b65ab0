import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../src/suite/registry.js';
import { runLabTest } from '../../src/suite/run-test.js';

// One seed names one run: the same seed must give the same log, byte for
// byte, with every Raft and network event traced.
describe('determinism', () => {
  for (const test of REGISTRY) {
    it(`${test.name}: one seed gives one byte-identical trace`, async () => {
      const seed = 20261128;
      const first = await runLabTest({ test: test.name, seed, logLevel: 'trace' });
      const second = await runLabTest({ test: test.name, seed, logLevel: 'trace' });
      expect(first.passed, first.error).toBe(true);
      expect(second.log.join('\n')).toBe(first.log.join('\n'));
      expect(second.elapsedMs).toBe(first.elapsedMs);
      // A trace that says nothing would pass the comparison trivially.
      expect(first.log.length).toBeGreaterThan(10);
    });
  }

  it('different seeds give different runs', async () => {
    const a = await runLabTest({ test: 'TestManyElections2A', seed: 1, logLevel: 'debug' });
    const b = await runLabTest({ test: 'TestManyElections2A', seed: 2, logLevel: 'debug' });
    expect(a.log.join('\n')).not.toBe(b.log.join('\n'));
  });
});
