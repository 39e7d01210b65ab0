import { afterEach, describe, expect, it } from 'vitest';
import { RaftCore } from '../../src/raft/core.js';
import type { AppendEntriesArgs, AppendEntriesReply } from '../../src/raft/messages.js';
import { runLabTest } from '../../src/suite/run-test.js';

// The suite must have teeth: a Raft with a known bug has to fail it. Each
// case patches the reference core's prototype for the duration of one test
// (vitest runs each file in its own process), so no broken variant lives in src/.

type Patchable = Record<string, (...args: unknown[]) => unknown>;
const proto = RaftCore.prototype as unknown as Patchable;
const originals = new Map<string, (...args: unknown[]) => unknown>();

function patch(method: string, replacement: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown): void {
  const original = proto[method]!;
  originals.set(method, original);
  proto[method] = replacement(original);
}

afterEach(() => {
  for (const [method, original] of originals) proto[method] = original;
  originals.clear();
});

interface CoreInternals {
  matchIndex: number[];
  peerCount: number;
  commitIndex: number;
  ready: { replicate: boolean };
}

/** Runs seeds from 0 until one fails; returns it, or -1 if all of `runs` pass. */
async function firstFailingSeed(test: string, runs: number): Promise<number> {
  for (let seed = 0; seed < runs; seed++) {
    if (!(await runLabTest({ test, seed })).passed) return seed;
  }
  return -1;
}

async function meanSimMs(test: string, runs: number): Promise<number> {
  let total = 0;
  for (let seed = 0; seed < runs; seed++) {
    const outcome = await runLabTest({ test, seed });
    expect(outcome.passed, outcome.error).toBe(true);
    total += outcome.elapsedMs;
  }
  return total / runs;
}

/** The follower's hints are withheld, so the leader backs up one entry per rejection. */
function oneEntryBackup(original: (...args: unknown[]) => unknown) {
  return function (this: unknown, ...args: unknown[]) {
    const reply = original.apply(this, args) as AppendEntriesReply;
    const request = args[0] as AppendEntriesArgs;
    return reply.success ? reply : { ...reply, conflictTerm: -1, conflictIndex: request.prevLogIndex };
  };
}

describe('mutants', () => {
  it('committing by replica count alone, ignoring the term (Figure 8), fails TestFigure82C within 100 runs', async () => {
    patch('advanceCommit', () =>
      function (this: CoreInternals) {
        const sorted = [...this.matchIndex].sort((a, b) => b - a);
        const majorityIndex = sorted[Math.floor(this.peerCount / 2)]!;
        if (majorityIndex > this.commitIndex) this.commitIndex = majorityIndex;
      },
    );
    expect(await firstFailingSeed('TestFigure82C', 100)).toBeGreaterThanOrEqual(0);
  });

  it('the same suite passes the unpatched core on those seeds', async () => {
    expect(await firstFailingSeed('TestFigure82C', 10)).toBe(-1);
  });

  it('backing up one entry per heartbeat passes TestBackup2B, visibly slower', async () => {
    const baselineMs = await meanSimMs('TestBackup2B', 5);
    patch('onAppendEntries', oneEntryBackup);
    patch('onAppendEntriesReply', (original) =>
      function (this: CoreInternals, ...args: unknown[]) {
        original.apply(this, args);
        // Retry only when the next heartbeat fires, as a ticker-driven leader does.
        if (!(args[2] as AppendEntriesReply).success) this.ready.replicate = false;
      },
    );
    const slowMs = await meanSimMs('TestBackup2B', 5);
    expect(slowMs).toBeGreaterThan(baselineMs * 1.2);
  });
});
