import { describe, expect, it } from 'vitest';
import { InvariantChecker, InvariantViolation } from '../../src/harness/invariants.js';
import type { LogEntry, RaftPeer, RaftView, Role } from '../../src/raft/types.js';
import { REGISTRY } from '../../src/suite/registry.js';
import { runLabTest } from '../../src/suite/run-test.js';
import { BROKEN_RAFTS, votesTwice, withoutView } from './fixtures/broken-rafts.js';

/** A peer whose state the test sets by hand; `view: false` hides inspect(), as a user's Raft may. */
class FakePeer implements RaftPeer {
  term = 0;
  role: Role = 'follower';
  commitIndex = 0;
  lastApplied = 0;
  /** The entries after the snapshot: entries[0] is index snapshotIndex + 1. */
  entries: LogEntry[] = [];
  snapshotIndex = 0;
  snapshotTerm = 0;
  logVersion = 0;
  readonly handlers = {};
  inspect?: () => RaftView;

  constructor(view = true) {
    if (view) {
      this.inspect = () => ({
        term: this.term,
        role: this.role,
        votedFor: -1,
        commitIndex: this.commitIndex,
        lastApplied: this.lastApplied,
        lastIndex: this.snapshotIndex + this.entries.length,
        snapshotIndex: this.snapshotIndex,
        snapshotTerm: this.snapshotTerm,
        entry: (index: number) => {
          if (index <= this.snapshotIndex) throw new RangeError(`index ${index} is compacted`);
          return this.entries[index - this.snapshotIndex - 1]!;
        },
        logVersion: this.logVersion,
      });
    }
  }

  start() {
    return { index: -1, term: this.term, isLeader: false };
  }

  getState() {
    return { term: this.term, isLeader: this.role === 'leader' };
  }

  kill() {}

  snapshot() {}

  /** Drops the entries through `index` behind a snapshot that ends in `term` (by default the term held there). */
  compact(index: number, term = this.entries[index - this.snapshotIndex - 1]!.term): void {
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.logVersion++;
  }

  setLog(...entries: [term: number, command: unknown][]): void {
    this.entries = entries.map(([term, command]) => ({ term, command }));
    this.logVersion++;
  }
}

function cluster(n: number, view = true) {
  const peers: (FakePeer | undefined)[] = Array.from({ length: n }, () => new FakePeer(view));
  let nowMs = 1234.5;
  const checker = new InvariantChecker({ peers, nowMs: () => nowMs });
  return { peers, checker, at: (ms: number) => (nowMs = ms) };
}

function violation(check: () => void): InvariantViolation {
  try {
    check();
  } catch (error) {
    if (error instanceof InvariantViolation) return error;
    throw error;
  }
  throw new Error('expected an invariant violation, but the check passed');
}

