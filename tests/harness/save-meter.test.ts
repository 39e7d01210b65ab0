/**
 * The save meter: every save of every peer is counted with its bytes, and
 * the time it took is bounded by the Raft's call up to it, so that a run's
 * log and the -t table can say what saving cost.
 */
import { describe, expect, it } from 'vitest';
import { RaftMeter } from '../../src/harness/raft-meter.js';
import { SaveMeter } from '../../src/harness/save-meter.js';
import { runLabTest } from '../../src/suite/run-test.js';

describe('SaveMeter', () => {
  it('counts saves and bytes, and times each from the start of the call that made it, or the save before it', () => {
    const wall = { ms: 0 };
    const raft = new RaftMeter(() => wall.ms);
    const saves = new SaveMeter(() => wall.ms, raft);
    raft.inside(() => {
      wall.ms += 30; // encoding
      wall.ms += 5; // saving
      saves.saved(100);
      wall.ms += 10;
      wall.ms += 5;
      saves.saved(50);
      // Harness work the Raft calls into is not the Raft's saving.
      raft.outside(() => (wall.ms += 1000));
      wall.ms += 2;
      saves.saved(1);
    });
    // A save outside any call into the Raft (none in the suite) is counted but not timed.
    wall.ms += 400;
    saves.saved(7);
    expect(saves.result).toEqual({ count: 4, bytes: 158, ms: 35 + 15 + 2 });
  });
});

describe('a run counts its saves', () => {
  it('every one the reference Raft makes, with the bytes of its states and snapshots', async () => {
    for (const test of ['TestPersist22C', 'TestSnapshotInstallCrash2D']) {
      const outcome = await runLabTest({ test, seed: 3, logLevel: 'trace' });
      expect(outcome.passed).toBe(true);
      // The reference Raft traces each save: `saved term 3, 52 bytes and a 77-byte snapshot`.
      const traced = outcome.log.flatMap((line) => {
        const match = / PERS S\d saved term \d+, (\d+) bytes(?: and a (\d+)-byte snapshot)?$/.exec(line);
        return match === null ? [] : [Number(match[1]) + Number(match[2] ?? 0)];
      });
      expect(traced.length).toBeGreaterThan(100);
      expect(outcome.saves.count).toBe(traced.length);
      expect(outcome.saves.bytes).toBe(traced.reduce((a, b) => a + b, 0));
    }
  });

  it('and bounds the time they took by the time inside the Raft', async () => {
    let ms = 0;
    const outcome = await runLabTest({ test: 'TestPersist12C', seed: 3, wallClockMs: () => (ms += 1) });
    expect(outcome.saves.ms).toBeGreaterThan(0);
    expect(outcome.saves.ms).toBeLessThanOrEqual(outcome.raftMs);
  });
});
