import { callLater, type Clock } from '../sim/clock.js';
import { copyValue } from '../sim/copy.js';
import type { Logger } from '../sim/log.js';
import type { Random } from '../sim/random.js';
import { GobSizer } from './gob-size.js';

/**
 * A port of the 6.824 lab's labrpc: a simulated network of client ends and
 * servers that can lose, delay and reorder messages and cut peers off, with
 * the lab's exact fault rates and delays. Every request and reply is
 * deep-copied as it leaves its sender (exactly what encoding it to bytes and
 * decoding them would give, see sim/copy.ts), so the receiver never shares
 * an object with the sender, and counted in the bytes labgob would have
 * sent (see gob-size.ts).
 *
 * In Go every request and every handler runs in a goroutine of its own, so
 * even a reliable network interleaves RPCs and lets replies overtake each
 * other. Here a request's delivery and its reply's are separate events, each
 * one goroutine hop after the step before it, and the clock runs events due
 * at one instant in a seeded order.
 */

/**
 * Called once per call: with a copy of the reply, or undefined if the call
 * failed (labrpc's `false`), and the context the call was given, so that
 * one function can serve every call instead of a closure per call.
 */
export type ReplyCallback = (reply: unknown, context: unknown) => void;

/**
 * How a caller has its reply callback run, when it wraps every callback the
 * same way (the harness runs them on the Raft meter): one function for all
 * calls instead of a closure per call.
 */
export type ReplyRunner = (onReply: ReplyCallback, reply: unknown, context: unknown) => void;

/** An RPC handler: takes a copy of the arguments, returns the reply, which the network copies. */
export type Handler = (args: never) => unknown;

/** Unreliable mode delays every request by 0 to this many ms. */
export const UNRELIABLE_DELAY_MS_MAX = 27;
/** Unreliable mode loses this many requests, and as many replies, per thousand. */
export const UNRELIABLE_LOSS_PER_MILLE = 100;
/** Long reordering holds back this share (600 of 900) of replies... */
export const REORDER_CHANCE = { numerator: 600, denominator: 900 } as const;
/** ...by 200 ms plus up to this many ms. */
export const REORDER_DELAY_MS_BASE = 200;
export const REORDER_DELAY_MS_SPREAD = 2000;
/**
 * A goroutine hop (the network's goroutine picking up a request, the
 * handler's goroutine returning a reply) takes 0 to this many ms, in steps of
 * HOP_STEP_MS. On the machines the lab runs on, with -race and a dozen busy
 * goroutines per peer, a runnable goroutine waits for a processor from
 * microseconds up to about a millisecond. A millisecond is enough for two
 * messages sent at once to arrive in either order and for a reply to be
 * overtaken by a later request, and far below the tests' 10 ms polls and
 * Raft's 100 ms heartbeats, so the tests' virtual times do not move.
 */
export const HOP_MS_MAX = 1;
/** An eighth of a millisecond: a binary fraction, so virtual times stay exact sums. */
export const HOP_STEP_MS = 1 / 8;

/** One goroutine hop's delay, drawn from the world's random stream. */
export function hopDelayMs(random: Random): number {
  return random.int(HOP_MS_MAX / HOP_STEP_MS + 1) * HOP_STEP_MS;
}

/** A call to a disabled end or a missing server fails after up to this long, with long delays on... */
export const LONG_DELAY_MS_MAX = 7000;
/** ...or up to this long with them off. */
export const SHORT_DELAY_MS_MAX = 100;

export class ClientEnd {
  /** @internal */ enabled = false;
  /** @internal */ serverName: number | undefined;

  constructor(
    private readonly net: Network,
    readonly name: number,
  ) {}

  /**
   * Sends `method(args)`; `onReply` is called once, later, with the reply or
   * undefined and `context` (through `runReply`, if given).
   */
  call(method: string, args: unknown, onReply: ReplyCallback, context?: unknown, runReply?: ReplyRunner): void {
    this.net.send(this, method, args, onReply, context, runReply);
  }
}

/** A server: a table of handlers and a count of the RPCs it received. */
export class Server {
  count = 0;

  constructor(private readonly handlers: Readonly<Record<string, Handler>>) {}

  /** @internal */
  dispatch(method: string, args: unknown): unknown {
    this.count++;
    const handler = this.handlers[method];
    if (handler === undefined) {
      throw new Error(`labrpc: unknown method ${method}; expecting one of ${Object.keys(this.handlers).join(', ')}`);
    }
    return (handler as (a: unknown) => unknown)(args);
  }
}