describe('InvariantChecker, on peers set by hand', () => {
  it('passes a healthy cluster: one leader, matching logs, commits within the logs', () => {
    const { peers, checker } = cluster(3);
    for (const p of peers) {
      p!.term = 2;
      p!.setLog([1, 'a'], [2, 'b']);
      p!.commitIndex = 1;
    }
    peers[0]!.role = 'leader';
    peers[0]!.commitIndex = 2;
    expect(() => checker.check()).not.toThrow();
  });

  it('election safety: a second leader of a term fails the first check that sees it, even after the first stepped down', () => {
    const { peers, checker, at } = cluster(3);
    peers[0]!.term = 3;
    peers[0]!.role = 'leader';
    checker.check();
    peers[0]!.role = 'follower';
    peers[2]!.term = 3;
    peers[2]!.role = 'leader';
    at(2500);
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('election safety');
    expect(v.message).toBe('strict mode: election safety violated at 2.5000s: S0 and S2 were both leader of term 3');
  });

  it('election safety works from getState alone when peers offer no view', () => {
    const { peers, checker } = cluster(3, false);
    peers[0]!.term = 1;
    peers[0]!.role = 'leader';
    peers[1]!.term = 1;
    peers[1]!.role = 'leader';
    expect(violation(() => checker.check()).invariant).toBe('election safety');
  });

  it('log matching: one index and term with two different commands', () => {
    const { peers, checker } = cluster(2);
    peers[0]!.setLog([1, 'a'], [2, 'b']);
    peers[1]!.setLog([1, 'a'], [2, 'c']);
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('log matching');
    expect(v.message).toContain('S0 and S1 both hold index 2 in term 2, with different commands "b" and "c"');
    expect(v.message).toContain('S1 log (term 0, follower, commit 0): 1:t1:"a" 2:t2:"c"');
  });

  it('log matching: one index and term after different previous terms, seen at different times', () => {
    const { peers, checker } = cluster(2);
    peers[0]!.setLog([1, 'a'], [3, 'x']);
    checker.check();
    // S0's entry is gone by the time S1 shows the same (index, term) after another term.
    peers[0]!.setLog([1, 'a']);
    peers[1]!.setLog([2, 'q'], [3, 'x']);
    expect(violation(() => checker.check()).message).toContain('S0 and S1 both hold index 2 in term 3, but after different terms (1 and 2) at index 1');
  });

  it('log matching: terms going down within one log', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.setLog([2, 'a'], [1, 'b']);
    expect(violation(() => checker.check()).message).toContain('S0 holds term 1 at index 2 after term 2; terms in a log never go down');
  });

  it('skips a log whose version has not changed, and rescans it once it has', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.setLog([2, 'a'], [2, 'b']);
    checker.check();
    peers[0]!.entries[1] = { term: 1, command: 'b' };
    expect(() => checker.check()).not.toThrow();
    peers[0]!.logVersion++;
    expect(violation(() => checker.check()).invariant).toBe('log matching');
  });

  it('leader completeness: a leader of a later term lacks an entry committed earlier', () => {
    const { peers, checker } = cluster(3);
    for (const p of peers) p!.term = 1;
    peers[0]!.setLog([1, 'a'], [1, 'b']);
    peers[0]!.commitIndex = 2;
    peers[1]!.setLog([1, 'a']);
    checker.check();
    peers[1]!.term = 2;
    peers[1]!.role = 'leader';
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('leader completeness');
    expect(v.message).toContain('S1 leads term 2 but holds nothing at index 2, where "b" (term 1) was committed by term 1');
  });

  it('leader completeness does not hold a leader to an entry committed in its own term or later', () => {
    const { peers, checker } = cluster(3);
    peers[0]!.term = 2;
    peers[0]!.setLog([1, 'a'], [2, 'b']);
    peers[0]!.commitIndex = 2;
    // A stale leader of term 2 that has not heard of entry 2 is legal until a later term.
    peers[1]!.term = 2;
    peers[1]!.role = 'leader';
    peers[1]!.setLog([1, 'a']);
    expect(() => checker.check()).not.toThrow();
  });

  it('state machine safety: two peers commit different entries at one index', () => {
    const { peers, checker } = cluster(2);
    peers[0]!.setLog([1, 'a']);
    peers[0]!.commitIndex = 1;
    checker.check();
    peers[1]!.setLog([2, 'z']);
    peers[1]!.commitIndex = 1;
    expect(violation(() => checker.check()).message).toContain('S0 committed "a" (term 1) at index 1 but S1 committed "z" (term 2)');
  });

  it('state machine safety: a commit index past the end of the log', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b']);
    peers[0]!.commitIndex = 2;
    checker.check();
    peers[0]!.setLog([1, 'a']);
    expect(violation(() => checker.check()).message).toContain("S0's commit index 2 is past its last log index 1");
  });

  it('state machine safety: two peers apply different commands at one index, reported when the event ends', () => {
    const { peers, checker } = cluster(2, false);
    checker.onApply(0, { commandValid: true, command: 7, commandIndex: 1 });
    checker.onApply(1, { commandValid: true, command: 8, commandIndex: 1 });
    expect(violation(() => checker.check()).message).toContain('S0 applied 7 at index 1 but S1 applied 8');
    expect(peers).toHaveLength(2);
  });

  it('monotonic: applied indexes go up by one within a run of a peer, and start again after a restart', () => {
    const { checker } = cluster(1, false);
    checker.onApply(0, { commandValid: true, command: 'a', commandIndex: 1 });
    checker.started(0);
    checker.onApply(0, { commandValid: true, command: 'a', commandIndex: 1 });
    expect(() => checker.check()).not.toThrow();
    checker.onApply(0, { commandValid: true, command: 'c', commandIndex: 3 });
    expect(violation(() => checker.check()).message).toContain('S0 applied index 3 right after index 1');
  });

  it('monotonic: the term never goes down, across a restart too; the commit index only within a run', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.term = 4;
    peers[0]!.setLog([4, 'a']);
    peers[0]!.commitIndex = 1;
    checker.check();
    // A restart forgets the commit index, which is volatile state...
    checker.started(0);
    peers[0]!.commitIndex = 0;
    expect(() => checker.check()).not.toThrow();
    // ...but not the term, which is persistent.
    peers[0]!.term = 3;
    expect(violation(() => checker.check()).message).toContain("S0's term went down from 4 to 3");
  });

  it('monotonic: the commit index going down within a run', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b']);
    peers[0]!.commitIndex = 2;
    checker.check();
    peers[0]!.commitIndex = 1;
    expect(violation(() => checker.check()).message).toContain("S0's commit index went down from 2 to 1");
  });
});

