import { describe, expect, it } from 'vitest';
import {
  type ClientEnd,
  HOP_MS_MAX,
  HOP_STEP_MS,
  LONG_DELAY_MS_MAX,
  REORDER_CHANCE,
  REORDER_DELAY_MS_BASE,
  REORDER_DELAY_MS_SPREAD,
  Server,
  SHORT_DELAY_MS_MAX,
  UNRELIABLE_DELAY_MS_MAX,
  UNRELIABLE_LOSS_PER_MILLE,
} from '../../src/labrpc/network.js';
import { expectBinomial, runUntil } from '../sim/helpers.js';
import { echoReplyBytes, NetHarness, runCalls, type CallRecord } from './helpers.js';

function expectOneReplyEach(calls: readonly CallRecord[]): void {
  const wrong = calls.filter((c) => c.replies.length !== 1).map((c) => `${c.id}: ${c.replies.length}`);
  expect(wrong, 'calls without exactly one reply').toEqual([]);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Asserts a sample mean lies within five standard errors of the distribution's mean. */
function expectMean(xs: readonly number[], mu: number, variance: number): void {
  const tolerance = 5 * Math.sqrt(variance / xs.length);
  expect(Math.abs(mean(xs) - mu), `mean ${mean(xs)} vs ${mu} ± ${tolerance}`).toBeLessThan(tolerance);
}

/** Mean and variance of a uniform integer on [0, n). */
function uniformMoments(n: number): [number, number] {
  return [(n - 1) / 2, (n * n - 1) / 12];
}

/** Mean and variance of one goroutine hop: uniform on 0, 1/8, …, 1 ms. */
const HOP_STEPS = HOP_MS_MAX / HOP_STEP_MS + 1;
const [HOP_MEAN, HOP_VARIANCE] = uniformMoments(HOP_STEPS).map((m, i) => m * HOP_STEP_MS ** (i + 1)) as [number, number];

/** Moments of a sum of independent delays. */
function plus(a: [number, number], b: [number, number]): [number, number] {
  return [a[0] + b[0], a[1] + b[1]];
}

/** Whether `ms` is a whole number of hop steps (every delay here is). */
function onHopGrid(ms: number): boolean {
  return Number.isInteger(ms / HOP_STEP_MS);
}

describe('reliable network', () => {
  it('delivers a request one goroutine hop after the call and its reply one hop after the handler, never inside call()', () => {
    const h = new NetHarness();
    h.addServer(0);
    const end = h.endTo(0);
    h.clock.setTimer(5, () => h.call(end, { id: 1, pad: 'x' }));
    runUntil(h.clock, 5 + 2 * HOP_MS_MAX);
    const [call] = h.calls;
    expect(call!.replies).toEqual([{ from: 0, id: 1, pad: 'x' }]);
    const handledAtMs = h.handledAtMs.get(1)!;
    expect(handledAtMs).toBeGreaterThanOrEqual(5);
    expect(handledAtMs).toBeLessThanOrEqual(5 + HOP_MS_MAX);
    expect(call!.repliedAtMs[0]).toBeGreaterThanOrEqual(handledAtMs);
    expect(call!.repliedAtMs[0]! - handledAtMs).toBeLessThanOrEqual(HOP_MS_MAX);

    const late = h.call(end, { id: 2 });
    expect(late.replies).toEqual([]);
    expect(h.handledAtMs.has(2)).toBe(false);
    h.drain();
    expect(late.replies).toEqual([{ from: 0, id: 2, pad: '' }]);
  });

  it('a request and its reply are separate events: other events run between them', () => {
    const h = new NetHarness(3);
    h.addServer(0);
    const call = h.call(h.endTo(0), { id: 1 });
    let events = 0;
    while (!h.handledAtMs.has(1)) {
      h.clock.runNext();
      events++;
    }
    // The handler has run, but its reply is still an event to come.
    expect(call.replies).toEqual([]);
    h.clock.setTimer(0, () => {});
    h.drain();
    expect(call.replies).toHaveLength(1);
    expect(events).toBe(1);
  });

  it('on a reliable network, calls made together are handled and answered in seeded, varying orders', () => {
    const orders = new Set<string>();
    const overtaken = { count: 0 };
    for (let seed = 0; seed < 40; seed++) {
      const { h, calls } = runCalls(seed, 5, () => {});
      const handled = [...h.handledAtMs.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
      orders.add(handled.join(','));
      // A reply overtakes when a later-handled call is answered first.
      const byReply = [...calls].sort((a, b) => a.repliedAtMs[0]! - b.repliedAtMs[0]!).map((c) => c.id);
      if (byReply.join(',') !== handled.join(',')) overtaken.count++;
      // One seed, one order.
      const again = runCalls(seed, 5, () => {});
      expect(again.calls.map((c) => c.repliedAtMs[0])).toEqual(calls.map((c) => c.repliedAtMs[0]));
    }
    expect(orders.size).toBeGreaterThan(20);
    expect(overtaken.count).toBeGreaterThan(10);
  });

  it('the handler gets a copy: changing args after call() does not reach it', () => {
    const h = new NetHarness();
    h.addServer(0);
    const args = { id: 1, pad: 'original' };
    h.call(h.endTo(0), args);
    args.pad = 'changed after call';
    h.drain();
    expect(h.received).toEqual([{ id: 1, pad: 'original' }]);
    expect(h.received[0]).not.toBe(args);
  });

  it("the handler's changes to its argument and reply do not reach the caller", () => {
    const h = new NetHarness();
    const shared = { log: [1, 2, 3] };
    const args = { id: 1, nested: { entries: [{ term: 1 }] } };
    h.net.addServer(
      0,
      new Server({
        Mutate: (a: typeof args) => {
          a.nested.entries[0]!.term = 99;
          a.nested.entries.push({ term: 100 });
          // The reply is read when the handler returns; later changes stay on the server.
          h.clock.setTimer(0, () => shared.log.push(4));
          return shared;
        },
      }),
    );
    const call = h.call(h.endTo(0), args as never, 'Mutate');
    h.drain();
    expect(args).toEqual({ id: 1, nested: { entries: [{ term: 1 }] } });
    expect(call.replies).toEqual([{ log: [1, 2, 3] }]);
    expect(call.replies[0]).not.toBe(shared);
    (call.replies[0] as typeof shared).log.push(5);
    expect(shared.log).toEqual([1, 2, 3, 4]);
  });

  it('byte arrays are copied too', () => {
    const h = new NetHarness();
    let got: Uint8Array | undefined;
    h.net.addServer(0, new Server({ Bytes: (a: { b: Uint8Array }) => ((got = a.b), a.b) }));
    const payload = new Uint8Array([1, 2, 3]);
    const call = h.call(h.endTo(0), { id: 0, b: payload } as never, 'Bytes');
    payload[0] = 42;
    h.drain();
    expect(Array.from(got!)).toEqual([1, 2, 3]);
    got![1] = 77;
    expect(Array.from(call.replies[0] as Uint8Array)).toEqual([1, 2, 3]);
  });

  it('counts RPCs per server, afresh when a server is replaced', () => {
    const h = new NetHarness();
    h.addServer(0);
    h.addServer(1);
    const to0 = h.endTo(0);
    const to1 = h.endTo(1);
    h.callMany(to0, 3);
    h.callMany(to1, 2, 10);
    h.drain();
    expect(h.net.getCount(0)).toBe(3);
    expect(h.net.getCount(1)).toBe(2);
    expect(h.net.getTotalCount()).toBe(5);

    // A restarted peer is a new Server object, whose count starts at zero.
    h.addServer(0);
    expect(h.net.getCount(0)).toBe(0);
    h.callMany(to0, 1, 20);
    h.drain();
    expect(h.net.getCount(0)).toBe(1);
    expect(h.net.getTotalCount()).toBe(6);
  });

  it('asking the count of a deleted server is an error naming it', () => {
    const h = new NetHarness();
    h.addServer(3);
    h.net.deleteServer(3);
    expect(() => h.net.getCount(3)).toThrow('no server 3');
  });

  it('total bytes are the request sizes plus the sizes of delivered replies', () => {
    const h = new NetHarness();
    h.addServer(0);
    // One method, one Go type: every Echo carries both fields.
    const calls = [h.call(h.endTo(0), { id: 1, pad: '' }), h.call(h.endTo(0), { id: 200, pad: 'z'.repeat(300) })];
    h.drain();
    const expected = calls.reduce((sum, c, i) => sum + c.requestBytes + echoReplyBytes(0, h.received[i]!), 0);
    expect(h.net.getTotalBytes()).toBe(expected);
    // Sizes are real encodings: the 300-character pad is in both directions.
    expect(expected).toBeGreaterThan(600);
  });

  it('an unknown method is an error naming it', () => {
    const h = new NetHarness();
    h.addServer(0);
    h.call(h.endTo(0), { id: 1 }, 'Nope');
    expect(() => h.clock.runNext()).toThrow('unknown method Nope');
  });
});

describe('calls that cannot reach a server', () => {
  const unreachable = {
    'a disabled end': (h: NetHarness) => h.endTo(0, false),
    'a deleted server': (h: NetHarness) => {
      const end = h.endTo(0);
      h.net.deleteServer(0);
      return end;
    },
    'an end connected to nothing': (h: NetHarness) => {
      const end = h.net.makeEnd();
      h.net.enable(end, true);
      return end;
    },
  };

  for (const [what, makeEnd] of Object.entries(unreachable)) {
    for (const [longDelays, limitMs] of [
      [true, LONG_DELAY_MS_MAX],
      [false, SHORT_DELAY_MS_MAX],
    ] as const) {
      it(`${what} fails after a delay in [0, ${limitMs}) ms (long delays ${longDelays ? 'on' : 'off'}); the handler never runs`, () => {
        const h = new NetHarness(longDelays ? 11 : 12);
        h.addServer(0);
        h.net.setLongDelays(longDelays);
        const end = makeEnd(h);
        const calls = h.callMany(end, 4000);
        expect(calls.every((c) => c.replies.length === 0)).toBe(true);
        h.drain();
        expectOneReplyEach(calls);
        expect(calls.filter((c) => c.replies[0] !== undefined)).toEqual([]);
        expect(h.handledAtMs.size).toBe(0);
        // labrpc's delay, then a hop back to the caller.
        const delays = calls.map((c) => c.repliedAtMs[0]! - c.sentAtMs);
        expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...delays)).toBeLessThan(limitMs + HOP_MS_MAX);
        // The whole range is used, uniformly.
        expect(Math.max(...delays)).toBeGreaterThan(limitMs * 0.99 - 1);
        expectMean(delays, ...plus(uniformMoments(limitMs), [HOP_MEAN, HOP_VARIANCE]));
        // labrpc counts these calls and their request bytes, though no server saw them.
        expect(h.net.getTotalCount()).toBe(4000);
        expect(h.net.getTotalBytes()).toBe(calls.reduce((sum, c) => sum + c.requestBytes, 0));
      });
    }
  }

  it("a call's context comes back with its reply, and with its failure, through the runner if given", () => {
    const h = new NetHarness();
    h.addServer(0);
    const seen: unknown[] = [];
    const onReply = (reply: unknown, context: unknown) => seen.push([reply, context]);
    h.endTo(0).call('Echo', { id: 1 }, onReply, 'first');
    h.endTo(0, false).call('Echo', { id: 2 }, onReply, { second: true });
    const runner = (run: (reply: unknown, context: unknown) => void, reply: unknown, context: unknown) => run(reply, ['through the runner', context]);
    h.endTo(0).call('Echo', { id: 3 }, onReply, 'third', runner);
    h.drain();
    expect(seen).toHaveLength(3);
    expect(seen).toContainEqual([{ from: 0, id: 1, pad: '' }, 'first']);
    expect(seen).toContainEqual([undefined, { second: true }]);
    expect(seen).toContainEqual([{ from: 0, id: 3, pad: '' }, ['through the runner', 'third']]);
  });

  it("the end's state is read when the request is sent", () => {
    const h = new NetHarness();
    h.addServer(0);
    h.addServer(1);
    const disabled = h.endTo(0, false);
    const failed = h.call(disabled, { id: 1 });
    h.net.enable(disabled, true);
    const moved = h.endTo(0);
    const delivered = h.call(moved, { id: 2 });
    h.net.connect(moved, 1);
    h.drain();
    expect(failed.replies).toEqual([undefined]);
    expect(h.handledAtMs.has(1)).toBe(false);
    expect(delivered.replies).toEqual([{ from: 0, id: 2, pad: '' }]);
  });
});

