import { syncBuiltinESMExports } from 'node:module';
import timersModule from 'node:timers';
import timersPromisesModule from 'node:timers/promises';
import type { Clock, Timer } from './clock.js';
import { TimeLimitError } from './errors.js';
import type { Logger } from './log.js';
import type { Random } from './random.js';
import { asError } from './sim-world.js';
import { LAB_TIME_LIMIT_MS, type Task, type World, type WorldOutcome } from './world.js';

// This file is the one place in the simulated layers allowed to touch the
// host's clock and timers (see eslint.config.js): it is what `--realtime`
// runs on, what the simulator uses to give the host event loop a turn, and
// what keeps a simulated run's code off the host's timers, clock and entropy (guardRun).

/** Where a stand-in (see installTraps) keeps the function it stands in for; shared by every copy of this module. */
const STANDS_IN_FOR = Symbol.for('raft-dstest.standsInFor');

/** The host's own function behind any stand-ins. */
function unwrapped<T>(fn: T): T {
  let own = fn as T & { [STANDS_IN_FOR]?: T };
  while (own[STANDS_IN_FOR] !== undefined) own = own[STANDS_IN_FOR] as T & { [STANDS_IN_FOR]?: T };
  return own;
}

/**
 * The host's timers and clock themselves: guardRun traps the globals while a
 * simulated run goes on, and the simulator's own turns of the host loop, the
 * wall clock's timers and the meters' readings must never be taken for a peer's.
 */
const host = {
  setTimeout: unwrapped(globalThis.setTimeout),
  clearTimeout: globalThis.clearTimeout,
  setImmediate: unwrapped(globalThis.setImmediate),
  performanceNow: unwrapped(performance.now),
  // The global `performance` is a getter in Node: the meters read the clock
  // some 95 000 times a pass, so the object is taken once.
  performance,
};

/** The host's wall clock in milliseconds, for measuring (never for deciding) in simulated runs. */
export function hostWallMs(): number {
  return host.performanceNow.call(host.performance);
}

/** Gives the host event loop one full turn, after every pending microtask. */
export function yieldToHost(): Promise<void> {
  return new Promise((resolve) => host.setImmediate(resolve));
}

/** Something a run's code did outside the world it runs in, which fails the run: see guardRun. */
export class OutsideSimulationError extends Error {
  override name = 'OutsideSimulationError';
}

/**
 * A host function that simulated code must not call: where it is
 * (`owner[key]`), how a message names it, what it does outside the
 * simulation, the words for the fix, and what the trap returns in its place
 * (a constant, so that a failed run's log still replays from its seed).
 */
export interface HostTrap {
  owner: object;
  key: string;
  name: string;
  does: string;
  fix: string;
  returns?: () => unknown;
  /** A constructor (Date): trapped only when constructed with no arguments or called, which read the clock; `new Date(ms)` is data. */
  constructs?: true;
  /**
   * Node's own code calls it too, from the module (an uncaught exception's
   * handling calls node:timers' setImmediate): such a call is the host's
   * business, not the run's, and goes through.
   */
  nodeCalls?: true;
}

/** What a trapped timer returns: a handle that can be cleared, unref'd or refreshed, and does nothing. */
function inertTimer(): unknown {
  const handle = {
    ref: () => handle,
    unref: () => handle,
    hasRef: () => false,
    refresh: () => handle,
    close: () => handle,
    [Symbol.toPrimitive]: () => 0,
  };
  return handle;
}

/** What a trapped timer of node:timers/promises returns: a promise that never settles. */
function inertPromise(): unknown {
  return new Promise(() => {});
}

/** What a trapped setInterval of node:timers/promises returns: an async iterator that never yields. */
function inertIterator(): unknown {
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: inertPromise,
    return: () => Promise.resolve({ done: true, value: undefined }),
  };
}

const ACTS = 'it acts on the wall clock';
const READS = 'it reads the wall clock';
const CLOCK_FIX = "clock.now(), the run's virtual time in ms (the clock that make's options give the peer)";

