import { describe, expect, it } from 'vitest';
import { EventQueue, type SimEvent, tieOf, TIME_SCALE } from '../../src/sim/event-queue.js';
import { makeRandom } from '../../src/sim/random.js';

function event(timeMs: number, seq: number, tie = 0): SimEvent {
  return { at: timeMs * TIME_SCALE, tie, seq, fn: () => {}, cancelled: false };
}

const timeMs = (e: SimEvent) => e.at / TIME_SCALE;

function popAll(queue: EventQueue): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let e = queue.pop(); e !== undefined; e = queue.pop()) out.push([timeMs(e), e.seq]);
  return out;
}

/** A queue holding `a` at 1 ms (seq 0) and another event at 2 ms (seq 1). */
function twoEvents(): { queue: EventQueue; a: SimEvent } {
  const queue = new EventQueue();
  const a = event(1, 0);
  queue.push(a);
  queue.push(event(2, 1));
  return { queue, a };
}

describe('EventQueue', () => {
  it('pops in (time, seq) order whatever the push order', () => {
    const queue = new EventQueue();
    const pushed: Array<[number, number]> = [[30, 0], [10, 1], [20, 2], [10, 3], [0, 4], [20, 5], [10, 6]];
    for (const [t, s] of pushed) queue.push(event(t, s));
    expect(queue.size).toBe(7);
    expect(popAll(queue)).toEqual([[0, 4], [10, 1], [10, 3], [10, 6], [20, 2], [20, 5], [30, 0]]);
    expect(queue.size).toBe(0);
    expect(queue.pop()).toBeUndefined();
  });

  it('orders events due at one time by their tie before their sequence', () => {
    const queue = new EventQueue();
    queue.push(event(5, 0, 3));
    queue.push(event(5, 1, -7));
    queue.push(event(4, 2, 9));
    queue.push(event(5, 3, -7));
    expect(popAll(queue)).toEqual([[4, 2], [5, 1], [5, 3], [5, 0]]);
  });

  it('tieOf keeps the order of unsigned 32-bit draws, in signed 32-bit integers', () => {
    const draws = [0, 1, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe, 0xffff_ffff];
    const ties = draws.map(tieOf);
    for (const tie of ties) expect(tie | 0).toBe(tie);
    for (let k = 1; k < ties.length; k++) expect(ties[k - 1]!).toBeLessThan(ties[k]!);
  });

  it('a cancelled event never surfaces, and size counts only live events', () => {
    const queue = new EventQueue();
    const [a, b, c] = [event(1, 0), event(2, 1), event(3, 2)];
    for (const e of [a, b, c]) queue.push(e);
    queue.cancel(a);
    expect(queue.size).toBe(2);
    expect(queue.peek()).toBe(b);
    expect(popAll(queue)).toEqual([[2, 1], [3, 2]]);
  });

  it('cancelling twice counts once', () => {
    const { queue, a } = twoEvents();
    queue.cancel(a);
    queue.cancel(a);
    expect(queue.size).toBe(1);
    expect(popAll(queue)).toEqual([[2, 1]]);
  });

  it('cancelling an event that already fired changes nothing', () => {
    const { queue, a } = twoEvents();
    expect(queue.pop()).toBe(a);
    queue.cancel(a);
    expect(queue.size).toBe(1);
    expect(queue.pop()?.seq).toBe(1);
    expect(queue.size).toBe(0);
  });

  it('clear cancels every event and empties the queue; a later cancel of one changes nothing', () => {
    const { queue, a } = twoEvents();
    queue.clear();
    expect(queue.size).toBe(0);
    expect(a.cancelled).toBe(true);
    queue.cancel(a);
    expect(queue.size).toBe(0);
    expect(queue.pop()).toBeUndefined();
    queue.push(event(3, 2));
    expect(popAll(queue)).toEqual([[3, 2]]);
  });

  it('peek leaves the earliest live event in place', () => {
    const { queue, a } = twoEvents();
    expect(queue.peek()).toBe(a);
    expect(queue.peek()).toBe(a);
    expect(queue.size).toBe(2);
  });

  it('agrees with a sorted reference under random pushes, cancels and pops', () => {
    const random = makeRandom(7);
    const queue = new EventQueue();
    // The live events, kept in (time, seq) order; an insertion costs a search and a splice.
    const reference: SimEvent[] = [];
    const order = (x: SimEvent, y: SimEvent) => x.at - y.at || x.seq - y.seq;
    const all: SimEvent[] = [];
    let seq = 0;
    let popped = 0;
    // Plain comparisons in the loop, one assertion after it: 50,000 expect() calls cost seconds.
    const mismatches: string[] = [];
    for (let step = 0; step < 50_000 && mismatches.length === 0; step++) {
      const op = random.int(10);
      if (op < 5) {
        // Few distinct times, so that ties are common and seq must break them.
        const e = event(random.int(200), seq++);
        queue.push(e);
        all.push(e);
        let at = reference.length;
        while (at > 0 && order(reference[at - 1]!, e) > 0) at--;
        reference.splice(at, 0, e);
      } else if (op < 7 && all.length > 0) {
        // Cancel anything ever pushed: live, cancelled or already fired.
        const e = all[random.int(all.length)]!;
        queue.cancel(e);
        const at = reference.indexOf(e);
        if (at >= 0) reference.splice(at, 1);
      } else {
        const expected = reference.shift();
        const got = queue.pop();
        if (got !== expected) mismatches.push(`step ${step}: popped ${got?.seq} instead of ${expected?.seq}`);
        if (expected !== undefined) popped++;
      }
      if (queue.size !== reference.length) mismatches.push(`step ${step}: size ${queue.size} instead of ${reference.length}`);
    }
    expect(mismatches).toEqual([]);
    expect(popAll(queue)).toEqual(reference.map((e) => [timeMs(e), e.seq]));
    // The walk must have exercised the heap, not just an empty queue.
    expect(popped).toBeGreaterThan(5_000);
  });
});
