import type { Clock, Timer } from './clock.js';
import { EventQueue, type SimEvent, tieOf, TIME_SCALE } from './event-queue.js';
import type { Random } from './random.js';

/**
 * Virtual time. Nothing happens between events: the simulator jumps from one
 * scheduled callback to the next, so a second of simulated waiting costs
 * only the callbacks that fall inside it.
 */
export class SimClock implements Clock {
  private nowMs = 0;
  private seq = 0;
  private readonly queue = new EventQueue();

  /**
   * With `random`, events due at one instant run in an order drawn from it
   * (seeded, so still one order per seed), not in the order they were
   * scheduled: in Go, goroutines made runnable together run in no fixed order.
   */
  constructor(private readonly random?: Random) {}

  now(): number {
    return this.nowMs;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    return this.callLater(delayMs, fn, undefined);
  }

  /**
   * setTimer for `fn(arg)`: what the simulator itself schedules on every
   * wait of a test (a resolve to call) needs no closure made for it.
   */
  callLater<A>(delayMs: number, fn: (arg: A) => void, arg: A): Timer {
    if (!(delayMs >= 0)) throw new RangeError(`timer delay ${delayMs} ms must be a non-negative number`);
    const tie = this.random === undefined ? 0 : tieOf(this.random.uint32());
    const event = new TimerEvent(this.queue, (this.nowMs + delayMs) * TIME_SCALE, tie, this.seq++, fn as (arg: unknown) => void, arg);
    this.queue.push(event);
    return event;
  }

  /** How many events will still fire. */
  get pending(): number {
    return this.queue.size;
  }

  /** Cancels every pending event at once, when nothing is to run any more. */
  discardPending(): void {
    this.queue.clear();
  }

  /** The virtual time of the next event, or undefined when nothing is scheduled. */
  nextEventTime(): number | undefined {
    const next = this.queue.peek();
    return next === undefined ? undefined : next.at / TIME_SCALE;
  }

  /**
   * Moves time forward by `ms` at once, as if the current event had taken
   * that long: events that fall due meanwhile run late, in their order.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.nowMs += ms;
  }

  /**
   * Advances time to the next event and runs it. Returns false, and changes
   * nothing, when no event is scheduled.
   */
  runNext(): boolean {
    // Only TimerEvents are ever pushed.
    const event = this.queue.pop() as TimerEvent | undefined;
    if (event === undefined) return false;
    // An event made late by charged computation (advance) runs late, never in the past.
    this.nowMs = Math.max(this.nowMs, event.at / TIME_SCALE);
    event.fn(event.arg);
    return true;
  }
}

/**
 * A scheduled callback that is also its own Timer handle: one object per
 * timer, not an event, a handle and a closure. Every event of a run is one.
 */
class TimerEvent implements SimEvent, Timer {
  cancelled = false;

  constructor(
    private readonly queue: EventQueue,
    readonly at: number,
    readonly tie: number,
    readonly seq: number,
    readonly fn: (arg: unknown) => void,
    readonly arg: unknown,
  ) {}

  cancel(): void {
    this.queue.cancel(this);
  }
}