describe('InvariantChecker, with snapshots', () => {
  it('passes compacted logs: each is checked from just after its snapshot, and a leader is held only to what it still holds', () => {
    const { peers, checker } = cluster(3);
    for (const p of peers) {
      p!.term = 2;
      p!.setLog([1, 'a'], [1, 'b'], [2, 'c'], [2, 'd']);
      p!.commitIndex = 3;
    }
    checker.check();
    peers[0]!.compact(3);
    peers[1]!.compact(2);
    peers[0]!.role = 'leader';
    peers[0]!.term = 3;
    expect(() => checker.check()).not.toThrow();
    // Log matching still applies to the part held: S1's index 3 must agree with S2's.
    peers[1]!.entries[0] = { term: 2, command: 'X' };
    peers[1]!.logVersion++;
    expect(violation(() => checker.check()).message).toContain('S1 changed index 3, which it had committed, to "X" (term 2)');
  });

  it('snapshot safety: a snapshot never covers an index its peer has not committed', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b']);
    peers[0]!.commitIndex = 1;
    checker.check();
    peers[0]!.compact(2);
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('snapshot safety');
    expect(v.message).toContain("S0's snapshot covers index 2, past its commit index 1");
    expect(v.message).toContain('S0 log (term 0, follower, commit 1): snapshot 2:t1 ');
  });

  it("snapshot safety: a snapshot's last term is the term committed there", () => {
    const { peers, checker } = cluster(2);
    for (const p of peers) {
      p!.setLog([1, 'a'], [2, 'b']);
      p!.commitIndex = 2;
    }
    checker.check();
    peers[1]!.compact(2, 3);
    expect(violation(() => checker.check()).message).toContain(`S1's snapshot ends at index 2 in term 3, where S0 committed "b" (term 2)`);
  });

  it('snapshot safety: an installed snapshot never moves the state machine back', () => {
    const { checker } = cluster(1, false);
    for (let index = 1; index <= 5; index++) checker.onApply(0, { commandValid: true, command: index, commandIndex: index });
    checker.onApply(0, { commandValid: false, command: undefined, commandIndex: 0, snapshotValid: true, snapshot: new Uint8Array(0), snapshotIndex: 8, snapshotTerm: 1 });
    checker.onApply(0, { commandValid: true, command: 9, commandIndex: 9 });
    expect(() => checker.check()).not.toThrow();
    checker.onApply(0, { commandValid: false, command: undefined, commandIndex: 0, snapshotValid: true, snapshot: new Uint8Array(0), snapshotIndex: 7, snapshotTerm: 1 });
    const v = violation(() => checker.check());
    expect(v.invariant).toBe('snapshot safety');
    expect(v.message).toContain('S0 installed a snapshot through index 7 after applying index 9: its state machine moved back');
  });

  it('monotonic: the snapshot index never goes down within a run; a restarted service starts from its snapshot', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b'], [1, 'c']);
    peers[0]!.commitIndex = 3;
    peers[0]!.compact(2);
    checker.check();
    checker.started(0, 2);
    checker.onApply(0, { commandValid: true, command: 'c', commandIndex: 3 });
    expect(() => checker.check()).not.toThrow();
    peers[0]!.snapshotIndex = 1;
    peers[0]!.entries = [{ term: 1, command: 'b' }, ...peers[0]!.entries];
    peers[0]!.logVersion++;
    expect(violation(() => checker.check()).message).toContain("S0's snapshot index went down from 2 to 1");
  });

  it('snapshot safety: a restarted peer\'s log starts right after the snapshot saved with it', () => {
    const { peers, checker } = cluster(1);
    peers[0]!.setLog([1, 'a'], [1, 'b'], [1, 'c']);
    peers[0]!.commitIndex = 2;
    peers[0]!.compact(2);
    checker.started(0, 2);
    expect(() => checker.check()).not.toThrow();
    // Later snapshots need not match the one the service restarted from.
    peers[0]!.commitIndex = 3;
    peers[0]!.compact(3);
    expect(() => checker.check()).not.toThrow();
    checker.started(0, 2);
    expect(violation(() => checker.check()).message).toContain(
      'S0 restarted with a log that starts after index 3, but the snapshot saved with it ends at index 2',
    );
  });

  it('observe() records what a peer commits just before its snapshot drops it, so later leaders are held to it', () => {
    for (const observed of [false, true]) {
      const { peers, checker } = cluster(2);
      peers[0]!.term = 1;
      peers[1]!.term = 1;
      peers[0]!.setLog([1, 'a'], [1, 'b']);
      peers[1]!.setLog([1, 'a']);
      checker.check();
      // In one event S0 commits index 2 and its service snapshots it.
      peers[0]!.commitIndex = 2;
      if (observed) checker.observe(0);
      peers[0]!.compact(2);
      checker.check();
      peers[1]!.term = 2;
      peers[1]!.role = 'leader';
      if (observed) expect(violation(() => checker.check()).message).toContain('S1 leads term 2 but holds nothing at index 2, where "b" (term 1) was committed by term 1');
      else expect(() => checker.check()).not.toThrow();
    }
  });
});