describe('a server cut off while a request is in flight', () => {
  const cuts = {
    deleted: (h: NetHarness) => h.net.deleteServer(0),
    'replaced by a restarted server': (h: NetHarness) => h.addServer(0),
    'reached through an end that is then disabled': (h: NetHarness, end: ClientEnd) => h.net.enable(end, false),
  };

  for (const [what, cut] of Object.entries(cuts)) {
    it(`${what}: the handler runs but the reply is discarded`, () => {
      const h = new NetHarness();
      h.addServer(0);
      const end = h.endTo(0);
      const call = h.call(end, { id: 7 });
      cut(h, end);
      h.drain();
      expect(h.handledAtMs.get(7)).toBeLessThanOrEqual(HOP_MS_MAX);
      expect(call.replies).toEqual([undefined]);
      // The discarded reply's bytes are not counted.
      expect(h.net.getTotalBytes()).toBe(call.requestBytes);
    });
  }

  it('with unreliable delays: every request that arrives after the deletion runs but gets no reply', () => {
    const cutAtMs = 12.5;
    const { h, calls } = runCalls(21, 2000, ({ net, clock }) => {
      net.setReliable(false);
      clock.setTimer(cutAtMs, () => net.deleteServer(0));
    });
    expectOneReplyEach(calls);
    const afterCut = calls.filter((c) => (h.handledAtMs.get(c.id) ?? -1) > cutAtMs);
    const beforeCut = calls.filter((c) => (h.handledAtMs.get(c.id) ?? Infinity) < cutAtMs);
    expect(afterCut.length).toBeGreaterThan(500);
    expect(afterCut.filter((c) => c.replies[0] !== undefined)).toEqual([]);
    // Those handled before the cut still got replies (the unlost ones).
    expect(beforeCut.filter((c) => c.replies[0] !== undefined).length).toBeGreaterThan(beforeCut.length * 0.8);
  });
});

