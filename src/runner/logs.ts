/**
 * Writes the logs of runs to `<output>/<Test>_<k>.log`: failing and
 * interrupted runs always, passing ones only when archiving. A run's log
 * arrives while it runs (RunLog); it is held in memory up to SPILL_BYTES
 * and goes to its file past that, so a log of any size the disk holds
 * passes through in bounded memory. The directory is made on the first
 * file, so a run that keeps nothing leaves nothing behind.
 *
 * A log that cannot be written whole (a full disk, say) is removed, never
 * left half written, and is reported with its path and the reason: nothing
 * ever names a log that is not there.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Timeline } from '../harness/timeline.js';
import { nodeOutputFiles, type OutputFile, type OutputFiles } from './output-files.js';
import type { RunResult } from './protocol.js';
import { replayCommand } from './replay.js';
import { savesLine, savingHint } from './save-report.js';
import type { RunSettings } from './settings.js';
import { shellWord } from './shell-words.js';
import { timelinePathFor } from './timeline-files.js';

/** Bytes of a run's log held in memory before it goes to its file. */
export const SPILL_BYTES = 1024 * 1024;

export interface LogWriterOptions {
  outputDir: string;
  /** What the replay line of every log repeats. */
  settings: RunSettings;
  /** Keep the logs of passing runs too. */
  archive: boolean;
  files?: OutputFiles;
  /** SPILL_BYTES unless given (tests make it small). */
  spillBytes?: number;
}

/** Where a run's log went: written (path), not kept (nothing), or not written, with why (failure). */
export interface LogOutcome {
  path?: string;
  failure?: { path: string; error: Error };
}

/** The characters a test name keeps in a file name; every other byte is written %XX. */
const FILE_NAME_SAFE = /[A-Za-z0-9_+=,@-]/;
/** Past this, a name is cut and made unique again with a hash of the whole. */
const FILE_NAME_MAX = 180;

/**
 * The file name of a run's log, `<Test>_<k>.log`. A test name may be
 * anything (--exec takes any), so it is encoded: `/`, `.`, `%`, spaces,
 * control characters and everything else outside FILE_NAME_SAFE become %XX,
 * so that no name can climb out of the output directory, hide a file, or
 * collide with another name's log. A very long name is cut and given a hash.
 */
export function logFileName(test: string, k: number): string {
  let name = '';
  for (const byte of Buffer.from(test, 'utf8')) {
    const char = String.fromCharCode(byte);
    name += byte < 0x80 && FILE_NAME_SAFE.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (name.length > FILE_NAME_MAX) name = `${name.slice(0, FILE_NAME_MAX - 17)}~${createHash('sha256').update(test).digest('hex').slice(0, 16)}`;
  return `${name}_${k}.log`;
}

/** The first lines of every log: the test, the seed, and the command that replays the run. */
export function logHeader(test: string, seed: number, settings: RunSettings): string {
  // The name as a shell word, like the replay line: one line, whatever it holds.
  return `# test: ${shellWord(test)}\n# seed: ${seed}\n# replay: ${replayCommand(settings, test, seed)}\n`;
}

/** How a run ended, as much as its log's last lines say. */
export type RunEnding = Pick<RunResult, 'passed' | 'error' | 'interrupted' | 'saves'> & { wallMs?: number };

/**
 * The last lines of a kept log: what the Raft's saves came to (and a hint
 * when saving took most of the run), then why the run failed, or that it
 * was cut off, whatever it wrote before.
 */
export function logTrailer(result: RunEnding): string {
  if (result.interrupted !== undefined) return `# interrupted: ${result.interrupted}\n`;
  const hint = result.wallMs === undefined ? undefined : savingHint({ wallMs: result.wallMs, ...(result.saves === undefined ? {} : { saves: result.saves }) });
  const saves = (result.saves === undefined ? '' : `# saves: ${savesLine(result.saves)}\n`) + (hint === undefined ? '' : `# hint: ${hint}\n`);
  if (result.passed) return saves;
  return (
    saves +
    (result.error ?? 'failed')
      .split('\n')
      .map((line) => `# error: ${line}\n`)
      .join('')
  );
}

export class LogWriter {
  private dirReady: Promise<void> | undefined;
  private readonly files: OutputFiles;
  private readonly written: string[] = [];
  private readonly failed: Array<{ path: string; error: Error }> = [];

  constructor(private readonly options: LogWriterOptions) {
    this.files = options.files ?? nodeOutputFiles;
  }

  /** A log for a run about to start. */
  open(run: Pick<RunResult, 'test' | 'k' | 'seed'>): RunLog {
    return new RunLog(this, run, this.options.spillBytes ?? SPILL_BYTES);
  }

  /** Whether a run's log is kept. */
  keeps(result: Pick<RunResult, 'passed' | 'interrupted'>): boolean {
    return !result.passed || result.interrupted !== undefined || this.options.archive;
  }

  /** The paths of the logs written whole, in the order they were finished. */
  get paths(): readonly string[] {
    return this.written;
  }

  /** The logs that were to be kept but could not be written, and why. */
  get failures(): ReadonlyArray<{ path: string; error: Error }> {
    return this.failed;
  }

  /**
   * Writes a kept run's timeline beside its log (`<Test>_<k>.timeline.json`
   * next to `<Test>_<k>.log`), created new like the log; one that cannot be
   * written whole is removed and counted with the logs that could not be.
   */
  async writeTimeline(logPath: string, timeline: Timeline): Promise<LogOutcome> {
    const path = timelinePathFor(logPath);
    let file: OutputFile | undefined;
    try {
      file = await this.files.create(path);
      await file.append(Buffer.from(JSON.stringify(timeline)));
      await file.close();
      return {};
    } catch (error) {
      if (file !== undefined) {
        await file.close().catch(() => undefined);
        await this.remove(path);
      }
      return this.record({ failure: { path, error: asError(error) } });
    }
  }

  /** @internal RunLog's: creates the run's file under a name no file has yet, with the log's header. */
  async create(run: Pick<RunResult, 'test' | 'k' | 'seed'>): Promise<{ path: string; file: OutputFile }> {
    this.dirReady ??= this.files.mkdir(this.options.outputDir);
    await this.dirReady;
    const name = logFileName(run.test, run.k);
    // A file already there (an earlier run into this directory, or anything else) is never overwritten.
    for (let attempt = 0; ; attempt++) {
      const path = join(this.options.outputDir, attempt === 0 ? name : name.replace(/\.log$/, `~${attempt}.log`));
      try {
        const file = await this.files.create(path);
        return { path, file };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 1000) throw error;
      }
    }
  }

  /** @internal RunLog's: the header of a run's log. */
  header(run: Pick<RunResult, 'test' | 'seed'>): Uint8Array {
    return Buffer.from(logHeader(run.test, run.seed, this.options.settings));
  }

  /** @internal RunLog's: the outcome of one log, counted. */
  record(outcome: LogOutcome): LogOutcome {
    if (outcome.path !== undefined) this.written.push(outcome.path);
    if (outcome.failure !== undefined) this.failed.push(outcome.failure);
    return outcome;
  }

  /** @internal RunLog's. */
  remove(path: string): Promise<void> {
    return this.files.remove(path).catch(() => undefined);
  }

  /** @internal RunLog's: the path a run's log would have had, for a failure before it had one. */
  intendedPath(run: Pick<RunResult, 'test' | 'k'>): string {
    return join(this.options.outputDir, logFileName(run.test, run.k));
  }
}

