import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (the runner's workers load it as it is); its JSDoc gives the types below.
import { bugFactory, GALLERY } from '../../bench/gallery/bugs.mjs';
import type { Invariant } from '../../src/harness/invariants.js';
import { reference } from '../../src/raft/index.js';
import type { MakeOptions, RaftFactory, RaftPeer } from '../../src/raft/types.js';
import { runLabTest } from '../../src/suite/run-test.js';

interface Catch {
  test: string;
  seed: number;
  invariant?: Invariant;
}
interface GalleryBug {
  id: string;
  title: string;
  kind: 'safety' | 'persistence' | 'liveness' | 'performance';
  make(options: MakeOptions, reference: RaftFactory): RaftPeer;
  catches: readonly Catch[];
  note?: string;
}

const gallery = GALLERY as readonly GalleryBug[];
const factory = bugFactory as (bug: GalleryBug, reference: RaftFactory) => RaftFactory;

// The gallery's key catches, each on the one seed `npm run gallery` found it
// on: the run fails, with strict mode's invariant where the catch is strict
// mode's, and the lab's own check where it is not. Each is one run of one
// test, so the whole file takes seconds; the table in the README is the
// gallery's full measurement.
describe('the bug gallery', () => {
  it('holds at least 15 bugs, each with a unique id, and every one but the known misses has a catch', () => {
    expect(gallery.length).toBeGreaterThanOrEqual(15);
    expect(new Set(gallery.map((bug) => bug.id)).size).toBe(gallery.length);
    const uncaught = gallery.filter((bug) => bug.catches.length === 0).map((bug) => bug.id);
    expect(uncaught).toEqual(['stale-replies-accepted']);
  });

  it('every persistence bug is caught by strict mode on seed 0, and the liveness bugs by something', () => {
    for (const bug of gallery.filter((b) => b.kind === 'persistence')) {
      expect(bug.catches.some((c) => c.invariant !== undefined && c.seed === 0), bug.id).toBe(true);
    }
    for (const id of ['no-step-down-on-reply', 'timer-reset-on-denied-vote']) {
      expect(gallery.find((b) => b.id === id)!.catches.length, id).toBeGreaterThan(0);
    }
  });

  for (const bug of gallery) {
    for (const c of bug.catches) {
      const how = c.invariant === undefined ? 'the lab check' : `strict mode (${c.invariant})`;
      it(`${bug.id}: ${c.test} seed ${c.seed} fails by ${how}`, async () => {
        const outcome = await runLabTest({ test: c.test, seed: c.seed, raft: factory(bug, reference), strict: c.invariant !== undefined });
        expect(outcome.passed).toBe(false);
        if (c.invariant === undefined) expect(outcome.error).not.toMatch(/^strict mode/);
        else expect(outcome.error).toMatch(new RegExp(`^strict mode: ${c.invariant} violated at `));
        // The same run with the correct Raft passes: the bug, not the seed, fails it.
        const healthy = await runLabTest({ test: c.test, seed: c.seed, strict: c.invariant !== undefined });
        expect(healthy.passed, healthy.error).toBe(true);
      });
    }
  }
});
