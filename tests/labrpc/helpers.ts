import { gobReplySize, gobRequestSize } from '../../src/labrpc/gob-size.js';
import { ClientEnd, Network, Server, type Handler, type NetworkObserver } from '../../src/labrpc/network.js';
import { makeRandom } from '../../src/sim/random.js';
import { SimClock } from '../../src/sim/sim-clock.js';
import { captureLog, drain } from '../sim/helpers.js';

/** One call made through the network, and everything that came back. */
export interface CallRecord {
  readonly id: number;
  readonly sentAtMs: number;
  readonly requestBytes: number;
  replies: unknown[];
  repliedAtMs: number[];
}

export interface EchoArgs {
  id: number;
  pad?: string;
}

/**
 * A network on a bare SimClock, driven with runNext(): no SimWorld. Every
 * server runs an `Echo` handler that records when it saw each call. As in a
 * simulated world, one seeded stream drives the network and the clock's
 * order among events due at one instant.
 */
export class NetHarness {
  readonly clock: SimClock;
  readonly net: Network;
  /** Call id → virtual time at which a handler ran for it. */
  readonly handledAtMs = new Map<number, number>();
  /** The argument objects the handlers received. */
  readonly received: EchoArgs[] = [];
  readonly calls: CallRecord[] = [];

  constructor(seed = 1, observer?: NetworkObserver) {
    const random = makeRandom(seed);
    this.clock = new SimClock(random);
    this.net = new Network({ clock: this.clock, random, log: captureLog(this.clock, 'trace'), ...(observer === undefined ? {} : { observer }) });
  }

  /** A fresh server under `name`, answering Echo with `{ from: name, id, pad }`. */
  addServer(name: number, extra: Record<string, Handler> = {}): Server {
    const server = new Server({
      Echo: (args: EchoArgs) => {
        this.handledAtMs.set(args.id, this.clock.now());
        this.received.push(args);
        return { from: name, id: args.id, pad: args.pad ?? '' };
      },
      ...extra,
    });
    this.net.addServer(name, server);
    return server;
  }

  /** An enabled end connected to server `name`. */
  endTo(name: number, enabled = true): ClientEnd {
    const end = this.net.makeEnd();
    this.net.connect(end, name);
    this.net.enable(end, enabled);
    return end;
  }

  call(end: ClientEnd, args: EchoArgs, method = 'Echo'): CallRecord {
    const record: CallRecord = { id: args.id, sentAtMs: this.clock.now(), requestBytes: gobRequestSize(method, args), replies: [], repliedAtMs: [] };
    this.calls.push(record);
    end.call(method, args, (reply) => {
      record.replies.push(reply);
      record.repliedAtMs.push(this.clock.now());
    });
    return record;
  }

  /** `n` calls with ids first..first+n-1, all at the current instant. */
  callMany(end: ClientEnd, n: number, first = 0): CallRecord[] {
    return Array.from({ length: n }, (_, i) => this.call(end, { id: first + i, pad: 'p'.repeat((first + i) % 7) }));
  }

  drain(): number {
    return drain(this.clock);
  }
}

/**
 * `n` calls at virtual time 0 to server 0, through a network that `configure`
 * sets up (faults, and anything scheduled meanwhile), run to the end.
 */
export function runCalls(seed: number, n: number, configure: (h: NetHarness) => void): { h: NetHarness; calls: CallRecord[] } {
  const h = new NetHarness(seed);
  h.addServer(0);
  configure(h);
  const calls = h.callMany(h.endTo(0), n);
  h.drain();
  return { h, calls };
}

/** The bytes labrpc counts for a delivered reply to `args` from server `name`: gob's size of it. */
export function echoReplyBytes(name: number, args: EchoArgs): number {
  return gobReplySize('Echo', { from: name, id: args.id, pad: args.pad ?? '' });
}
