import type { Clock } from './clock.js';
import { BusyInstantError, StuckWorldError, TimeLimitError, UnsettledTestError } from './errors.js';
import type { Logger } from './log.js';
import type { Random } from './random.js';
import { SimClock } from './sim-clock.js';
import { LAB_TIME_LIMIT_MS, type Task, type World, type WorldOutcome } from './world.js';

export interface SimOptions {
  random: Random;
  makeLog: (clock: Clock) => Logger;
  /** Virtual time after which the run fails; the lab's 120 s by default. */
  timeLimitMs?: number;
  /** Events allowed at one virtual instant before the run is declared busy-looping. */
  maxEventsPerInstant?: number;
  /** Gives the host event loop one turn; only needed when a task settles slowly. */
  yieldToHost: () => Promise<void>;
}

/**
 * Microtask turns the driver waits for woken tasks before it pays for a full
 * turn of the host event loop. A continuation typically settles in a handful.
 */
const MICROTASK_SPINS = 64;
const DEFAULT_MAX_EVENTS_PER_INSTANT = 1_000_000;
/** What the driver chains to for a microtask turn: a settled promise's reaction runs where an await of it would resume. */
const SETTLED: Promise<void> = Promise.resolve();

interface SimTask<T> extends Task<T> {
  finished: boolean;
  result?: T;
  joiners: number;
  readonly promise: Promise<T>;
}

/**
 * Runs an async test script against a virtual clock. Peers and the network
 * are plain callbacks on the clock; only the test is async. The driver lets
 * every woken test task run until it waits again (on `sleep` or `join`), then
 * runs clock events until one wakes a task, and repeats. Time advances only
 * when nothing else can run, so a run is a pure function of its seed.
 */
export class SimWorld implements World {
  readonly clock: SimClock;
  readonly random: Random;
  readonly log: Logger;

  private readonly timeLimitMs: number;
  private readonly maxEventsPerInstant: number;
  private readonly yieldToHost: () => Promise<void>;

  /** Tasks started and not finished, the main script included. */
  private live = 0;
  /** Tasks waiting on the world: in `sleep` or in `join` of an unfinished task. */
  private waiting = 0;
  /** Set by a wake-up event so the driver stops running events and lets the test go. */
  private woken = false;
  private failure: Error | undefined;
  private mainTask: SimTask<void> | undefined;
  /** Set as the main script's task finishes, so that the driver stops at once and runs no further event. */
  private mainFinished = false;
  private instantMs = -1;
  private eventsThisInstant = 0;

  constructor(options: SimOptions) {
    this.random = options.random;
    this.clock = new SimClock(options.random);
    this.log = options.makeLog(this.clock);
    this.timeLimitMs = options.timeLimitMs ?? LAB_TIME_LIMIT_MS;
    this.maxEventsPerInstant = options.maxEventsPerInstant ?? DEFAULT_MAX_EVENTS_PER_INSTANT;
    this.yieldToHost = options.yieldToHost;
  }

  /** The delay of the sleep being made, for `scheduleWake`: the promise's executor can take no argument of ours. */
  private sleepMs = 0;

  sleep(ms: number): Promise<void> {
    this.waiting++;
    this.sleepMs = ms;
    return new Promise(this.scheduleWake);
  }

  /** The executor of every sleep's promise: one function for the run, not a closure per sleep. */
  private readonly scheduleWake = (resolve: () => void): void => {
    this.clock.callLater(this.sleepMs, this.wake, resolve);
  };

  /** Ends a sleep: one function for every sleep of the run, handed the sleep's resolve. */
  private readonly wake = (resolve: () => void): void => {
    this.waiting--;
    this.woken = true;
    resolve();
  };

  spawn<T>(name: string, fn: () => Promise<T>): Task<T> {
    this.live++;
    const task = { name, finished: false, joiners: 0 } as SimTask<T>;
    (task as { promise: Promise<T> }).promise = Promise.resolve()
      .then(fn)
      .then(
        (value) => {
          this.finish(task, value);
          return value;
        },
        (error: unknown) => {
          this.finish(task, undefined);
          this.fail(asError(error));
          // The run is over; joiners are never resumed.
          return new Promise<T>(() => {});
        },
      );
    return task;
  }

  join<T>(task: Task<T>): Promise<T> {
    const t = task as SimTask<T>;
    if (!t.finished) {
      this.waiting++;
      t.joiners++;
    }
    return t.promise;
  }

