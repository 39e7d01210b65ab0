/**
 * A dry run of a user's Raft factory before any test starts: one make() into
 * an inert world, so that a module of the wrong shape is a usage error naming
 * what is wrong, instead of the same crash in every run of every test.
 */
import { inspect } from 'node:util';
import { Persister } from '../harness/persister.js';
import type { ClientEnd, MakeOptions, RaftFactory } from '../raft/types.js';
import { CaptureLog } from '../sim/log.js';
import { makeRandom } from '../sim/random.js';
import { SimClock } from '../sim/sim-clock.js';

/** The probe makes peer 0 of a cluster of this many. */
const PROBE_PEERS = 3;

/** The lab's Raft methods; snapshot() is part 2D's, required as Go's compiler requires Snapshot (a stub will do until then). */
const PEER_METHODS = ['start', 'getState', 'kill', 'snapshot'] as const;
const HANDLERS = ['RequestVote', 'AppendEntries'] as const;
/** Members a peer may leave out, but that must be functions when present. */
const OPTIONAL_METHODS = ['inspect', 'condInstallSnapshot'] as const;

/**
 * Makes one peer in a world where nothing happens (a clock that is never
 * run, ends that drop every call), checks the object it returns against the
 * lab interface, asks it for its state, and kills it. Returns a description
 * of the first problem, or undefined when the peer has the right shape.
 * Whether the peer behaves is left to the suite.
 */
export function probeRaftFactory(factory: RaftFactory): string | undefined {
  const clock = new SimClock();
  const silent: ClientEnd = { call: () => {} };
  const options: MakeOptions = {
    peers: Array.from({ length: PROBE_PEERS }, () => silent),
    me: 0,
    persister: new Persister(),
    apply: () => {},
    clock,
    random: makeRandom(0),
    log: new CaptureLog(clock, 'none'),
  };

  let made: unknown;
  try {
    made = factory.make(options);
  } catch (error) {
    return `make() threw ${describeError(error)}`;
  }
  if (typeof made !== 'object' || made === null) return `make() returned ${brief(made)} instead of a peer object`;
  if (typeof (made as { then?: unknown }).then === 'function') {
    return 'make() returned a promise; it must return the peer itself, synchronously';
  }

  const peer = made as Record<string, unknown>;
  const missing = PEER_METHODS.filter((name) => typeof peer[name] !== 'function').map((name) => `${name}()`);
  if (typeof peer.handlers !== 'object' || peer.handlers === null) {
    missing.push('a handlers object');
  } else {
    const handlers = peer.handlers as Record<string, unknown>;
    missing.push(...HANDLERS.filter((name) => typeof handlers[name] !== 'function').map((name) => `handlers.${name}`));
  }
  if (missing.length > 0) return `make() returned an object without ${listed(missing)}`;
  for (const name of OPTIONAL_METHODS) {
    if (peer[name] !== undefined && typeof peer[name] !== 'function') {
      return `make() returned an object whose ${name} is ${brief(peer[name])}; leave it out or make it a function`;
    }
  }
  const handlers = peer.handlers as Record<string, unknown>;
  const notFunctions = Object.keys(handlers).filter((name) => typeof handlers[name] !== 'function');
  if (notFunctions.length > 0) {
    return `make() returned handlers whose ${listed(notFunctions)} ${notFunctions.length === 1 ? 'is not a function' : 'are not functions'}`;
  }

  const call = (name: string): { value: unknown } | string => {
    try {
      return { value: (peer[name] as () => unknown).call(peer) };
    } catch (error) {
      return `${name}() threw ${describeError(error)}`;
    }
  };
  const state = call('getState');
  if (typeof state === 'string') return state;
  if (!isRaftState(state.value)) return `getState() returned ${brief(state.value)}; expected { term: number, isLeader: boolean }`;
  const killed = call('kill');
  return typeof killed === 'string' ? killed : undefined;
}

function isRaftState(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { term, isLeader } = value as Record<string, unknown>;
  return typeof term === 'number' && typeof isLeader === 'boolean';
}

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** A value on one short line, for an error message. */
function brief(value: unknown): string {
  const text = inspect(value, { breakLength: Infinity, depth: 1 });
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The first line of what was thrown, with the error's class, e.g. `TypeError: x is undefined`. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return brief(error);
  return `${error.name}: ${error.message.split('\n')[0]}`;
}
