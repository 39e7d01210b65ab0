/**
 * A user's own Raft, loaded from a module at run time (`--raft ./my-raft.js`),
 * so the suite can stress any implementation of the lab interface. The
 * module exports `make(options)`, or a default export that is such a function
 * or an object with one.
 */
import type { RaftFactory } from '../raft/types.js';
import { moduleUrl } from './extra-tests.js';

export class RaftModuleError extends Error {
  override name = 'RaftModuleError';
}

const loaded = new Map<string, Promise<RaftFactory>>();

/** The module's Raft factory; each module is imported once per thread. */
export function loadRaftFactory(pathOrUrl: string): Promise<RaftFactory> {
  const url = moduleUrl(pathOrUrl);
  let factory = loaded.get(url);
  if (factory === undefined) {
    factory = import(url).then(
      (module: Record<string, unknown>) => factoryOf(module, pathOrUrl),
      (error: unknown) => {
        throw new RaftModuleError(`cannot load --raft module "${pathOrUrl}": ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      },
    );
    loaded.set(url, factory);
  }
  return factory;
}

function factoryOf(module: Record<string, unknown>, pathOrUrl: string): RaftFactory {
  const fallback = module.default as { make?: unknown } | ((...args: never[]) => unknown) | undefined;
  const make = module.make ?? (typeof fallback === 'function' ? fallback : fallback?.make);
  if (typeof make !== 'function') {
    throw new RaftModuleError(`--raft module "${pathOrUrl}" exports no make(options) function; it must implement the lab interface (make, start, getState, kill, handlers)`);
  }
  return { make: make as RaftFactory['make'] };
}
