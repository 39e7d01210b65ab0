/**
 * A user's own Raft, loaded from a module at run time (`--raft ./my-raft.js`),
 * so the suite can stress any implementation of the lab interface. The
 * module exports `make(options)`, or a default export that is such a function
 * or an object with one.
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RaftFactory } from '../raft/types.js';
import { BadInputError } from './bad-input.js';
import { probeRaftFactory } from './raft-probe.js';

export class RaftModuleError extends BadInputError {
  override name = 'RaftModuleError';
}

/** A file URL for a path (relative to the working directory), or the URL given. */
export function moduleUrl(pathOrUrl: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl) && !isAbsolute(pathOrUrl) ? pathOrUrl : pathToFileURL(resolve(pathOrUrl)).href;
}

/** TypeScript sources, which Node 20 cannot import without a loader. */
const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/i;

const loaded = new Map<string, Promise<RaftFactory>>();

/**
 * The module's Raft factory, checked by a dry run of make() (see
 * raft-probe.ts); each module is imported and checked once per thread.
 */
export function loadRaftFactory(pathOrUrl: string): Promise<RaftFactory> {
  const url = moduleUrl(pathOrUrl);
  let factory = loaded.get(url);
  if (factory === undefined) {
    factory = load(url, pathOrUrl);
    loaded.set(url, factory);
  }
  return factory;
}

async function load(url: string, pathOrUrl: string): Promise<RaftFactory> {
  const name = `--raft module "${pathOrUrl}"`;
  if (TYPESCRIPT.test(new URL(url).pathname)) {
    throw new RaftModuleError(`${name} is TypeScript, which Node 20 cannot load; compile it to JavaScript (tsc) and pass the .js file`);
  }
  const missing = fileProblem(url);
  if (missing !== undefined) throw new RaftModuleError(`cannot load ${name}: ${missing}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new RaftModuleError(`cannot load ${name}: ${loadFailure(error, url)}`);
  }
  const factory = factoryOf(module);
  if (factory === undefined) {
    throw new RaftModuleError(`${name} exports no make(options) function; it must implement the lab interface (make, start, getState, kill, handlers)`);
  }
  const problem = probeRaftFactory(factory);
  if (problem !== undefined) throw new RaftModuleError(`${name}: ${problem}`);
  return factory;
}

function factoryOf(module: Record<string, unknown>): RaftFactory | undefined {
  const fallback = module.default as { make?: unknown } | ((...args: never[]) => unknown) | undefined;
  const make = module.make ?? (typeof fallback === 'function' ? fallback : fallback?.make);
  return typeof make === 'function' ? { make: make as RaftFactory['make'] } : undefined;
}

/** Why a file URL names no module file, in words Node's own error would bury. */
function fileProblem(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = fileURLToPath(url);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return `no file at ${path}`;
  if (stats.isDirectory()) return `${path} is a directory; give the module file in it`;
  return undefined;
}

/** The first line of an import error, with a pointer where Node gives no location. */
function loadFailure(error: unknown, url: string): string {
  // Read by shape, not instanceof: a loader (a test runner's, say) may throw plain objects.
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  if (typeof message !== 'string') return String(error);
  const first = message.split('\n')[0]!;
  // Node 20 keeps a syntax error's file and line out of the error object.
  if (name === 'SyntaxError') {
    const where = url.startsWith('file:') ? ` (node --check ${fileURLToPath(url)} shows where)` : '';
    return `SyntaxError: ${first}${where}`;
  }
  return typeof name !== 'string' || name === 'Error' ? first : `${name}: ${first}`;
}
