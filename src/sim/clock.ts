/**
 * The one notion of time that simulated code may use. The simulator's
 * virtual clock and the wall-clock implementation both satisfy it, so the
 * same Raft and harness code runs in either world.
 */
export interface Timer {
  /** Stops the timer; a cancelled timer never fires. Cancelling twice is harmless. */
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since this world began (virtual in simulation). */
  now(): number;
  /** Runs `fn` once, `delayMs` milliseconds from now. */
  setTimer(delayMs: number, fn: () => void): Timer;
}

/** A clock that can call `fn(arg)` later without a closure made for the call: the simulator's. */
interface CallingClock extends Clock {
  callLater<A>(delayMs: number, fn: (arg: A) => void, arg: A): Timer;
}

/**
 * Runs `fn(arg)` once, `delayMs` milliseconds from now: on the simulator's
 * clock without a closure (the network and the peers' taps schedule one or
 * more events per message), on any other clock with one.
 */
export function callLater<A>(clock: Clock, delayMs: number, fn: (arg: A) => void, arg: A): Timer {
  if ('callLater' in clock) return (clock as CallingClock).callLater(delayMs, fn, arg);
  return clock.setTimer(delayMs, () => fn(arg));
}