describe('strict mode on the suite', () => {
  it('the reference Raft passes every test of 2A, 2B, 2C and 2D in strict mode', async () => {
    for (const test of REGISTRY) {
      for (let seed = 0; seed < 3; seed++) {
        const outcome = await runLabTest({ test: test.name, seed, strict: true });
        expect(outcome.passed, `${test.name} seed ${seed}: ${outcome.error}`).toBe(true);
      }
    }
  });

  it('the reference Raft without its view passes in strict mode too', async () => {
    for (const test of ['TestFigure8Unreliable2C', 'TestPersist22C', 'TestBackup2B']) {
      const outcome = await runLabTest({ test, seed: 11, strict: true, raft: withoutView });
      expect(outcome.passed, `${test}: ${outcome.error}`).toBe(true);
    }
  });

  it.each(BROKEN_RAFTS.map((b) => [b.invariant, b.bug, b] as const))(
    '%s: a Raft that %s is caught at the violating event, and passes without strict mode',
    async (invariant, _bug, broken) => {
      let shown: { seed: number; error: string } | undefined;
      for (let seed = 0; seed < broken.seeds && shown === undefined; seed++) {
        const strict = await runLabTest({ test: broken.test, seed, raft: broken.raft, strict: true });
        if (strict.passed || !strict.error!.startsWith(`strict mode: ${invariant} violated`)) continue;
        // The run ends at the event that broke the invariant: the world's clock stops there.
        const atSeconds = /violated at (\d+\.\d{4})s/.exec(strict.error!)![1];
        expect(atSeconds).toBe((strict.elapsedMs / 1000).toFixed(4));
        if ((await runLabTest({ test: broken.test, seed, raft: broken.raft })).passed) shown = { seed, error: strict.error! };
      }
      expect(shown, `no seed below ${broken.seeds} where strict mode catches ${invariant} and the plain run passes`).toBeDefined();
    },
  );

  it('a Raft without a view is still held to election safety', async () => {
    const hidden = {
      make: (options: Parameters<typeof votesTwice.make>[0]) => {
        const peer = votesTwice.make(options);
        return {
          handlers: peer.handlers,
          start: (c: unknown) => peer.start(c),
          getState: () => peer.getState(),
          kill: () => peer.kill(),
          snapshot: (index: number, snapshot: Uint8Array) => peer.snapshot(index, snapshot),
        };
      },
    };
    let caught = 0;
    for (let seed = 0; seed < 20; seed++) {
      const outcome = await runLabTest({ test: 'TestManyElections2A', seed, raft: hidden, strict: true });
      if (outcome.error?.startsWith('strict mode: election safety violated')) caught++;
    }
    expect(caught).toBeGreaterThan(0);
  });
});