  fail(error: Error): void {
    this.failure ??= error;
  }

  /** Runs `script` to completion, failure, or a simulation error. */
  run(script: (world: World) => Promise<void>): Promise<WorldOutcome> {
    this.mainTask = this.spawn('main', () => script(this)) as SimTask<void>;
    return new Promise((resolve) => {
      this.endRun = resolve;
      this.drive();
    });
  }

  /** Resolves the promise `run` returned; set as the run starts. */
  private endRun: (outcome: WorldOutcome) => void = () => {};
  /** Microtask turns waited so far for the woken tasks to settle. */
  private spin = 0;
  /** Whether the tasks have settled and the driver waits its one more microtask turn before the events. */
  private settling = false;

  /**
   * The driver: lets the woken tasks settle, gives one more microtask turn,
   * runs events until one wakes a task, and repeats. It is called again for
   * each microtask turn it waits (a reaction to a settled promise, which
   * runs where an await of it would resume), not written as an async loop:
   * each await also leaves two closures and their context for the collector,
   * some 17 000 times a pass. (Node's queueMicrotask costs more: it wraps
   * each callback in an async resource.)
   */
  private readonly drive = (): void => {
    try {
      for (;;) {
        if (!this.settling) {
          if (!this.settled()) {
            this.waitForTasks(this.spin++);
            return;
          }
          // One more microtask turn once settled, as awaiting an async settle() gave: what a task
          // queued just before it waited (a microtask that throws, say) runs before any event.
          this.settling = true;
          void SETTLED.then(this.drive);
          return;
        }
        this.settling = false;
        this.spin = 0;
        if (this.failure !== undefined || this.mainFinished) break;
        this.runUntilWake();
      }
    } catch (error) {
      this.fail(asError(error));
    }
    this.end();
  };

  /** Ends the run when the host turn the driver waited for fails. */
  private readonly driveFailed = (error: unknown): void => {
    this.fail(asError(error));
    this.end();
  };

  /**
   * Resolves the run's outcome and drops the events still pending, which
   * would never run: what they hold (messages in flight, the peers' timers)
   * is then garbage at once. A long run's event heap has been promoted to
   * the old generation, and until a full collection its stale slots would
   * keep those young objects alive through the next scavenges of the runs
   * after it, to be copied and promoted in their turn.
   */
  private end(): void {
    const outcome = { error: this.failure, elapsedMs: this.clock.now() };
    this.clock.discardPending();
    this.endRun(outcome);
  }

  private finish<T>(task: SimTask<T>, value: T | undefined): void {
    task.finished = true;
    task.result = value;
    if (task === this.mainTask) this.mainFinished = true;
    this.live--;
    // Joiners stop waiting now, not a microtask later, so the driver never
    // sees a moment where everyone seems to wait while a joiner is runnable.
    this.waiting -= task.joiners;
    task.joiners = 0;
  }

  /** Whether the woken tasks have run: every live task waits on the world again (or the run is over). */
  private settled(): boolean {
    return this.failure !== undefined || this.mainFinished || this.waiting === this.live;
  }

  /**
   * How the driver waits, spin after spin, for woken tasks to settle: a
   * microtask turn, then a full host turn.
   */
  private waitForTasks(spin: number): void {
    if (spin < MICROTASK_SPINS) void SETTLED.then(this.drive);
    else if (spin === MICROTASK_SPINS) this.yieldToHost().then(this.drive, this.driveFailed);
    // A full host turn has drained every microtask; a task that still
    // neither runs nor waits on the world is stuck on something we cannot see.
    else throw new UnsettledTestError(this.clock.now());
  }

  /** Runs clock events, in (time, sequence) order, until one wakes a test task. */
  private runUntilWake(): void {
    for (;;) {
      const atMs = this.clock.nextEventTime();
      if (atMs === undefined) throw new StuckWorldError(this.clock.now());
      if (atMs > this.timeLimitMs) throw new TimeLimitError(this.timeLimitMs);
      if (atMs === this.instantMs) {
        if (++this.eventsThisInstant > this.maxEventsPerInstant) {
          throw new BusyInstantError(atMs, this.maxEventsPerInstant);
        }
      } else {
        this.instantMs = atMs;
        this.eventsThisInstant = 1;
      }
      this.clock.runNext();
      if (this.failure !== undefined) return;
      if (this.woken) {
        this.woken = false;
        return;
      }
    }
  }
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
