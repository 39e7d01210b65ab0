/**
 * `--cpu-prof <dir>`: a V8 CPU profile of each lab run, taken in its worker
 * thread through the inspector, written as `<dir>/<Test>_<k>.cpuprofile`
 * (Chrome DevTools' Performance panel and speedscope open it). Node refuses
 * --cpu-prof in NODE_OPTIONS, and the bin's own --cpu-prof would profile the
 * host, which only waits: the runs are in the worker threads.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { logFileName } from './logs.js';

/** Samples every 100 µs: V8's default of 1 ms sees little of a run that takes a few milliseconds. */
const SAMPLING_INTERVAL_US = 100;

/** The file a run's profile goes to: its log's name, ending in .cpuprofile. */
export function cpuProfileName(test: string, k: number): string {
  return logFileName(test, k).replace(/\.log$/, '.cpuprofile');
}

/** A profile being taken of this thread; stop() ends it and writes it to `path`. */
export interface CpuProfiler {
  stop(path: string): Promise<void>;
}

/** Starts profiling this thread (a worker thread profiles itself, not the process). */
export async function startCpuProfile(): Promise<CpuProfiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await session.post('Profiler.start');
  return {
    async stop(path) {
      try {
        const { profile } = await session.post('Profiler.stop');
        await writeNewFile(path, JSON.stringify(profile));
      } finally {
        session.disconnect();
      }
    },
  };
}

/** Writes a file that must not exist yet, as `<name>~1.cpuprofile` and so on when it does: a profile never overwrites a file. */
async function writeNewFile(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const candidate = attempt === 0 ? path : path.replace(/\.cpuprofile$/, `~${attempt}.cpuprofile`);
    try {
      await writeFile(candidate, text, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 1000) throw error;
    }
  }
}