/** How a call ended, as the caller learns it: its reply, or why it got none. */
export type CallOutcome = 'replied' | 'request-lost' | 'reply-lost' | 'reply-discarded' | 'unreachable';

/**
 * Sees each call's way through the network, for a timeline of the run. The
 * network tells it what it decided and when; it must change nothing. Calls
 * are numbered from 0 in the order they are sent.
 */
export interface NetworkObserver {
  /**
   * A request left `endName` for `method`. If `reachable`, the network
   * delays it `delayMs` (unreliable mode; 0 otherwise) before the hop to the
   * server; if not (a disabled end, a missing server), the caller is told of
   * the failure after waiting `delayMs` and a hop.
   */
  sent(call: number, endName: number, method: string, args: unknown, delayMs: number, reachable: boolean): void;
  /** The server's handler is about to run on the request. */
  delivered(call: number): void;
  /** The reply is held back for `holdMs` (long reordering). */
  held(call: number, holdMs: number): void;
  /** The caller is told now how the call ended; `reply` is the reply as the caller gets it when there is one. */
  ended(call: number, outcome: CallOutcome, reply?: unknown): void;
}

export interface NetworkOptions {
  clock: Clock;
  random: Random;
  log: Logger;
  /** Told where each call goes; none by default, and then the network does no extra work. */
  observer?: NetworkObserver;
}

export class Network {
  private reliable = true;
  private longDelays = false;
  private longReordering = false;
  private closed = false;
  private readonly servers = new Map<number, Server | undefined>();
  private nextEndName = 0;
  private rpcTotal = 0;
  private byteTotal = 0;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly log: Logger;
  private readonly gob = new GobSizer();
  private readonly observer: NetworkObserver | undefined;
  private nextCall = 0;

  constructor(options: NetworkOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.log = options.log;
    this.observer = options.observer;
  }

  setReliable(yes: boolean): void {
    this.reliable = yes;
  }

  setLongDelays(yes: boolean): void {
    this.longDelays = yes;
  }

  setLongReordering(yes: boolean): void {
    this.longReordering = yes;
  }

  /** A new end, disabled and connected to nothing. */
  makeEnd(): ClientEnd {
    return new ClientEnd(this, this.nextEndName++);
  }

  connect(end: ClientEnd, serverName: number): void {
    end.serverName = serverName;
  }

  enable(end: ClientEnd, enabled: boolean): void {
    end.enabled = enabled;
  }

  addServer(name: number, server: Server): void {
    this.servers.set(name, server);
  }

  deleteServer(name: number): void {
    this.servers.set(name, undefined);
  }

  /** RPCs received by the server now registered under `name` (a restarted server counts afresh). */
  getCount(name: number): number {
    const server = this.servers.get(name);
    if (server === undefined) throw new Error(`labrpc: no server ${name}`);
    return server.count;
  }

  getTotalCount(): number {
    return this.rpcTotal;
  }

  getTotalBytes(): number {
    return this.byteTotal;
  }

  /** Ends the network: nothing is delivered after this. */
  cleanup(): void {
    this.closed = true;
  }

  /** @internal */
  send(end: ClientEnd, method: string, args: unknown, onReply: ReplyCallback, context: unknown, runReply: ReplyRunner = runDirectly): void {
    if (this.closed) return;
    const request = copyValue(args);
    this.rpcTotal++;
    this.byteTotal += this.gob.requestSize(method, args);
    const observer = this.observer;
    const call = observer === undefined ? 0 : this.nextCall++;

    // As in labrpc, the end's state is read when the request is sent.
    const serverName = end.serverName;
    const server = serverName === undefined ? undefined : this.servers.get(serverName);
    if (!end.enabled || server === undefined) {
      const waitMs = this.random.int(this.longDelays ? LONG_DELAY_MS_MAX : SHORT_DELAY_MS_MAX);
      observer?.sent(call, end.name, method, args, waitMs, false);
      // The copy is made all the same (a value that cannot be sent fails here), but never delivered: the
      // Flight does not keep it through a wait of up to seconds, in which it would be copied and promoted.
      const flight = new Flight(end, method, undefined, onReply, context, runReply, call, serverName, undefined, false, false);
      callLater(this.clock, waitMs + hopDelayMs(this.random), this.failFlight, flight);
      return;
    }

    const reliable = this.reliable;
    // Drawn in this order (network delay, then the hop) whether or not anyone observes.
    const networkDelayMs = reliable ? 0 : this.random.int(UNRELIABLE_DELAY_MS_MAX);
    const delayMs = networkDelayMs + hopDelayMs(this.random);
    observer?.sent(call, end.name, method, args, networkDelayMs, true);
    const flight = new Flight(end, method, request, onReply, context, runReply, call, serverName, server, reliable, this.longReordering);
    callLater(this.clock, delayMs, this.deliverFlight, flight);
  }

