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
  async run(script: (world: World) => Promise<void>): Promise<WorldOutcome> {
    this.mainTask = this.spawn('main', () => script(this)) as SimTask<void>;
    try {
      for (;;) {
        // Inlined settle: an async call per wake-up (some 7 000 a pass) is a promise and a frame for the collector.
        for (let spin = 0; !this.settled(); spin++) await this.spinOnce(spin);
        // One more microtask turn once settled, as awaiting an async settle() gave: what a task
        // queued just before it waited (a microtask that throws, say) runs before any event.
        await SETTLED;
        if (this.failure !== undefined || this.mainFinished) break;
        this.runUntilWake();
      }
    } catch (error) {
      this.fail(asError(error));
    }
    return { error: this.failure, elapsedMs: this.clock.now() };
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
   * What the driver awaits, spin after spin, for woken tasks to settle: a
   * microtask turn, then a full host turn.
   */
  private spinOnce(spin: number): Promise<void> {
    // Awaiting a settled promise takes one microtask turn, as awaiting undefined does, without a new promise each time.
    if (spin < MICROTASK_SPINS) return SETTLED;
    if (spin === MICROTASK_SPINS) return this.yieldToHost();
    // A full host turn has drained every microtask; a task that still
    // neither runs nor waits on the world is stuck on something we cannot see.
    throw new UnsettledTestError(this.clock.now());
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
