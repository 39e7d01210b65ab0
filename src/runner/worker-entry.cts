/**
 * The file piscina loads in each worker thread: CommonJS on purpose.
 *
 * Piscina loads a worker file with require() first and falls back to
 * import(). On Node 20.19 and later require() also loads ES modules, and
 * require() of our ESM worker racing an import() of the same graph can abort
 * the whole process (V8: "IsGraphAsync must be used on an instantiated
 * module"). A CommonJS file never goes down that path: piscina require()s
 * this one, and this one import()s the real worker, an ES module, once per
 * thread. Which module that is comes in the pool's workerData.
 */
import { parentPort, workerData } from 'node:worker_threads';

/** Tells the pool this thread has loaded (pool.ts's WORKER_LOADED_MESSAGE), so the other threads may start. */
const LOADED_MESSAGE = 'raft-dstest: worker loaded';

type Handler = (task: unknown) => Promise<unknown>;

let handler: Promise<Handler> | undefined;

function load(): Promise<Handler> {
  const { module } = workerData as { module: string };
  return import(module).then((loaded: { default?: unknown }) => {
    parentPort?.postMessage(LOADED_MESSAGE);
    if (typeof loaded.default !== 'function') throw new TypeError(`${module} has no default export to run tasks with`);
    return loaded.default as Handler;
  });
}

export = async function runTask(task: unknown): Promise<unknown> {
  handler ??= load();
  return (await handler)(task);
};
