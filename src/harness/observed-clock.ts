import type { Clock, Timer } from '../sim/clock.js';

/**
 * The same clock, but every callback it runs is followed by `afterEvent`.
 * The harness hands it to the peers and the network, so that a checker sees
 * the cluster after each timer and each delivery — every step the protocol
 * takes — and not only when the test happens to look.
 */
export function observedClock(clock: Clock, afterEvent: () => void): Clock {
  return {
    now: () => clock.now(),
    setTimer: (delayMs: number, fn: () => void): Timer =>
      clock.setTimer(delayMs, () => {
        fn();
        afterEvent();
      }),
  };
}
