import type { ApplyMsg, ClientEnd, Persister as PersisterInterface, RaftPeer } from '../raft/types.js';
import { callLater, type Clock, type Timer } from '../sim/clock.js';
import type { RaftMeter } from './raft-meter.js';
import type { SaveMeter } from './save-meter.js';

/**
 * What the harness sees of one peer's effects, as they happen: the RPCs it
 * sends, the replies it gets, the replies its handlers give, the states it
 * saves. Strict mode checks them; the determinism check records them.
 */
export interface PeerObserver {
  /** Peer `from` calls `method(args)` on peer `to`. */
  sent?(from: number, to: number, method: string, args: unknown): void;
  /** The reply to that call (undefined when it was lost) reached `from`, whose callback runs next. */
  replyArrived?(from: number, to: number, method: string, args: unknown, reply: unknown): void;
  /** `from`'s callback for that reply has run. */
  replyHandled?(from: number, to: number, method: string, args: unknown, reply: unknown): void;
  /**
   * Peer `me`'s handler for `method` returned `reply`, which the network now
   * carries back; `timers` counts the timers it set, and the pending ones it
   * cancelled, while it ran.
   */
  handled?(me: number, method: string, args: unknown, reply: unknown, timers: TimerActivity): void;
  /** Peer `me` saved `raftState`, and with it `snapshot` if it saved one (part 2D). */
  saved?(me: number, raftState: Uint8Array, snapshot?: Uint8Array): void;
}

/** Timers a peer set, and pending timers it cancelled, during one call. */
export interface TimerActivity {
  set: number;
  cancelled: number;
}

export interface TapOptions {
  me: number;
  /** The peer's ends of the network; each may take a runner for its reply callbacks. */
  ends: readonly TapEnd[];
  persister: PersisterInterface;
  /** The clock the peer's timers go on. */
  clock: Clock;
  apply: (msg: ApplyMsg) => void;
  observers: readonly PeerObserver[];
  meter: RaftMeter;
  /** Counts the peer's saves, when given. */
  saves?: SaveMeter;
  /**
   * Told as each call into the peer starts and ends: the peer may have
   * changed, so strict mode looks at it again after the event (and only then).
   */
  touched?: () => void;
  /**
   * Whether the peer tapped is still the live one: a crashed peer's
   * instance may go on running callbacks, which no observer should count.
   */
  isCurrent: () => boolean;
}

/** A reply callback as the network calls it: with the reply and the call's context. */
type OnReply = (reply: unknown, context: unknown) => void;

/** An end of the network as the taps use it: labrpc's, whose `call` takes a runner for the reply callback. */
export interface TapEnd {
  call(method: string, args: unknown, onReply: OnReply, context?: unknown, runReply?: (onReply: OnReply, reply: unknown, context: unknown) => void): void;
}

/** What the taps call the peer on: the run's meter, or the meter told to strict mode as well. */
type Meter = Pick<RaftMeter, 'inside' | 'insideWith' | 'outside' | 'outsideWith'>;

/** The peer's means to reach the world, each tapped; and a tap for the handlers it offers. */
export interface TappedPeer {
  peers: ClientEnd[];
  persister: PersisterInterface;
  clock: Clock;
  apply: (msg: ApplyMsg) => void;
  handlers(handlers: RaftPeer['handlers']): RaftPeer['handlers'];
  /** The peer as the tests call it: Start() and the rest on the meter. */
  peer(rf: RaftPeer): RaftPeer;
}

/**
 * Wraps everything between the harness and one peer: calls into the peer
 * (timers, handlers, reply callbacks, Start) run on the meter, calls out of
 * it (apply, the observers) off it, and every effect is shown to the observers.
 */
