import { describe, expect, it } from 'vitest';
import { reference } from '../../src/raft/index.js';
import type { RaftFactory } from '../../src/raft/types.js';
import { runLabTest } from '../../src/suite/run-test.js';

/** The reference Raft with snapshot() ignored: its log, and so its saved state, only grows. */
const neverCompacts: RaftFactory = {
  make(options) {
    const peer = reference.make(options);
    peer.snapshot = () => {};
    return peer;
  },
};

describe('part 2D', () => {
  it("snapCommon's size check: a Raft that keeps its whole log fails with the lab's message, where the reference passes", async () => {
    for (const test of ['TestSnapshotBasic2D', 'TestSnapshotInstall2D']) {
      const hoarding = await runLabTest({ test, seed: 0, raft: neverCompacts });
      expect(hoarding.passed, test).toBe(false);
      expect(hoarding.error, test).toBe('Log size too large');
      const compacting = await runLabTest({ test, seed: 0 });
      expect(compacting.passed, compacting.error).toBe(true);
    }
  });
});