describe('unreliable network (20 000 calls, fixed seed)', () => {
  const { h, calls } = runCalls(2024, 20_000, ({ net }) => net.setReliable(false));
  const handled = calls.filter((c) => h.handledAtMs.has(c.id));
  const lostRequests = calls.filter((c) => !h.handledAtMs.has(c.id));
  const lostReplies = handled.filter((c) => c.replies[0] === undefined);
  const delivered = handled.filter((c) => c.replies[0] !== undefined);
  const lossRate = UNRELIABLE_LOSS_PER_MILLE / 1000;

  it('every call gets exactly one reply', () => {
    expectOneReplyEach(calls);
  });

  it('requests are delayed by a uniform 0 to 26 ms, plus a goroutine hop', () => {
    const delays = handled.map((c) => h.handledAtMs.get(c.id)! - c.sentAtMs);
    expect(Math.min(...delays)).toBe(0);
    expect(Math.max(...delays)).toBe(UNRELIABLE_DELAY_MS_MAX - 1 + HOP_MS_MAX);
    expect(delays.every(onHopGrid)).toBe(true);
    expectMean(delays, ...plus(uniformMoments(UNRELIABLE_DELAY_MS_MAX), [HOP_MEAN, HOP_VARIANCE]));
  });

  it('about 10% of requests are lost, and their handler never runs', () => {
    expectBinomial(lostRequests.length, calls.length, lossRate);
    expect(h.net.getCount(0)).toBe(handled.length);
    // A lost request fails after its delay and the hops there and back, not late.
    expect(lostRequests.every((c) => c.repliedAtMs[0]! - c.sentAtMs < UNRELIABLE_DELAY_MS_MAX + 2 * HOP_MS_MAX)).toBe(true);
  });

  it('about 10% of the remaining replies are lost', () => {
    expectBinomial(lostReplies.length, handled.length, lossRate);
  });

  it('delivered replies are correct and come back within a hop of the handler (no long reordering)', () => {
    const late = (c: CallRecord) => c.repliedAtMs[0]! - h.handledAtMs.get(c.id)!;
    const wrong = delivered.filter((c) => (c.replies[0] as { id: number }).id !== c.id || late(c) < 0 || late(c) > HOP_MS_MAX);
    expect(wrong).toEqual([]);
  });

  it('counts every request and only the delivered replies in the byte total', () => {
    const requestBytes = calls.reduce((sum, c) => sum + c.requestBytes, 0);
    const replyBytes = delivered.reduce((sum, c) => sum + echoReplyBytes(0, { id: c.id, pad: 'p'.repeat(c.id % 7) }), 0);
    expect(h.net.getTotalCount()).toBe(calls.length);
    expect(h.net.getTotalBytes()).toBe(requestBytes + replyBytes);
  });
});

