import { describe, expect, it } from 'vitest';
import { BusyInstantError, StuckWorldError, TimeLimitError, UnsettledTestError } from '../../src/sim/errors.js';
import type { Task, World, WorldOutcome } from '../../src/sim/world.js';
import { makeWorld, runWorld } from './helpers.js';

/** A test that sleeps 10 ms while callbacks set up by `arm` fail the run; says whether the test ever resumed. */
async function runWhileFailing(arm: (world: World) => void): Promise<{ outcome: WorldOutcome; resumed: boolean }> {
  let resumed = false;
  const outcome = await runWorld(async (world) => {
    arm(world);
    await world.sleep(10);
    resumed = true;
  });
  return { outcome, resumed };
}

describe('SimWorld', () => {
  it('a sleep advances virtual time by exactly its length', async () => {
    const times: number[] = [];
    const outcome = await runWorld(async (world) => {
      times.push(world.clock.now());
      await world.sleep(1500);
      times.push(world.clock.now());
      await world.sleep(0);
      times.push(world.clock.now());
      await world.sleep(250);
      times.push(world.clock.now());
    });
    expect(outcome.error).toBeUndefined();
    expect(times).toEqual([0, 1500, 1500, 1750]);
    expect(outcome.elapsedMs).toBe(1750);
  });

  it('a 100 s sleep runs the 100 ms heartbeats that fall inside it, and nothing past it', async () => {
    let beats = 0;
    const outcome = await runWorld(async (world) => {
      const beat = (): void => {
        beats++;
        world.clock.setTimer(100, beat);
      };
      world.clock.setTimer(100, beat);
      await world.sleep(100_000);
    });
    expect(outcome.error).toBeUndefined();
    // The beat due at 100 000 ms was scheduled (at 99 900) after the sleep's
    // wake-up, so the test ends before it runs.
    expect(beats).toBe(999);
  });

  it('the events still pending when the run ends are dropped: none runs, and the clock holds none', async () => {
    const world = makeWorld();
    let ran = false;
    const outcome = await world.run(async (w) => {
      w.clock.setTimer(5, () => (ran = true));
      w.clock.setTimer(50, () => (ran = true));
      await w.sleep(1);
    });
    expect(outcome.error).toBeUndefined();
    expect(world.clock.pending).toBe(0);
    expect(world.clock.runNext()).toBe(false);
    expect(ran).toBe(false);
  });

  it("events due at one instant, the test's wake-up among them, run in an order drawn from the seed", async () => {
    const orderFor = async (seed: number) => {
      const order: string[] = [];
      await makeWorld(seed).run(async (world) => {
        for (const name of ['a', 'b', 'c', 'd']) world.clock.setTimer(10, () => order.push(name));
        await world.sleep(10);
        order.push('test');
        await world.sleep(1);
      });
      return order.join('');
    };
    const orders = new Set<string>();
    for (let seed = 0; seed < 30; seed++) {
      const order = await orderFor(seed);
      expect(await orderFor(seed)).toBe(order);
      orders.add(order);
    }
    // Five events at one instant have 120 orders; thirty seeds find many of them.
    expect(orders.size).toBeGreaterThan(10);
    expect([...orders].some((order) => order.startsWith('test'))).toBe(true);
    expect([...orders].some((order) => order.endsWith('test'))).toBe(true);
  });

  it('events do not run while the test is still running', async () => {
    let fired = false;
    const outcome = await runWorld(async (world) => {
      world.clock.setTimer(0, () => (fired = true));
      // Several microtask turns: the driver must not step the clock meanwhile.
      for (let i = 0; i < 10; i++) await Promise.resolve();
      expect(fired).toBe(false);
      await world.sleep(1);
      expect(fired).toBe(true);
    });
    expect(outcome.error).toBeUndefined();
  });

  it('spawned tasks interleave by virtual time and join returns their results', async () => {
    const trace: string[] = [];
    const outcome = await runWorld(async (world) => {
      const worker = (name: string, step: number, rounds: number) =>
        world.spawn(name, async () => {
          for (let i = 0; i < rounds; i++) {
            await world.sleep(step);
            trace.push(`${name}@${world.clock.now()}`);
          }
          return `${name} done`;
        });
      const a = worker('a', 30, 3);
      const b = worker('b', 25, 3);
      const c = worker('c', 35, 1);
      expect(await world.join(b)).toBe('b done');
      trace.push(`joined b@${world.clock.now()}`);
      expect(await world.join(a)).toBe('a done');
      // Joining a finished task returns at once, and may be repeated.
      expect(await world.join(c)).toBe('c done');
      expect(await world.join(b)).toBe('b done');
      trace.push(`end@${world.clock.now()}`);
    });
    expect(outcome.error).toBeUndefined();
    expect(trace).toEqual(['b@25', 'a@30', 'c@35', 'b@50', 'a@60', 'b@75', 'joined b@75', 'a@90', 'end@90']);
    expect(outcome.elapsedMs).toBe(90);
  });

  it('one seed gives one interleaving, random choices included', async () => {
    const script = (trace: string[]) => async (world: World) => {
      const tasks = ['x', 'y', 'z'].map((name) =>
        world.spawn(name, async () => {
          for (let i = 0; i < 20; i++) {
            await world.sleep(world.random.int(5));
            trace.push(`${name}${world.clock.now()}`);
          }
        }),
      );
      for (const task of tasks) await world.join(task);
    };
    const first: string[] = [];
    const second: string[] = [];
    const other: string[] = [];
    await makeWorld(3).run(script(first));
    await makeWorld(3).run(script(second));
    await makeWorld(4).run(script(other));
    expect(first).toHaveLength(60);
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('a test awaiting a promise the world cannot see fails with UnsettledTestError', async () => {
    const outcome = await runWorld(async (world) => {
      await world.sleep(5);
      await new Promise(() => {});
    });
    expect(outcome.error).toBeInstanceOf(UnsettledTestError);
    expect(outcome.error?.message).toContain('virtual time 5 ms');
  });

  it('joining a task that awaits an invisible promise is unsettled too', async () => {
    const outcome = await runWorld(async (world) => {
      const task = world.spawn('stuck', () => new Promise<void>(() => {}));
      await world.join(task);
    });
    expect(outcome.error).toBeInstanceOf(UnsettledTestError);
  });

  it('a promise that settles within one host turn is tolerated', async () => {
    const outcome = await runWorld(async (world) => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await world.sleep(3);
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.elapsedMs).toBe(3);
  });

  it('two tasks joining each other, with no event pending, fail with StuckWorldError', async () => {
    const outcome = await runWorld(async (world) => {
      // `tasks.b` is set before `a` wakes from its sleep and joins it.
      const tasks: { b?: Task<void> } = {};
      const a = world.spawn('a', async () => {
        await world.sleep(7);
        await world.join(tasks.b!);
      });
      tasks.b = world.spawn('b', () => world.join(a));
      await world.join(a);
    });
    expect(outcome.error).toBeInstanceOf(StuckWorldError);
    expect(outcome.error?.message).toContain('no event can ever fire');
    expect((outcome.error as StuckWorldError).atMs).toBe(7);
    expect(outcome.elapsedMs).toBe(7);
  });

  it('past 120 s of virtual time the run fails with TimeLimitError', async () => {
    let woke = false;
    const outcome = await runWorld(async (world) => {
      await world.sleep(121_000);
      woke = true;
    });
    expect(outcome.error).toBeInstanceOf(TimeLimitError);
    expect(outcome.error?.message).toBe('test took longer than 120 seconds');
    expect(woke).toBe(false);
  });

  it('a sleep that ends exactly at the limit is allowed', async () => {
    const outcome = await runWorld((world) => world.sleep(120_000));
    expect(outcome.error).toBeUndefined();
    expect(outcome.elapsedMs).toBe(120_000);
  });

  it('honours a custom time limit', async () => {
    const outcome = await runWorld((world) => world.sleep(2001), { timeLimitMs: 2000 });
    expect(outcome.error).toBeInstanceOf(TimeLimitError);
    expect(outcome.error?.message).toBe('test took longer than 2 seconds');
  });

  it('a timer that keeps rescheduling itself at the same instant fails with BusyInstantError', async () => {
    let spins = 0;
    const outcome = await runWorld(
      async (world) => {
        world.clock.setTimer(3, function spin() {
          spins++;
          world.clock.setTimer(0, spin);
        });
        await world.sleep(10);
      },
      { maxEventsPerInstant: 50 },
    );
    expect(outcome.error).toBeInstanceOf(BusyInstantError);
    expect((outcome.error as BusyInstantError).atMs).toBe(3);
    expect(outcome.error?.message).toContain('more than 50 events at virtual time 3 ms');
    expect(spins).toBe(50);
  });

  it('many events at one instant are fine below the cap', async () => {
    let ran = 0;
    const outcome = await runWorld(
      async (world) => {
        for (let i = 0; i < 49; i++) world.clock.setTimer(3, () => ran++);
        await world.sleep(4);
      },
      { maxEventsPerInstant: 50 },
    );
    expect(outcome.error).toBeUndefined();
    expect(ran).toBe(49);
  });

  it('an exception thrown by a clock event fails the run with that error', async () => {
    const boom = new Error('boom in a timer');
    const { outcome, resumed } = await runWhileFailing((world) =>
      world.clock.setTimer(5, () => {
        throw boom;
      }),
    );
    expect(outcome.error).toBe(boom);
    expect(outcome.elapsedMs).toBe(5);
    expect(resumed).toBe(false);
  });

  it('world.fail() from a callback fails the run and stops it at that instant; the first failure wins', async () => {
    const failure = new Error('apply out of order');
    const { outcome, resumed } = await runWhileFailing((world) => {
      world.clock.setTimer(4, () => {
        world.fail(failure);
        world.fail(new Error('second failure'));
      });
    });
    expect(outcome.error).toBe(failure);
    expect(outcome.elapsedMs).toBe(4);
    expect(resumed).toBe(false);
  });

  it('a spawned task that throws fails the run, and a thrown non-Error becomes an Error', async () => {
    const outcome = await runWorld(async (world) => {
      world.spawn('thrower', async () => {
        await world.sleep(2);
        throw 'plain string';
      });
      await world.sleep(100);
    });
    expect(outcome.error).toBeInstanceOf(Error);
    expect(outcome.error?.message).toBe('plain string');
    expect(outcome.elapsedMs).toBe(2);
  });

  it('an assertion failing in the test script is the run error', async () => {
    const outcome = await runWorld(async (world) => {
      await world.sleep(8);
      throw new RangeError('expected one leader');
    });
    expect(outcome.error).toBeInstanceOf(RangeError);
    expect(outcome.error?.message).toBe('expected one leader');
    expect(outcome.elapsedMs).toBe(8);
  });

  it('the log is stamped with virtual time', async () => {
    const world = makeWorld();
    await world.run(async (w) => {
      await w.sleep(1234.5);
      w.log.test('hello');
    });
    expect((world.log as unknown as { lines: string[] }).lines).toEqual(['012345 TEST hello']);
  });
});

// Known limitation, reported: the driver counts waits, not waiting tasks, so
// a task that awaits two world promises at once breaks its accounting. Two
// sleeps under Promise.all fail with a misleading UnsettledTestError; a
// timeout written as Promise.race([join, sleep]) silently resumes at the
// sleep's end instead of the join's. The suite never does either today.
describe('SimWorld: one task awaiting two world promises at once', () => {
  it.fails('Promise.all of two sleeps resumes when the longer one ends', async () => {
    const outcome = await runWorld(async (world) => {
      await Promise.all([world.sleep(5), world.sleep(10)]);
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.elapsedMs).toBe(10);
  });

  it.fails('Promise.race of a join and a sleep resumes when the task finishes', async () => {
    let resumedAtMs = -1;
    const outcome = await runWorld(async (world) => {
      const task = world.spawn('quick', () => world.sleep(50));
      await Promise.race([world.join(task), world.sleep(1000)]);
      resumedAtMs = world.clock.now();
    });
    expect(outcome.error).toBeUndefined();
    expect(resumedAtMs).toBe(50);
  });
});