  // The network's steps, made once: each RPC is one Flight handed from step to step.
  private readonly deliverFlight = (flight: Flight): void => this.deliver(flight);
  private readonly endFlight = (flight: Flight): void => this.end(flight);
  private readonly failFlight = (flight: Flight): void => this.fail(flight);

  /** The request reaches its server (unless lost): the handler runs, and its reply starts back. */
  private deliver(flight: Flight): void {
    if (this.closed) return;
    const { end, method, serverName, server, reliable, call } = flight;
    const observer = this.observer;
    if (!reliable && this.random.int(1000) < UNRELIABLE_LOSS_PER_MILLE) {
      if (this.log.traceOn) this.log.trace('DROP', serverName!, `request ${method} from end ${end.name} lost`);
      this.answer(flight, 'request-lost', 0, undefined);
      return;
    }
    observer?.delivered(call);
    const reply = server!.dispatch(method, flight.request as never);
    const replyCopy = copyValue(reply);
    // A server killed or cut off while it handled the request has its reply thrown away.
    if (!end.enabled || this.servers.get(serverName!) !== server) {
      this.answer(flight, 'reply-discarded', 0, undefined);
    } else if (!reliable && this.random.int(1000) < UNRELIABLE_LOSS_PER_MILLE) {
      if (this.log.traceOn) this.log.trace('DROP', serverName!, `reply to ${method} from end ${end.name} lost`);
      this.answer(flight, 'reply-lost', 0, undefined);
    } else if (flight.longReordering && this.random.int(REORDER_CHANCE.denominator) < REORDER_CHANCE.numerator) {
      const holdMs = REORDER_DELAY_MS_BASE + this.random.int(1 + this.random.int(REORDER_DELAY_MS_SPREAD));
      observer?.held(call, holdMs);
      // labrpc counts a held reply's bytes when it lets it go.
      this.answer(flight, 'replied', holdMs, replyCopy, this.gob.replySize(method, reply));
    } else {
      this.byteTotal += this.gob.replySize(method, reply);
      this.answer(flight, 'replied', 0, replyCopy);
    }
  }

  /**
   * Hands the caller its reply (or its failure) after `holdMs` and one more
   * goroutine hop, in an event of its own. A held reply's bytes are counted
   * when it is let go.
   */
  private answer(flight: Flight, outcome: CallOutcome, holdMs: number, reply: unknown, heldBytes = 0): void {
    flight.outcome = outcome;
    flight.reply = reply;
    flight.heldBytes = heldBytes;
    // The request is delivered: let the collector have it.
    flight.request = undefined;
    callLater(this.clock, holdMs + hopDelayMs(this.random), this.endFlight, flight);
  }

  private end(flight: Flight): void {
    if (this.closed) return;
    this.byteTotal += flight.heldBytes;
    this.observer?.ended(flight.call, flight.outcome, flight.reply);
    flight.runReply(flight.onReply, flight.reply, flight.context);
  }

  private fail(flight: Flight): void {
    if (this.closed) return;
    this.observer?.ended(flight.call, 'unreachable');
    flight.runReply(flight.onReply, undefined, flight.context);
  }
}

function runDirectly(onReply: ReplyCallback, reply: unknown, context: unknown): void {
  onReply(reply, context);
}

/** One RPC on its way: what its request's delivery and its reply's return need, in one object. */
class Flight {
  outcome: CallOutcome = 'replied';
  reply: unknown = undefined;
  heldBytes = 0;

  constructor(
    readonly end: ClientEnd,
    readonly method: string,
    public request: unknown,
    readonly onReply: ReplyCallback,
    readonly context: unknown,
    readonly runReply: ReplyRunner,
    readonly call: number,
    readonly serverName: number | undefined,
    readonly server: Server | undefined,
    readonly reliable: boolean,
    readonly longReordering: boolean,
  ) {}
}