export function tapPeer(o: TapOptions): TappedPeer {
  const { me, observers } = o;
  const { touched } = o;
  const touching = <T>(fn: () => T): T => {
    if (touched === undefined) return fn();
    touched();
    try {
      return fn();
    } finally {
      touched();
    }
  };
  // Every metered call into the peer goes through here.
  const meter: Meter =
    touched === undefined
      ? o.meter
      : {
          inside: <T>(fn: () => T): T => touching(() => o.meter.inside(fn)),
          insideWith: <A, T, B = undefined>(fn: (arg: A, extra: B) => T, arg: A, extra?: B): T => touching(() => o.meter.insideWith(fn, arg, extra)),
          outside: <T>(fn: () => T): T => o.meter.outside(fn),
          outsideWith: <A, T>(fn: (arg: A) => T, arg: A): T => o.meter.outsideWith(fn, arg),
        };
  const watching = observers.length > 0;
  const tell = (fn: (observer: PeerObserver) => void) => {
    if (!o.isCurrent()) return;
    meter.outside(() => {
      for (const observer of observers) fn(observer);
    });
  };

  // Unwatched, a call costs no closure: the network runs each reply callback on the meter through one function.
  const replyInside = (onReply: OnReply, reply: unknown, context: unknown): void => meter.insideWith(onReply, reply, context);
  /** A call the observers see sent, and see its reply arrive and be handled. */
  const callWatched = (to: number, method: string, args: unknown, onReply: OnReply, context: unknown): void => {
    tell((w) => w.sent?.(me, to, method, args));
    o.ends[to]!.call(method, args, (reply) => {
      tell((w) => w.replyArrived?.(me, to, method, args, reply));
      meter.insideWith(onReply, reply, context);
      tell((w) => w.replyHandled?.(me, to, method, args, reply));
    });
  };
  const endTo = (end: TapEnd, to: number): ClientEnd =>
    watching
      ? {
          call: (method, args, onReply) => callWatched(to, method, args, onReply, undefined),
          callWith: <C>(method: string, args: unknown, onReply: (reply: unknown, context: C) => void, context: C) =>
            callWatched(to, method, args, onReply as OnReply, context),
        }
      : {
          call: (method, args, onReply) => end.call(method, args, onReply, undefined, replyInside),
          callWith: <C>(method: string, args: unknown, onReply: (reply: unknown, context: C) => void, context: C) =>
            end.call(method, args, onReply as OnReply, context, replyInside),
        };
  // Pushed, not made with map(): map's array is packed while this function
  // runs unoptimised and holey once the engine optimises it, and the Raft's
  // send, which reads this array on every message, threw its optimised code
  // away on meeting the second kind (a recompile in the middle of a pass).
  const peers: ClientEnd[] = [];
  for (let to = 0; to < o.ends.length; to++) peers.push(endTo(o.ends[to]!, to));

  const { saves } = o;
  const save =
    saves === undefined
      ? (raftState: Uint8Array, snapshot?: Uint8Array) => o.persister.save(raftState, snapshot)
      : (raftState: Uint8Array, snapshot?: Uint8Array) => {
          o.persister.save(raftState, snapshot);
          saves.saved(raftState.length + (snapshot?.length ?? 0));
        };
  // Every other method (reads, sizes, snapshots) is handed to the persister's own. An object
  // of one shape for every peer, not one made with the persister as its prototype: that made
  // each persister a prototype, with a hidden class of its own, and every save a lookup
  // through it that the engine's caches, seeing a new class with each peer started, could not hold.
  const inner = o.persister;
  const persister: PersisterInterface =
    watching || saves !== undefined
      ? {
          // Two functions: the observers' closure would otherwise cost a context on every save, watched or not.
          save: watching
            ? (raftState: Uint8Array, snapshot?: Uint8Array) => {
                save(raftState, snapshot);
                tell((w) => w.saved?.(me, raftState, snapshot));
              }
            : save,
          readRaftState: () => inner.readRaftState(),
          raftStateSize: () => inner.raftStateSize(),
          readSnapshot: () => inner.readSnapshot(),
          snapshotSize: () => inner.snapshotSize(),
        }
      : inner;

  /** A timer's callback on the meter; one function for all of the peer's timers. */
  const runInside = (fn: () => void): void => meter.inside(fn);
  // Counted so that a handler's timer resets can be told apart (an election timer restarted on a denied vote).
  const timers: TimerActivity = { set: 0, cancelled: 0 };
  const clock: Clock = watching
    ? {
        now: () => o.clock.now(),
        setTimer: (delayMs: number, fn: () => void): Timer => {
          timers.set++;
          let pending = true;
          const timer = o.clock.setTimer(delayMs, () => {
            pending = false;
            meter.inside(fn);
          });
          return {
            cancel: () => {
              if (pending) timers.cancelled++;
              pending = false;
              timer.cancel();
            },
          };
        },
      }
    : {
        now: () => o.clock.now(),
        setTimer: (delayMs: number, fn: () => void): Timer => callLater(o.clock, delayMs, runInside, fn),
      };

  return {
    peers,
    persister,
    clock,
    apply: (msg) => meter.outsideWith(o.apply, msg),
    handlers: (handlers) => {
      const tapped: Record<string, (args: never) => unknown> = {};
      for (const [method, handler] of Object.entries(handlers)) {
        tapped[method] = watching
          ? (args: never) => {
              const set = timers.set;
              const cancelled = timers.cancelled;
              const reply = meter.insideWith(handler, args);
              const activity = { set: timers.set - set, cancelled: timers.cancelled - cancelled };
              tell((w) => w.handled?.(me, method, args, reply, activity));
              return reply;
            }
          : (args: never) => meter.insideWith(handler, args);
      }
      return tapped;
    },
    peer: (rf) => {
      // Made once: the tests call Start() thousands of times a pass.
      const start = (command: unknown) => rf.start(command);
      // One literal, the optional methods undefined when the peer lacks them:
      // adding them to the object after it was made kept every finished run's
      // peers alive through the scavenges until a full collection (about 24 KB
      // a run, promoted and copied each time).
      return {
        start: (command) => meter.insideWith(start, command),
        getState: () => touching(() => rf.getState()),
        kill: () => touching(() => rf.kill()),
        snapshot: (index, snapshot) => meter.inside(() => rf.snapshot(index, snapshot)),
        handlers: rf.handlers,
        inspect: rf.inspect === undefined ? undefined : () => rf.inspect!(),
        condInstallSnapshot:
          rf.condInstallSnapshot === undefined ? undefined : (term, index, snapshot) => meter.inside(() => rf.condInstallSnapshot!(term, index, snapshot)),
      };
    },
  };
}
