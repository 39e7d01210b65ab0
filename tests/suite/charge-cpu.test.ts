import { describe, expect, it } from 'vitest';
import { runLabTest } from '../../src/suite/run-test.js';

/** A wall clock that moves `msPerRead` every time it is read: each call into the Raft then "takes" that long twice over. */
function slowWall(msPerRead: number): () => number {
  let ms = 0;
  return () => (ms += msPerRead);
}

// The wall time inside the Raft is measured on an injected clock, so these
// runs are repeatable: a fake clock stands for a Raft that burns CPU.
describe('wall time inside the Raft, and --charge-cpu', () => {
  it('every run reports the wall time spent inside the Raft, without changing the run', async () => {
    const measured = await runLabTest({ test: 'TestBasicAgree2B', seed: 3, wallClockMs: slowWall(0.5) });
    const plain = await runLabTest({ test: 'TestBasicAgree2B', seed: 3, wallClockMs: () => 0 });
    expect(measured.passed).toBe(true);
    expect(measured.raftMs).toBeGreaterThan(20);
    expect(plain.raftMs).toBe(0);
    expect(measured.elapsedMs).toBe(plain.elapsedMs);
    expect(measured.log).toEqual(plain.log);
    // The host's own clock by default: a real run spends some time in the Raft.
    expect((await runLabTest({ test: 'TestBasicAgree2B', seed: 3 })).raftMs).toBeGreaterThan(0);
  });

  it('charged, a Raft whose every call takes 20 ms runs later in virtual time', async () => {
    const charged = await runLabTest({ test: 'TestInitialElection2A', seed: 1, chargeCpu: true, wallClockMs: slowWall(20) });
    const free = await runLabTest({ test: 'TestInitialElection2A', seed: 1, wallClockMs: slowWall(20) });
    expect(charged.raftMs).toBeGreaterThan(0);
    expect(charged.elapsedMs).toBeGreaterThan(free.elapsedMs);
  });

  it('charged, a Raft whose every call takes a second cannot elect a leader in time, as in Go', async () => {
    const slow = await runLabTest({ test: 'TestInitialElection2A', seed: 1, chargeCpu: true, wallClockMs: slowWall(500) });
    expect(slow.passed).toBe(false);
    expect(slow.error).toBe('expected one leader, got none');
    const free = await runLabTest({ test: 'TestInitialElection2A', seed: 1, wallClockMs: slowWall(500) });
    expect(free.passed).toBe(true);
  });

  it('refuses to charge on the wall clock or in the determinism check', async () => {
    await expect(runLabTest({ test: 'TestBasicAgree2B', seed: 1, chargeCpu: true, realtime: true })).rejects.toThrow('charging CPU time needs the simulator');
    await expect(runLabTest({ test: 'TestBasicAgree2B', seed: 1, chargeCpu: true, checkDeterminism: true })).rejects.toThrow('cannot charge CPU time');
  });
});
