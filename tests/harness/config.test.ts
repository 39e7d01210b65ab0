import { describe, expect, it } from 'vitest';
import { Config, SNAPSHOT_INTERVAL, withConfig } from '../../src/harness/config.js';
import { Persister } from '../../src/harness/persister.js';
import type { TestContext } from '../../src/harness/test-context.js';
import type { ApplyMsg, MakeOptions, RaftFactory, RaftPeer } from '../../src/raft/types.js';
import { decode, encode } from '../../src/sim/codec.js';
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
  /** What the service passed to snapshot(), in order. */
  readonly snapshots: { index: number; snapshot: unknown }[] = [];
  /** The answer to condInstallSnapshot, and the calls it got. */
  installAnswer = true;
  readonly condCalls: [number, number][] = [];
  constructor(readonly options: MakeOptions) {}
  snapshot(index: number, snapshot: Uint8Array): void {
    this.snapshots.push({ index, snapshot: decode(snapshot) });
  }
  condInstallSnapshot(term: number, index: number): boolean {
    this.condCalls.push([term, index]);
    return this.installAnswer;
  }
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

  it('saving the state alone keeps the snapshot; saving both replaces both (SaveStateAndSnapshot)', () => {
    const p = new Persister();
    p.save(Uint8Array.of(1), Uint8Array.of(8, 8));
    p.save(Uint8Array.of(2, 2, 2));
    expect([[...p.readRaftState()], [...p.readSnapshot()], p.raftStateSize(), p.snapshotSize()]).toEqual([[2, 2, 2], [8, 8], 3, 2]);
    p.save(Uint8Array.of(3), Uint8Array.of(9));
    expect([[...p.readRaftState()], [...p.readSnapshot()]]).toEqual([[3], [9]]);
  });

  it('a save into a store it has outgrown or shares leaves the other copies alone', () => {
    const p = new Persister();
    p.save(new Uint8Array(100).fill(7));
    p.save(Uint8Array.of(1, 2));
    expect([...p.readRaftState()]).toEqual([1, 2]);
    const copy = p.copy();
    p.save(Uint8Array.of(3, 4, 5));
    copy.save(Uint8Array.of(6));
    const second = copy.copy();
    copy.save(new Uint8Array(1000).fill(8));
    expect([[...p.readRaftState()], [...copy.readRaftState()].length, [...second.readRaftState()]]).toEqual([[3, 4, 5], 1000, [6]]);
    expect([p.raftStateSize(), copy.raftStateSize(), second.raftStateSize()]).toEqual([3, 1000, 1]);
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

/** The message a peer sends its service for a command. */
function command(index: number, value: unknown = 100 + index): ApplyMsg {
  return { commandValid: true, command: value, commandIndex: index };
}

/** The message a peer sends its service for a leader's snapshot; `bytes` as the snapshot applier encodes them. */
function snapshotMsg(index: number, values: unknown[], bytes = encode([index, [undefined, ...values]])): ApplyMsg {
  return { commandValid: false, command: undefined, commandIndex: 0, snapshotValid: true, snapshot: bytes, snapshotTerm: 1, snapshotIndex: index };
}

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

/** Three peers whose services snapshot, as the 2D tests make them. */
function withSnapshotConfig(t: TestContext, body: (cfg: Config) => Promise<void>): Promise<void> {
  return withConfig(t, 3, false, body, { snapshot: true });
}

describe('Config with snapshots (applierSnap)', () => {
  it('snapshots every ten commands: the last index, then every value applied up to it', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t) => {
      await withSnapshotConfig(t, async (cfg) => {
        for (let i = 1; i <= 20; i++) made[0]!.options.apply(command(i));
        expect(made[0]!.snapshots.map((s) => s.index)).toEqual([9, 19]);
        expect(made[0]!.snapshots[0]!.snapshot).toEqual([9, [undefined, 101, 102, 103, 104, 105, 106, 107, 108, 109]]);
        expect(cfg.lastApplied[0]).toBe(20);
        expect(SNAPSHOT_INTERVAL).toBe(10);
      });
    });
    expect(outcome.error).toBeUndefined();
  });

  it('a command that does not follow the last one applied fails the run with the lab message', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t, world) => {
      await withSnapshotConfig(t, async () => {
        made[1]!.options.apply(command(1));
        made[1]!.options.apply(command(3));
        await world.sleep(1);
      });
    });
    expect(outcome.error?.message).toBe('apply error: server 1 apply out of order, expected index 2, got 3');
  });

  it('a snapshot the peer hands over replaces what the service applied; the next command must follow it', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t, world) => {
      await withSnapshotConfig(t, async (cfg) => {
        made[2]!.options.apply(command(1));
        made[2]!.options.apply(snapshotMsg(5, [101, 102, 103, 104, 105]));
        expect(made[2]!.condCalls).toEqual([[1, 5]]);
        expect(cfg.lastApplied[2]).toBe(5);
        expect([...cfg.logs[2]!.entries()]).toEqual([0, 1, 2, 3, 4, 5].map((j) => [j, j === 0 ? undefined : 100 + j]));
        made[2]!.options.apply(command(6));
        made[2]!.options.apply(command(8));
        await world.sleep(1);
      });
    });
    expect(outcome.error?.message).toBe('apply error: server 2 apply out of order, expected index 7, got 8');
  });

  it('a snapshot refused by condInstallSnapshot is not taken in', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t, world) => {
      await withSnapshotConfig(t, async () => {
        made[0]!.installAnswer = false;
        made[0]!.options.apply(snapshotMsg(5, [101, 102, 103, 104, 105]));
        made[0]!.options.apply(command(6));
        await world.sleep(1);
      });
    });
    expect(outcome.error?.message).toBe('apply error: server 0 apply out of order, expected index 1, got 6');
  });

  it.each([
    ['whose index disagrees with the message', snapshotMsg(5, [1, 2, 3], encode([3, [undefined, 1, 2, 3]])), "apply error: server 0 snapshot doesn't match m.SnapshotIndex"],
    ['that is missing', { ...snapshotMsg(5, []), snapshot: undefined }, 'nil snapshot'],
    ['that does not decode', snapshotMsg(5, [], Uint8Array.of(0xff, 0xff)), 'snapshot decode error'],
    ['of the wrong shape', snapshotMsg(5, [], encode({ index: 5 })), 'snapshot decode error'],
  ])('a snapshot %s fails the run', async (_what, msg, message) => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t, world) => {
      await withSnapshotConfig(t, async () => {
        made[0]!.options.apply(msg);
        await world.sleep(1);
      });
    });
    expect(outcome.error?.message).toBe(message);
  });

  it('a restart loads the saved snapshot into the service first, and the crash keeps it', async () => {
    const { factory, made } = fakeFactory();
    const outcome = await inWorld(factory, async (t) => {
      await withSnapshotConfig(t, async (cfg) => {
        const first = made[1]!;
        first.options.persister.save(Uint8Array.of(1), encode([2, [undefined, 'a', 'b']]));
        cfg.crash1(1);
        first.options.persister.save(Uint8Array.of(2), encode([3, [undefined, 'x', 'y', 'z']]));
        cfg.start1(1);
        const second = made[made.length - 1]!;
        expect([...second.options.persister.readRaftState()]).toEqual([1]);
        expect(decode(second.options.persister.readSnapshot())).toEqual([2, [undefined, 'a', 'b']]);
        expect(cfg.lastApplied[1]).toBe(2);
        expect(cfg.logs[1]!.get(2)).toBe('b');
        second.options.apply(command(3, 'c'));
        expect(cfg.lastApplied[1]).toBe(3);
        // A saved snapshot that does not decode stops the test at the restart, as t.Fatal does.
        second.options.persister.save(Uint8Array.of(1), Uint8Array.of(0xff));
        cfg.start1(1);
      });
    });
    expect(outcome.error?.message).toBe('snapshot decode error');
  });

  it('what a peer applies inside make() reaches the applier once make has returned', async () => {
    const made: FakePeer[] = [];
    const factory: RaftFactory = {
      make: (o) => {
        const peer = new FakePeer(o);
        made.push(peer);
        for (let i = 1; i <= 10; i++) o.apply(command(i));
        return peer;
      },
    };
    const outcome = await inWorld(factory, async (t) => {
      await withSnapshotConfig(t, async (cfg) => {
        // The tenth command needs the peer itself, to snapshot.
        expect(made.map((p) => p.snapshots.map((s) => s.index))).toEqual([[9], [9], [9]]);
        expect(cfg.lastApplied).toEqual([10, 10, 10]);
      });
    });
    expect(outcome.error).toBeUndefined();
  });
});