export const HOST_TRAPS: readonly HostTrap[] = [
  { owner: globalThis, key: 'setTimeout', name: 'setTimeout', does: ACTS, fix: 'clock.setTimer(ms, fn)', returns: inertTimer },
  { owner: globalThis, key: 'setInterval', name: 'setInterval', does: ACTS, fix: 'clock.setTimer(ms, fn), set again from fn', returns: inertTimer },
  { owner: globalThis, key: 'setImmediate', name: 'setImmediate', does: ACTS, fix: 'clock.setTimer(0, fn)', returns: inertTimer },
  // The same timers taken from their modules (`import { setTimeout } from 'node:timers'`) rather than from the globals.
  { owner: timersModule, key: 'setTimeout', name: "node:timers' setTimeout", does: ACTS, fix: 'clock.setTimer(ms, fn)', returns: inertTimer, nodeCalls: true },
  { owner: timersModule, key: 'setInterval', name: "node:timers' setInterval", does: ACTS, fix: 'clock.setTimer(ms, fn), set again from fn', returns: inertTimer, nodeCalls: true },
  { owner: timersModule, key: 'setImmediate', name: "node:timers' setImmediate", does: ACTS, fix: 'clock.setTimer(0, fn)', returns: inertTimer, nodeCalls: true },
  { owner: timersPromisesModule, key: 'setTimeout', name: "node:timers/promises' setTimeout", does: ACTS, fix: 'clock.setTimer(ms, fn)', returns: inertPromise, nodeCalls: true },
  { owner: timersPromisesModule, key: 'setInterval', name: "node:timers/promises' setInterval", does: ACTS, fix: 'clock.setTimer(ms, fn), set again from fn', returns: inertIterator, nodeCalls: true },
  { owner: timersPromisesModule, key: 'setImmediate', name: "node:timers/promises' setImmediate", does: ACTS, fix: 'clock.setTimer(0, fn)', returns: inertPromise, nodeCalls: true },
  { owner: Date, key: 'now', name: 'Date.now', does: READS, fix: CLOCK_FIX, returns: () => 0 },
  { owner: globalThis, key: 'Date', name: 'new Date()', does: READS, fix: `${CLOCK_FIX}; new Date(ms) of a virtual time is fine`, constructs: true },
  { owner: performance, key: 'now', name: 'performance.now', does: READS, fix: CLOCK_FIX, returns: () => 0 },
  {
    owner: Math,
    key: 'random',
    name: 'Math.random',
    does: "it draws from the host's entropy",
    fix: "random.float() or random.int(n) (the random that make's options give the peer)",
    returns: () => 0.5,
  },
];

/** Who hears a trapped call: the guard of the simulated run going on in this thread, if one is. */
let trapping: ((trap: HostTrap, standIn: object) => void) | undefined;
let trapsInstalled = false;

/**
 * Puts a stand-in in place of each HOST_TRAPS function, once per thread:
 * outside a guarded simulated run it calls the original (with its own
 * properties, such as util.promisify's, copied over; a constructor through a
 * proxy), inside one it fails the run. Installed once rather than per run because replacing a global
 * function makes V8 throw away the code compiled against it: done around
 * every run, that made runs a fifth slower.
 */
export function installTraps(): void {
  if (trapsInstalled) return;
  trapsInstalled = true;
  for (const trap of HOST_TRAPS) {
    const owner = trap.owner as Record<string, unknown>;
    const original = owner[trap.key] as (...args: unknown[]) => unknown;
    owner[trap.key] = trap.constructs ? trappedConstructor(trap, original as unknown as new (...args: unknown[]) => object) : trappedFunction(trap, original);
  }
  // A module's named exports, as ES modules import them, follow the stand-ins only when told to.
  syncBuiltinESMExports();
}

function trappedFunction(trap: HostTrap, original: (...args: unknown[]) => unknown): unknown {
  const standIn = function (this: unknown, ...args: unknown[]): unknown {
    if (trapping === undefined || (trap.nodeCalls && calledByNode(standIn))) return original.apply(this, args);
    trapping(trap, standIn);
    return trap.returns?.();
  };
  Object.defineProperties(standIn, { ...Object.getOwnPropertyDescriptors(original), [STANDS_IN_FOR]: { value: original } });
  return standIn;
}

/** Whether the function's caller is Node's own code (a `node:` frame), not the run's. */
function calledByNode(fn: (...args: unknown[]) => unknown): boolean {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, fn);
  const caller = site.stack?.split('\n')[1] ?? '';
  return /^\s*at (?:.* \()?node:/.test(caller);
}

/**
 * A proxy of the constructor, so that its statics, its prototype and
 * instanceof stay the host's: only a call or a construction without
 * arguments reads the clock, and in a guarded run it sees the epoch.
 */
function trappedConstructor(trap: HostTrap, original: new (...args: unknown[]) => object): unknown {
  const handler: ProxyHandler<typeof original> = {
    construct(target, args, newTarget) {
      if (trapping === undefined || args.length > 0) return Reflect.construct(target, args, newTarget) as object;
      trapping(trap, handler.construct!);
      return Reflect.construct(target, [0], newTarget) as object;
    },
    apply(target, self, args) {
      if (trapping === undefined) return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, self, args);
      trapping(trap, handler.apply!);
      return new target(0).toString();
    },
    get(target, key, receiver) {
      return key === STANDS_IN_FOR ? target : Reflect.get(target, key, receiver);
    },
  };
  return new Proxy(original, handler);
}

export interface RunGuard {
  /**
   * Ends the guard: gives the host loop one turn first, so that a promise
   * rejected during the run and never handled is reported, then puts back
   * what it replaced. Resolves with the first escape, if any.
   */
  release(): Promise<Error | undefined>;
}

/**
 * Guards one run against what happens outside its world, where the run
 * would never see it: an exception nothing caught and a promise rejection
 * nothing handled (which would otherwise pass unnoticed, or end the thread
 * and fail some other run), and, in simulation, a call of a host timer, the
 * host's clock or its entropy (HOST_TRAPS): a timer would fire on the wall
 * clock, and a clock reading or a random draw differs each run, outside the
 * simulation, where no seed can replay it. Each fails the run through
 * `onEscape`, with a message naming the cause and the fix; a trapped timer
 * is never scheduled. While the guard holds, it alone hears the process's
 * 'unhandledRejection' and 'uncaughtException' events: one run at a time
 * owns the thread.
 */
