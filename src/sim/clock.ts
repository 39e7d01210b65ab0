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
