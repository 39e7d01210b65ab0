import { describe, expect, it } from 'vitest';
import { makeRandom } from '../../src/sim/random.js';
import { SimClock } from '../../src/sim/sim-clock.js';

describe('SimClock', () => {
  it('runs timers in time order, ties in scheduling order, and jumps now() to each event time', () => {
    const clock = new SimClock();
    const seen: string[] = [];
    const note = (name: string) => () => seen.push(`${name}@${clock.now()}`);
    clock.setTimer(50, note('c'));
    clock.setTimer(10, note('a1'));
    clock.setTimer(10, note('a2'));
    clock.setTimer(0, note('zero'));
    clock.setTimer(10, note('a3'));
    expect(clock.pending).toBe(5);
    expect(clock.nextEventTime()).toBe(0);
    while (clock.runNext()) {
      // now() only ever takes the value of an event's time.
      expect([0, 10, 50]).toContain(clock.now());
    }
    expect(seen).toEqual(['zero@0', 'a1@10', 'a2@10', 'a3@10', 'c@50']);
    expect(clock.now()).toBe(50);
  });

  it('measures delays from the time of scheduling, including timers set by timers', () => {
    const clock = new SimClock();
    const seen: number[] = [];
    clock.setTimer(100, () => {
      clock.setTimer(0, () => seen.push(clock.now()));
      clock.setTimer(25, () => seen.push(clock.now()));
    });
    clock.setTimer(110, () => seen.push(clock.now()));
    while (clock.runNext());
    expect(seen).toEqual([100, 110, 125]);
  });

  it('does not advance time when nothing is scheduled', () => {
    const clock = new SimClock();
    clock.setTimer(30, () => {});
    expect(clock.runNext()).toBe(true);
    expect(clock.runNext()).toBe(false);
    expect(clock.now()).toBe(30);
    expect(clock.nextEventTime()).toBeUndefined();
  });

  it('a cancelled timer never fires and does not move time', () => {
    const clock = new SimClock();
    let fired = false;
    const timer = clock.setTimer(40, () => (fired = true));
    clock.setTimer(10, () => {});
    timer.cancel();
    expect(clock.pending).toBe(1);
    while (clock.runNext());
    expect(fired).toBe(false);
    expect(clock.now()).toBe(10);
  });

  it('cancel after firing, and cancel twice, are harmless', () => {
    const clock = new SimClock();
    let fired = 0;
    const timer = clock.setTimer(5, () => fired++);
    clock.setTimer(9, () => {});
    clock.runNext();
    timer.cancel();
    timer.cancel();
    expect(clock.pending).toBe(1);
    while (clock.runNext());
    expect(fired).toBe(1);
  });

  it('a timer may cancel a later timer at the same instant', () => {
    const clock = new SimClock();
    const seen: string[] = [];
    const second = clock.setTimer(5, () => seen.push('second'));
    clock.setTimer(5, () => seen.push('third'));
    // Scheduled after `second`, but earlier in time: it runs first and cancels it.
    clock.setTimer(4, () => second.cancel());
    while (clock.runNext());
    expect(seen).toEqual(['third']);
  });

  it.each([-1, Number.NaN])('rejects a delay of %s ms', (delay) => {
    const clock = new SimClock();
    expect(() => clock.setTimer(delay, () => {})).toThrow(RangeError);
    expect(() => clock.setTimer(delay, () => {})).toThrow(String(delay));
    expect(clock.pending).toBe(0);
  });

  it('with a seeded stream, ties run in an order drawn from it: one order per seed, many across seeds', () => {
    const orderFor = (seed: number) => {
      const clock = new SimClock(makeRandom(seed));
      const seen: string[] = [];
      for (const name of ['a', 'b', 'c', 'd', 'e']) clock.setTimer(7, () => seen.push(name));
      clock.setTimer(3, () => seen.push('early'));
      clock.setTimer(9, () => seen.push('late'));
      while (clock.runNext());
      return seen.join(' ');
    };
    const orders = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const order = orderFor(seed);
      expect(orderFor(seed)).toBe(order);
      // Time still comes first: only the five events due at 7 ms trade places.
      expect(order.startsWith('early ')).toBe(true);
      expect(order.endsWith(' late')).toBe(true);
      orders.add(order);
    }
    expect(orders.size).toBeGreaterThan(25);
  });

  it('advance() moves time on at once; events that fell due meanwhile run late, in order, never back in time', () => {
    const clock = new SimClock();
    const seen: string[] = [];
    clock.setTimer(10, () => {
      clock.advance(25);
      seen.push(`slow@${clock.now()}`);
    });
    clock.setTimer(20, () => seen.push(`due20@${clock.now()}`));
    clock.setTimer(30, () => seen.push(`due30@${clock.now()}`));
    clock.setTimer(50, () => seen.push(`due50@${clock.now()}`));
    while (clock.runNext());
    expect(seen).toEqual(['slow@35', 'due20@35', 'due30@35', 'due50@50']);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
