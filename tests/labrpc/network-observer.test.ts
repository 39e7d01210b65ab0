import { describe, expect, it } from 'vitest';
import type { CallOutcome, NetworkObserver } from '../../src/labrpc/network.js';
import { HOP_MS_MAX, LONG_DELAY_MS_MAX, REORDER_DELAY_MS_BASE, REORDER_DELAY_MS_SPREAD, UNRELIABLE_DELAY_MS_MAX } from '../../src/labrpc/network.js';
import { NetHarness, type CallRecord, type EchoArgs } from './helpers.js';

// The network's observer is how a run's timeline learns each message's
// fate. What it is told must match what the caller and the handler saw, and
// watching must not change the run.

/** Whether `ms` is one goroutine hop: 0 to HOP_MS_MAX. */
function expectHop(ms: number): void {
  expect(ms).toBeGreaterThanOrEqual(0);
  expect(ms).toBeLessThanOrEqual(HOP_MS_MAX);
}

interface Seen {
  id: number;
  sentAtMs: number;
  delayMs: number;
  reachable: boolean;
  deliveredAtMs?: number;
  holdMs?: number;
  endedAtMs?: number;
  outcome?: CallOutcome;
  reply?: unknown;
}

class Recorder implements NetworkObserver {
  readonly calls: Seen[] = [];
  constructor(private readonly now: () => number) {}
  sent(call: number, _endName: number, _method: string, args: unknown, delayMs: number, reachable: boolean): void {
    expect(call).toBe(this.calls.length);
    this.calls.push({ id: (args as EchoArgs).id, sentAtMs: this.now(), delayMs, reachable });
  }
  delivered(call: number): void {
    this.calls[call]!.deliveredAtMs = this.now();
  }
  held(call: number, holdMs: number): void {
    this.calls[call]!.holdMs = holdMs;
  }
  ended(call: number, outcome: CallOutcome, reply?: unknown): void {
    const seen = this.calls[call]!;
    expect(seen.outcome).toBeUndefined();
    Object.assign(seen, { endedAtMs: this.now(), outcome, reply });
  }
}

/**
 * 3000 calls to server 0 over an unreliable, reordering network; a third go
 * through an end that is disabled, and server 1 is replaced while its calls
 * are in flight.
 */
function hostileRun(observe: boolean) {
  // The recorder reads the harness's clock, which exists once the harness does.
  const clock: { now?: () => number } = {};
  const recorder = new Recorder(() => clock.now!());
  const h = new NetHarness(5, observe ? recorder : undefined);
  clock.now = () => h.clock.now();
  h.addServer(0);
  h.addServer(1);
  h.net.setReliable(false);
  h.net.setLongDelays(true);
  h.net.setLongReordering(true);
  const open = h.endTo(0);
  const closed = h.endTo(0, false);
  const toReplaced = h.endTo(1);
  const calls: CallRecord[] = [];
  for (let id = 0; id < 3000; id++) calls.push(h.call(id % 3 === 0 ? closed : id % 3 === 1 ? open : toReplaced, { id }));
  h.clock.setTimer(10, () => h.addServer(1));
  h.drain();
  return { h, calls, seen: observe ? recorder.calls : [] };
}

describe('the network observer', () => {
  const { h, calls, seen } = hostileRun(true);
  const byId = new Map(seen.map((s) => [s.id, s]));

  it('hears of every call, and of each one ending exactly once, when and as the caller does', () => {
    expect(seen).toHaveLength(calls.length);
    for (const call of calls) {
      const s = byId.get(call.id)!;
      expect(s.sentAtMs).toBe(call.sentAtMs);
      expect(s.endedAtMs).toBe(call.repliedAtMs[0]);
      expect(s.reply).toEqual(call.replies[0]);
      expect(s.outcome === 'replied').toBe(call.replies[0] !== undefined);
    }
    const outcomes = new Set(seen.map((s) => s.outcome));
    expect([...outcomes].sort()).toEqual(['replied', 'reply-discarded', 'reply-lost', 'request-lost', 'unreachable']);
  });

  it('says delivered exactly when the handler ran, and never for a lost or unreachable request', () => {
    for (const s of seen) {
      expect(s.deliveredAtMs).toBe(h.handledAtMs.get(s.id));
      if (s.outcome === 'request-lost' || s.outcome === 'unreachable') expect(s.deliveredAtMs).toBeUndefined();
      else expectHop(s.deliveredAtMs! - s.sentAtMs - s.delayMs);
    }
  });

  it('gives an unreachable call its wait, and a held reply its hold, as the caller then sees them (each plus a hop)', () => {
    const unreachable = seen.filter((s) => s.outcome === 'unreachable');
    expect(unreachable.length).toBe(1000);
    for (const s of unreachable) {
      expect(s.reachable).toBe(false);
      expectHop(s.endedAtMs! - s.sentAtMs - s.delayMs);
      expect(s.delayMs).toBeLessThan(LONG_DELAY_MS_MAX);
    }
    const held = seen.filter((s) => s.holdMs !== undefined);
    expect(held.length).toBeGreaterThan(500);
    for (const s of held) {
      expect(s.outcome).toBe('replied');
      expectHop(s.endedAtMs! - s.deliveredAtMs! - s.holdMs!);
      expect(s.holdMs).toBeGreaterThanOrEqual(REORDER_DELAY_MS_BASE);
      expect(s.holdMs).toBeLessThanOrEqual(REORDER_DELAY_MS_BASE + REORDER_DELAY_MS_SPREAD);
    }
    for (const s of seen.filter((s) => s.reachable)) expect(s.delayMs).toBeLessThan(UNRELIABLE_DELAY_MS_MAX);
  });

  it('changes nothing: the same seed without it gives the same replies at the same times', () => {
    const unwatched = hostileRun(false);
    expect(unwatched.calls).toEqual(calls);
    expect([...unwatched.h.handledAtMs]).toEqual([...h.handledAtMs]);
    expect(unwatched.h.net.getTotalBytes()).toBe(h.net.getTotalBytes());
  });
});
