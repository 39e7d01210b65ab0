/**
 * Failures of the simulated world itself, as opposed to a failed check in a
 * test: each names the virtual time at which the world gave up.
 */
export class SimulationError extends Error {
  override name = 'SimulationError';
}

/** The test waits, yet no event is scheduled that could ever wake it. */
export class StuckWorldError extends SimulationError {
  override name = 'StuckWorldError';
  constructor(readonly atMs: number) {
    super(`no event can ever fire: the test is waiting but nothing is scheduled (virtual time ${atMs} ms)`);
  }
}

/** The test ran past the lab's time limit (virtual time in simulation). */
export class TimeLimitError extends SimulationError {
  override name = 'TimeLimitError';
  constructor(readonly limitMs: number) {
    super(`test took longer than ${limitMs / 1000} seconds`);
  }
}

/** Too many events at one instant: some loop keeps scheduling work without letting time pass. */
export class BusyInstantError extends SimulationError {
  override name = 'BusyInstantError';
  constructor(readonly atMs: number, readonly events: number) {
    super(`more than ${events} events at virtual time ${atMs} ms: a loop schedules work without letting time pass`);
  }
}

/** A test task waits on something other than the world (a promise the simulator cannot see). */
export class UnsettledTestError extends SimulationError {
  override name = 'UnsettledTestError';
  constructor(readonly atMs: number) {
    super(`at virtual time ${atMs} ms a test task is neither running nor waiting on the world (await only world.sleep and world.join)`);
  }
}
