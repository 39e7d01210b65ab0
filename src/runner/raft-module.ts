/**
 * A user's own Raft, loaded from a module at run time (`--raft ./my-raft.js`),
 * so the suite can stress any implementation of the lab interface. The
 * module exports `make(options)`, or a default export that is such a function
 * or an object with one, also as TypeScript compiled to CommonJS leaves an
 * `export default` (on `exports.default`, which Node's import puts under
 * `default` once more).
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RaftFactory } from '../raft/types.js';
import { BadInputError } from './bad-input.js';
import { formatDuration } from './duration.js';
import { probeRaftFactory } from './raft-probe.js';
import type { ProbeMessage } from './raft-probe-worker.js';

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
    throw new RaftModuleError(
      `${name} exports no make(options) function (it exports ${exportsFound(module)}); it must implement the lab interface (make, start, getState, kill, handlers)`,
    );
  }
  const problem = probeRaftFactory(factory);
  if (problem !== undefined) throw new RaftModuleError(`${name}: ${problem}`);
  return factory;
}

function factoryOf(module: Record<string, unknown>): RaftFactory | undefined {
  // `module`, then its default export, then that one's: tsc's CommonJS output of `export default`.
  let exports: unknown = module;
  for (let depth = 0; depth < 3 && exports !== null && exports !== undefined; depth++) {
    if (depth > 0 && typeof exports === 'function') return { make: exports as RaftFactory['make'] };
    const make = (exports as { make?: unknown }).make;
    if (typeof make === 'function') return { make: make as RaftFactory['make'] };
    exports = (exports as { default?: unknown }).default;
  }
  return undefined;
}

/** What a module exports, for the refusal: its names, then its default export's as `default.<name>`, and so on down. */
function exportsFound(module: Record<string, unknown>): string {
  const names: string[] = [];
  let exports: unknown = module;
  for (let prefix = ''; typeof exports === 'object' && exports !== null && prefix.length < 24; prefix += 'default.') {
    const inner = (exports as { default?: unknown }).default;
    const descends = typeof inner === 'object' && inner !== null;
    // __esModule is tsc's marker of CommonJS output, not something the user exported.
    for (const key of Object.keys(exports)) if (key !== '__esModule' && (key !== 'default' || !descends)) names.push(prefix + key);
    exports = inner;
  }
  return names.length === 0 ? 'nothing' : names.join(', ');
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

/** The most a --raft module may take to load and make() its probe peer, unless --timeout is shorter. */
export const PROBE_TIME_LIMIT_MS = 30_000;
/** What the probe thread may take to start and load the runner's own modules, before the limit counts. */
const PROBE_THREAD_START_ALLOWANCE_MS = 60_000;

export interface ProbeOptions {
  /** PROBE_TIME_LIMIT_MS unless given. */
  timeLimitMs?: number;
  /** The probe thread's heap limit in MB, as the runs' threads have. */
  heapLimitMb: number;
  /** The probe thread's module; the built raft-probe-worker.js unless given. */
  workerFile?: URL;
}

/**
 * Loads a --raft module and probes its make() (loadRaftFactory) in a thread
 * of its own, before any run starts, so that nothing the module does can
 * take the runner with it: a module that spins while loading or in make()
 * is stopped at the time limit, one that calls process.exit or runs out of
 * memory ends only that thread. Each is refused with a RaftModuleError in
 * one line, as a module of the wrong shape is.
 */
export function probeRaftModule(pathOrUrl: string, options: ProbeOptions): Promise<void> {
  const name = `--raft module "${pathOrUrl}"`;
  const limitMs = options.timeLimitMs ?? PROBE_TIME_LIMIT_MS;
  // Built, whether this module runs from src/ or dist/: a thread loads JavaScript only.
  const file = options.workerFile ?? new URL('../../dist/runner/raft-probe-worker.js', import.meta.url);
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: { module: pathOrUrl }, resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb } });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (refusal?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (refusal === undefined) resolve();
      else reject(new RaftModuleError(refusal));
    };
    const startClock = (ms: number, why: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => settle(why), ms);
    };
    startClock(limitMs + PROBE_THREAD_START_ALLOWANCE_MS, `the thread that loads ${name} did not start within ${formatDuration(limitMs + PROBE_THREAD_START_ALLOWANCE_MS)}`);
    worker.on('message', (message: ProbeMessage) => {
      if ('loading' in message) startClock(limitMs, `${name} did not finish loading and make() within ${formatDuration(limitMs)}; a peer must return from make() at once and do its work in timers and callbacks`);
      else if ('ok' in message) settle();
      else if ('refused' in message) settle(message.refused);
      else settle(`${name} could not be probed: ${message.failed.split('\n')[0]}`);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') settle(`${name} ran out of memory (heap limit ${options.heapLimitMb} MB) while loading or in make()`);
      else settle(`${name} threw while loading or in make(), outside any call: ${error.name}: ${error.message.split('\n')[0]}`);
    });
    worker.on('exit', (code) => settle(`${name} ended its thread (process.exit(${code})) while loading or in make(); a peer must never end the process`));
  });
}