/**
 * One run's log while the run goes on: bytes arrive in order (whole lines
 * from a worker, any bytes from a command), and finish() keeps or drops
 * them once the run's outcome is known. Writing never throws: a write that
 * fails is remembered, later bytes are dropped, and finish() reports it.
 */
export class RunLog {
  private readonly held: Uint8Array[] = [];
  private heldBytes = 0;
  private spilled: { path: string; file: OutputFile } | undefined;
  private error: Error | undefined;
  private lastByte = 0x0a;
  /** Writes run one after another, so bytes keep their order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly writer: LogWriter,
    private readonly run: Pick<RunResult, 'test' | 'k' | 'seed'>,
    private readonly spillBytes: number,
  ) {}

  /** Takes the next bytes of the log; resolves once they are held or on disk. */
  write(data: Uint8Array): Promise<void> {
    this.queue = this.queue.then(() => this.take(data));
    return this.queue;
  }

  /** Keeps the log with its trailer (or drops it, if the run's log is not kept) and says where it went. */
  async finish(result: RunEnding): Promise<LogOutcome> {
    await this.queue;
    const spilled = this.spilled;
    if (!this.writer.keeps(result)) {
      if (spilled !== undefined) {
        await spilled.file.close().catch(() => undefined);
        await this.writer.remove(spilled.path);
      }
      return {};
    }
    const trailer = logTrailer(result);
    const ending = Buffer.from(this.lastByte === 0x0a || trailer === '' ? trailer : `\n${trailer}`);
    if (this.error === undefined) {
      try {
        if (spilled === undefined) await this.spill();
        await this.spilled!.file.append(ending);
        await this.spilled!.file.close();
        return this.writer.record({ path: this.spilled!.path });
      } catch (error) {
        this.error = asError(error);
      }
    }
    // A log that cannot be written whole is not left half written.
    const path = this.spilled?.path ?? this.writer.intendedPath(this.run);
    if (this.spilled !== undefined) {
      await this.spilled.file.close().catch(() => undefined);
      await this.writer.remove(this.spilled.path);
    }
    return this.writer.record({ failure: { path, error: this.error! } });
  }

  private async take(data: Uint8Array): Promise<void> {
    if (data.length === 0 || this.error !== undefined) return;
    this.lastByte = data[data.length - 1]!;
    try {
      if (this.spilled !== undefined) {
        await this.spilled.file.append(data);
        return;
      }
      this.held.push(data);
      this.heldBytes += data.length;
      if (this.heldBytes > this.spillBytes) await this.spill();
    } catch (error) {
      this.error = asError(error);
      this.held.length = 0;
    }
  }

  /** Moves the log to its file: the header, then what memory held. */
  private async spill(): Promise<void> {
    this.spilled = await this.writer.create(this.run);
    await this.spilled.file.append(Buffer.concat([this.writer.header(this.run), ...this.held]));
    this.held.length = 0;
    this.heldBytes = 0;
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
