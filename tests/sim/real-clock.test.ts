import timers, { setImmediate as moduleSetImmediate, setTimeout as moduleSetTimeout } from 'node:timers';
import { setInterval as promisedInterval, setTimeout as promisedTimeout } from 'node:timers/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CaptureLog } from '../../src/sim/log.js';
import { makeRandom } from '../../src/sim/random.js';
import { guardRun, HOST_TRAPS, RealClock, RealWorld } from '../../src/sim/real-clock.js';
import { LAB_TIME_LIMIT_MS } from '../../src/sim/world.js';

function world(): RealWorld {
  return new RealWorld({ random: makeRandom(1), makeLog: (clock) => new CaptureLog(clock, 'none') });
}

describe('RealWorld', () => {
  it('runs a script that sleeps on the wall clock', async () => {
    const outcome = await world().run(async (w) => {
      await w.sleep(5);
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(4);
  });

  it('fails the run, not the thread, when a clock callback throws', async () => {
    const outcome = await world().run(async (w) => {
      w.clock.setTimer(1, () => {
        throw new Error('a peer timer broke');
      });
      await w.sleep(10 * LAB_TIME_LIMIT_MS);
    });
    expect(outcome.error?.message).toBe('a peer timer broke');
    // The run ended at the failure, not at the world's time limit (the script's sleep is longer still).
    expect(outcome.elapsedMs).toBeLessThan(LAB_TIME_LIMIT_MS);
  });
});

describe('RealClock', () => {
  it('hands a throwing callback to its error handler', async () => {
    const errors: unknown[] = [];
    const clock = new RealClock((error) => errors.push(error));
    await new Promise<void>((resolve) => {
      clock.setTimer(1, () => {
        throw new RangeError('boom');
      });
      clock.setTimer(3, resolve);
    });
    expect(errors).toEqual([new RangeError('boom')]);
  });

  it('never fires a cancelled timer, nor any timer once disposed', async () => {
    const clock = new RealClock();
    const fired: string[] = [];
    clock.setTimer(1, () => fired.push('cancelled')).cancel();
    clock.setTimer(1, () => fired.push('disposed'));
    clock.dispose();
    clock.setTimer(1, () => fired.push('after dispose'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fired).toEqual([]);
  });
});

describe('guardRun', () => {
  it('traps the host timers while it holds: the call fails the run naming the fix, nothing is scheduled, and the timers work again after', async () => {
    const escapes: Error[] = [];
    const guard = guardRun({ trapHost: true, onEscape: (error) => escapes.push(error) });
    let fired = false;
    const handle = setTimeout(() => (fired = true), 0);
    clearTimeout(handle);
    handle.unref();
    setImmediate(() => (fired = true));
    setInterval(() => (fired = true), 1);
    expect(await guard.release()).toBe(escapes[0]);
    expect(escapes.map((e) => e.message.split(':')[0])).toEqual(['setTimeout was called during a simulated run', 'setImmediate was called during a simulated run', 'setInterval was called during a simulated run']);
    expect(escapes[0]!.message).toMatch(/use clock\.setTimer\(ms, fn\) instead$/);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fired).toBe(false);
    // Outside a guard the stand-ins are the host's timers, down to util.promisify's form.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await promisify(setTimeout)(1, 'slept')).toBe('slept');
    expect(HOST_TRAPS.map((trap) => trap.name)).toEqual([
      'setTimeout',
      'setInterval',
      'setImmediate',
      "node:timers' setTimeout",
      "node:timers' setInterval",
      "node:timers' setImmediate",
      "node:timers/promises' setTimeout",
      "node:timers/promises' setInterval",
      "node:timers/promises' setImmediate",
      'Date.now',
      'new Date()',
      'performance.now',
      'Math.random',
    ]);
  });

  // Issue 11, item 11: a peer that took its timers from node:timers (or its promises) passed, the wall-clock timer unseen.
  it('traps the same timers taken from node:timers and node:timers/promises, imported by name or not', async () => {
    const escapes: Error[] = [];
    const guard = guardRun({ trapHost: true, onEscape: (error) => escapes.push(error) });
    let fired = false;
    moduleSetTimeout(() => (fired = true), 0);
    moduleSetImmediate(() => (fired = true));
    timers.setInterval(() => (fired = true), 1);
    let settled = false;
    void promisedTimeout(1).then(() => (settled = true));
    const ticks = promisedInterval(1)[Symbol.asyncIterator]();
    void ticks.next().then(() => (settled = true));
    expect(await guard.release()).toBe(escapes[0]);
    expect(escapes.map((e) => e.message.split(' was called')[0])).toEqual([
      "node:timers' setTimeout",
      "node:timers' setImmediate",
      "node:timers' setInterval",
      "node:timers/promises' setTimeout",
      "node:timers/promises' setInterval",
    ]);
    expect(escapes[0]!.message).toMatch(/during a simulated run: it acts on the wall clock, .*; use clock\.setTimer\(ms, fn\) instead$/);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect([fired, settled]).toEqual([false, false]);
    // Outside a guard they are the host's again.
    expect(await promisedTimeout(1, 'slept')).toBe('slept');
    expect(await new Promise((resolve) => moduleSetImmediate(() => resolve('turned')))).toBe('turned');
  });

  it("traps the host's clock and entropy while it holds, naming the fix, with constants in their place; a Date of given time is data", async () => {
    const escapes: Error[] = [];
    const guard = guardRun({ trapHost: true, onEscape: (error) => escapes.push(error) });
    const seen = [Date.now(), new Date().getTime(), typeof Date(), performance.now(), Math.random(), new Date(1234).getTime()];
    expect(await guard.release()).toBe(escapes[0]);
    expect(seen).toEqual([0, 0, 'string', 0, 0.5, 1234]);
    expect(escapes.map((e) => e.message.split(':')[0])).toEqual([
      'Date.now was called during a simulated run',
      'new Date() was called during a simulated run',
      'new Date() was called during a simulated run',
      'performance.now was called during a simulated run',
      'Math.random was called during a simulated run',
    ]);
    expect(escapes[0]!.message).toContain("it reads the wall clock, outside the simulation, where the run cannot replay it from its seed; use clock.now(), the run's virtual time in ms (the clock that make's options give the peer) instead");
    expect(escapes[4]!.message).toMatch(/^Math\.random was called during a simulated run: it draws from the host's entropy, .* use random\.float\(\) or random\.int\(n\)/);
    // Outside a guard they are the host's again, and Date keeps its statics and instances.
    expect(Date.now()).toBeGreaterThan(1_600_000_000_000);
    expect(new Date().getTime()).toBeGreaterThan(1_600_000_000_000);
    expect(new Date(0) instanceof Date && Date.UTC(1970, 0, 2) === 86_400_000).toBe(true);
    expect(performance.now()).toBeGreaterThan(0);
    const draws = new Set(Array.from({ length: 4 }, () => Math.random()));
    expect(draws.size).toBe(4);
  });

  it('leaves the host timers alone when told to (realtime)', async () => {
    const escapes: Error[] = [];
    const guard = guardRun({ trapHost: false, onEscape: (error) => escapes.push(error) });
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(await guard.release()).toBeUndefined();
    expect(escapes).toEqual([]);
  });

  it('hears a rejection nothing handles and an exception nothing catches, and gives the process its own listeners back', async () => {
    const before = process.listeners('unhandledRejection');
    const escapes: Error[] = [];
    const guard = guardRun({ trapHost: true, onEscape: (error) => escapes.push(error) });
    void Promise.reject(new RangeError('nobody awaits me'));
    queueMicrotask(() => {
      throw new TypeError('nobody catches me');
    });
    await guard.release();
    expect(escapes.map((e) => e.message.split('\n')[0])).toEqual([
      'an exception was thrown that nothing caught during the run: TypeError: nobody catches me',
      'a promise was rejected and nothing handled the rejection during the run: RangeError: nobody awaits me',
    ]);
    expect(process.listeners('unhandledRejection')).toEqual(before);
  });
});