export function guardRun(options: { trapHost: boolean; onEscape: (error: Error) => void }): RunGuard {
  let first: Error | undefined;
  const escape = (error: Error) => {
    first ??= error;
    options.onEscape(error);
  };
  const onRejection = (reason: unknown) => escape(outside('a promise was rejected and nothing handled the rejection', reason));
  const onException = (error: unknown) => escape(outside('an exception was thrown that nothing caught', error));
  // Typed loosely: Node's overloads cannot take the two event names as one union.
  const events: Array<[string, (value: unknown) => void]> = [
    ['unhandledRejection', onRejection],
    ['uncaughtException', onException],
  ];
  const emitter = process as unknown as NodeJS.EventEmitter;
  const heard = events.map(([event]) => emitter.listeners(event));
  for (const [event, listener] of events) {
    emitter.removeAllListeners(event);
    emitter.on(event, listener);
  }
  const outerTrapping = trapping;
  if (options.trapHost) {
    installTraps();
    trapping = (trap, standIn) => {
      const error = new OutsideSimulationError(
        `${trap.name} was called during a simulated run: ${trap.does}, outside the simulation, where the run cannot replay it from its seed; use ${trap.fix} instead`,
      );
      // The stack starts at the caller, the peer's code, not in the trap.
      Error.captureStackTrace(error, standIn as (...args: unknown[]) => unknown);
      escape(error);
    };
  }
  return {
    async release() {
      await yieldToHost();
      trapping = outerTrapping;
      events.forEach(([event, listener], i) => {
        emitter.off(event, listener);
        for (const other of heard[i]!) emitter.on(event, other as (...args: unknown[]) => void);
      });
      return first;
    },
  };
}

/** An escape's error, carrying the stack of what escaped (not of the guard) for the run's log. */
function outside(what: string, value: unknown): OutsideSimulationError {
  const detail = value instanceof Error ? (value.stack ?? `${value.name}: ${value.message}`) : String(value);
  const error = new OutsideSimulationError(`${what} during the run: ${detail}`);
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/**
 * Wall-clock time behind the same interface as the virtual clock. A callback
 * that throws is handed to `onError`: on the wall clock there is no driver
 * loop to catch it, and an uncaught error would take the whole thread down.
 */
export class RealClock implements Clock {
  private readonly originMs = hostWallMs();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void = (error) => {
    throw error;
  }) {
    this.onError = onError;
  }
  private disposed = false;

  now(): number {
    return hostWallMs() - this.originMs;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    if (this.disposed) return { cancel: () => {} };
    const handle = host.setTimeout(() => {
      this.timers.delete(handle);
      try {
        fn();
      } catch (error) {
        this.onError(error);
      }
    }, delayMs);
    this.timers.add(handle);
    return {
      cancel: () => {
        host.clearTimeout(handle);
        this.timers.delete(handle);
      },
    };
  }

  /** Cancels every pending timer, so a finished run leaves nothing behind. */
  dispose(): void {
    this.disposed = true;
    for (const handle of this.timers) host.clearTimeout(handle);
    this.timers.clear();
  }
}

export interface RealOptions {
  random: Random;
  makeLog: (clock: Clock) => Logger;
  timeLimitMs?: number;
}

interface RealTask<T> extends Task<T> {
  readonly promise: Promise<T>;
}

/** The same world on the wall clock, as the Go lab runs: sleeps really sleep. */
export class RealWorld implements World {
  // As in the simulator, a peer or network callback that throws fails the run, not the thread.
  readonly clock = new RealClock((error) => this.fail(asError(error)));
  readonly random: Random;
  readonly log: Logger;
  private readonly timeLimitMs: number;
  private failure: Error | undefined;
  private onFailure: (error: Error) => void = () => {};

  constructor(options: RealOptions) {
    this.random = options.random;
    this.log = options.makeLog(this.clock);
    this.timeLimitMs = options.timeLimitMs ?? LAB_TIME_LIMIT_MS;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimer(ms, resolve));
  }

  spawn<T>(name: string, fn: () => Promise<T>): Task<T> {
    const promise = Promise.resolve()
      .then(fn)
      .catch((error: unknown) => {
        this.fail(asError(error));
        return new Promise<T>(() => {});
      });
    return { name, promise } as RealTask<T>;
  }

  join<T>(task: Task<T>): Promise<T> {
    return (task as RealTask<T>).promise;
  }

  fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.onFailure(error);
  }

  async run(script: (world: World) => Promise<void>): Promise<WorldOutcome> {
    const failed = new Promise<void>((resolve) => {
      this.onFailure = () => resolve();
    });
    const limit = host.setTimeout(() => this.fail(new TimeLimitError(this.timeLimitMs)), this.timeLimitMs);
    try {
      await Promise.race([this.join(this.spawn('main', () => script(this))), failed]);
    } finally {
      host.clearTimeout(limit);
      this.clock.dispose();
    }
    return { error: this.failure, elapsedMs: this.clock.now() };
  }
}