describe('long reordering (reliable, 20 000 calls, fixed seed)', () => {
  const { h, calls } = runCalls(77, 20_000, ({ net }) => net.setLongReordering(true));
  // A reply comes back a hop after its handler, or a hold and a hop after it.
  const holds = calls.map((c) => c.repliedAtMs[0]! - h.handledAtMs.get(c.id)!);
  const held = holds.filter((ms) => ms > HOP_MS_MAX);

  it('every call is handled and gets its reply exactly once', () => {
    expectOneReplyEach(calls);
    expect(calls.filter((c) => (c.replies[0] as { id?: number } | undefined)?.id !== c.id)).toEqual([]);
  });

  it('about 2/3 of replies are held back', () => {
    expectBinomial(held.length, calls.length, REORDER_CHANCE.numerator / REORDER_CHANCE.denominator);
  });

  it('a held reply waits 200 ms plus up to 2000 ms, skewed short as in labrpc', () => {
    expect(Math.min(...held)).toBeGreaterThanOrEqual(REORDER_DELAY_MS_BASE);
    expect(Math.max(...held)).toBeLessThan(REORDER_DELAY_MS_BASE + REORDER_DELAY_MS_SPREAD + HOP_MS_MAX);
    expect(Math.max(...held)).toBeGreaterThan(REORDER_DELAY_MS_BASE + REORDER_DELAY_MS_SPREAD * 0.95);
    // The extra wait is rand.Intn(1 + rand.Intn(2000)): Y uniform on [0, X], X uniform on [0, 2000).
    let ey = 0;
    let ey2 = 0;
    for (let x = 0; x < REORDER_DELAY_MS_SPREAD; x++) {
      ey += x / 2 / REORDER_DELAY_MS_SPREAD;
      ey2 += (x * (2 * x + 1)) / 6 / REORDER_DELAY_MS_SPREAD;
    }
    expectMean(
      held.map((ms) => ms - REORDER_DELAY_MS_BASE),
      ...plus([ey, ey2 - ey * ey], [HOP_MEAN, HOP_VARIANCE]),
    );
  });

  it('reorders: replies no longer arrive in the order the calls were made', () => {
    const arrival = [...calls].sort((a, b) => a.repliedAtMs[0]! - b.repliedAtMs[0]!);
    expect(arrival.map((c) => c.id)).not.toEqual(calls.map((c) => c.id));
  });
});

describe('cleanup', () => {
  it('stops every delivery: queued requests, pending failures and held replies', () => {
    const h = new NetHarness(5);
    h.addServer(0);
    h.net.setLongReordering(true);
    h.net.setLongDelays(true);
    const held = h.callMany(h.endTo(0), 30);
    // Every request is handled and every reply not held is back by now.
    runUntil(h.clock, 2 * HOP_MS_MAX);
    const waiting = held.filter((c) => c.replies.length === 0);
    expect(waiting.length).toBeGreaterThan(5);
    const queued = h.callMany(h.endTo(0), 5, 100);
    const failing = h.callMany(h.endTo(0, false), 5, 200);
    h.net.cleanup();
    const after = h.callMany(h.endTo(0), 5, 300);
    const total = h.net.getTotalCount();
    h.drain();
    for (const c of [...waiting, ...queued, ...failing, ...after]) expect(c.replies, `call ${c.id}`).toEqual([]);
    expect([...h.handledAtMs.keys()].filter((id) => id >= 100)).toEqual([]);
    expect(h.net.getTotalCount()).toBe(total);
  });
});
