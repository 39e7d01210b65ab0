import { describe, expect, it } from 'vitest';
import { HOP_MS_MAX } from '../../src/labrpc/network.js';
import { reference } from '../../src/raft/index.js';
import type { RaftFactory } from '../../src/raft/types.js';
import { runLabTest } from '../../src/suite/run-test.js';

interface StartCall {
  command: unknown;
  atMs: number;
  index: number;
  isLeader: boolean;
}

/** The reference Raft, noting every start() call: its command, the virtual time, and what it returned. */
function recordingStarts(calls: StartCall[]): RaftFactory {
  return {
    make(options) {
      const peer = reference.make(options);
      const start = peer.start.bind(peer);
      peer.start = (command) => {
        const result = start(command);
        calls.push({ command, atMs: options.clock.now(), index: result.index, isLeader: result.isLeader });
        return result;
      };
      return peer;
    },
  };
}

describe('part 2B', () => {
  it('TestConcurrentStarts2B starts its five commands from five tasks, each a goroutine hop after start(1), in seeded orders', async () => {
    const instants: number[] = [];
    const orders = new Set<string>();
    for (let seed = 0; seed < 8; seed++) {
      const calls: StartCall[] = [];
      const outcome = await runLabTest({ test: 'TestConcurrentStarts2B', seed, raft: recordingStarts(calls) });
      expect(outcome.passed, outcome.error).toBe(true);
      // The attempt that passed: the last start(1) a leader took, and the five after it.
      let first = calls.length - 1;
      while (first >= 0 && !(calls[first]!.command === 1 && calls[first]!.isLeader)) first--;
      expect(first, `seed ${seed}`).toBeGreaterThanOrEqual(0);
      const five = calls.slice(first + 1).filter((c) => typeof c.command === 'number' && c.command >= 100 && c.command < 105);
      expect(five.map((c) => c.command).sort(), `seed ${seed}`).toEqual([100, 101, 102, 103, 104]);
      const t1 = calls[first]!.atMs;
      for (const c of five) {
        expect(c.atMs, `seed ${seed}`).toBeGreaterThanOrEqual(t1);
        expect(c.atMs, `seed ${seed}`).toBeLessThanOrEqual(t1 + HOP_MS_MAX);
      }
      instants.push(new Set(five.map((c) => c.atMs)).size);
      orders.add([...five].sort((a, b) => a.index - b.index).map((c) => c.command).join(','));
    }
    // Not back to back in one instant, as before: the tasks wake at different
    // times and in different orders, so the commands' indexes vary with the seed.
    expect(Math.max(...instants)).toBeGreaterThan(1);
    expect(orders.size).toBeGreaterThan(1);
  });
});
