import { describe, expect, it } from 'vitest';
import { Config, withConfig } from '../../src/harness/config.js';
import { Persister } from '../../src/harness/persister.js';
import type { TestContext } from '../../src/harness/test-context.js';
import type { MakeOptions, RaftFactory, RaftPeer } from '../../src/raft/types.js';
import { CaptureLog } from '../../src/sim/log.js';
import { makeRandom } from '../../src/sim/random.js';
import { yieldToHost } from '../../src/sim/real-clock.js';
import { SimWorld } from '../../src/sim/sim-world.js';
import type { World, WorldOutcome } from '../../src/sim/world.js';

/** A scripted peer: its state is set by the test, and it remembers what it was given. */
class FakePeer implements RaftPeer {
  term = 0;
  leader = false;
  killed = false;
  readonly handlers = {};
  constructor(readonly options: MakeOptions) {}
  start(): { index: number; term: number; isLeader: boolean } {
    return { index: -1, term: this.term, isLeader: false };
  }
  getState() {
    return { term: this.term, isLeader: this.leader };
  }
  kill(): void {
    this.killed = true;
  }
}

function fakeFactory(): { factory: RaftFactory; made: FakePeer[] } {
  const made: FakePeer[] = [];
  return { made, factory: { make: (o) => { const p = new FakePeer(o); made.push(p); return p; } } };
}

async function inWorld(raft: RaftFactory, script: (t: TestContext, world: World) => Promise<void>): Promise<WorldOutcome> {
  const world = new SimWorld({ random: makeRandom(1), makeLog: (c) => new CaptureLog(c, 'none'), yieldToHost });
  return world.run((w) => script({ world: w, raft }, w));
}

describe('Persister', () => {
  it('a copy keeps its state when the original saves again', () => {
    const p = new Persister();
    p.save(Uint8Array.of(1, 2, 3), Uint8Array.of(9));
    const copy = p.copy();
    p.save(Uint8Array.of(4));
    expect([...copy.readRaftState()]).toEqual([1, 2, 3]);
    expect([...copy.readSnapshot()]).toEqual([9]);
    expect(copy.raftStateSize()).toBe(3);
  });

  it('reads return copies: changing one does not change what is stored', () => {
    const p = new Persister();
    const state = Uint8Array.of(5, 6);
    p.save(state);
    state[0] = 0;
    p.readRaftState()[1] = 0;
    expect([...p.readRaftState()]).toEqual([5, 6]);
  });
});

describe('Config', () => {
  it('crash1 cuts the old instance off from the persister its successor reads', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t) => {
      const cfg = new Config(t, 3, false);
      const first = made[0]!;
      first.options.persister.save(Uint8Array.of(7));
      cfg.crash1(0);
      expect(first.killed).toBe(true);
      expect(cfg.rafts[0]).toBeUndefined();
      // The dead instance writes on; the restarted one must not see it.
      first.options.persister.save(Uint8Array.of(8));
      cfg.start1(0);
      const second = made[made.length - 1]!;
      expect(second.options.me).toBe(0);
      expect([...second.options.persister.readRaftState()]).toEqual([7]);
      expect(second.options.persister).not.toBe(first.options.persister);
      cfg.cleanup();
    });
    expect(outcome.error).toBeUndefined();
  });

  it('an out-of-order apply fails the run with the lab message', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t, world) => {
      await withConfig(t, 3, false, async () => {
        made[0]!.options.apply({ commandValid: true, command: 'x', commandIndex: 2 });
        await world.sleep(1);
      });
    });
    expect(outcome.error?.message).toBe('apply error: server 0 apply out of order 2');
  });

  it('two peers applying different values at one index fail the run', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t, world) => {
      await withConfig(t, 3, false, async () => {
        made[0]!.options.apply({ commandValid: true, command: 10, commandIndex: 1 });
        made[1]!.options.apply({ commandValid: true, command: 11, commandIndex: 1 });
        await world.sleep(1);
      });
    });
    expect(outcome.error?.message).toBe('apply error: commit index=1 server=1 11 != server=0 10');
  });

  it('checkOneLeader fails on two leaders in one term, and returns the newest leader otherwise', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t) => {
      await withConfig(t, 3, false, async (cfg) => {
        made[0]!.term = 1;
        made[0]!.leader = true;
        made[2]!.term = 2;
        made[2]!.leader = true;
        expect(await cfg.checkOneLeader()).toBe(2);
        made[1]!.term = 2;
        made[1]!.leader = true;
        await cfg.checkOneLeader();
      });
    });
    expect(outcome.error?.message).toBe('term 2 has 2 (>1) leaders');
  });

  it('checkOneLeader gives up after ten tries of about half a second', async () => {
    const { factory } = fakeFactory();
    let elapsedMs = 0;
    const outcome = await inWorld(factory, async (t, world) => {
      await withConfig(t, 3, false, async (cfg) => {
        try {
          await cfg.checkOneLeader();
        } finally {
          elapsedMs = world.clock.now();
        }
      });
    });
    expect(outcome.error?.message).toBe('expected one leader, got none');
    expect(elapsedMs).toBeGreaterThanOrEqual(4500);
    expect(elapsedMs).toBeLessThan(5500);
  });

  it('checkNoLeader and checkTerms ignore disconnected peers', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t) => {
      await withConfig(t, 3, false, async (cfg) => {
        made[1]!.leader = true;
        made[1]!.term = 5;
        cfg.disconnect(1);
        cfg.checkNoLeader();
        expect(cfg.checkTerms()).toBe(0);
        cfg.connect(1);
        cfg.checkNoLeader();
      });
    });
    expect(outcome.error?.message).toBe('expected no leader among connected servers, but 1 claims to be leader');
  });

  it('one() fails after about ten seconds when no peer accepts the command', async () => {
    const { factory } = fakeFactory();
    let elapsedMs = 0;
    const outcome = await inWorld(factory, async (t, world) => {
      await withConfig(t, 3, false, async (cfg) => {
        try {
          await cfg.one(42, 3, true);
        } finally {
          elapsedMs = world.clock.now();
        }
      });
    });
    expect(outcome.error?.message).toBe('one(42) failed to reach agreement');
    expect(elapsedMs).toBeGreaterThanOrEqual(10_000);
    expect(elapsedMs).toBeLessThan(10_100);
  });
});
