import type { Clock, Timer } from './clock.js';
import { EventQueue, type SimEvent } from './event-queue.js';

/**
 * Virtual time. Nothing happens between events: the simulator jumps from one
 * scheduled callback to the next, so a second of simulated waiting costs
 * only the callbacks that fall inside it.
 */
export class SimClock implements Clock {
  private nowMs = 0;
  private seq = 0;
  private readonly queue = new EventQueue();

  now(): number {
    return this.nowMs;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    if (!(delayMs >= 0)) throw new RangeError(`timer delay ${delayMs} ms must be a non-negative number`);
    const event: SimEvent = { timeMs: this.nowMs + delayMs, seq: this.seq++, fn, cancelled: false };
    this.queue.push(event);
    return { cancel: () => this.queue.cancel(event) };
  }

  /** How many events will still fire. */
  get pending(): number {
    return this.queue.size;
  }

  /** The virtual time of the next event, or undefined when nothing is scheduled. */
  nextEventTime(): number | undefined {
    return this.queue.peek()?.timeMs;
  }

  /**
   * Advances time to the next event and runs it. Returns false, and changes
   * nothing, when no event is scheduled.
   */
  runNext(): boolean {
    const event = this.queue.pop();
    if (event === undefined) return false;
    this.nowMs = event.timeMs;
    event.fn();
    return true;
  }
}
