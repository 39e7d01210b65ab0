/**
 * Live progress while runs go on: an ora spinner on a terminal, and plain
 * lines every few seconds elsewhere (CI logs must never fill with spinner
 * frames or escape codes). Failures are announced as they happen, each with
 * the path of its log.
 */
import type { Options as SpinnerOptions, Ora } from 'ora';
import type { RunResult } from '../runner/protocol.js';
import { shellWord } from '../runner/shell-words.js';
import type { StressProgress } from '../runner/stress.js';

/** Which run: enough to name it in a progress line. */
export interface RunName {
  test: string;
  k: number;
  seed: number;
}

export interface ProgressReporter {
  start(total: number): void;
  /** A run started, to be named while it is slow. */
  runStarted?(run: RunName): void;
  /** A run finished; `announcement` is printed on a line of its own when given. */
  runFinished(progress: StressProgress, announcement?: string, run?: RunName): void;
  stop(): void;
}

/** Repeats `tick` every `intervalMs` until the returned function is called. */
export type Every = (intervalMs: number, tick: () => void) => () => void;

export const everyWallInterval: Every = (intervalMs, tick) => {
  const timer = setInterval(tick, intervalMs);
  // Progress alone must never keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
};

export interface ProgressDeps {
  stream: NodeJS.WritableStream;
  nowMs: () => number;
  every?: Every;
}

/** `12/150 runs, 1 failed, 3.2s elapsed, ETA 40s` */
export function formatProgress(progress: StressProgress, elapsedMs: number): string {
  const eta = progress.done === 0 ? '?' : formatEta((elapsedMs / progress.done) * (progress.total - progress.done));
  return `${progress.done}/${progress.total} runs, ${progress.failed} failed, ${formatElapsed(elapsedMs)} elapsed, ETA ${eta}`;
}

/** How much of an error's first line the terminal gets; the log and the JSON report have all of it. */
export const FAILURE_LINE_MAX = 200;

/**
 * `FAIL TestReElection2A #7 (seed 1241): <first line of error> — log: <path>`;
 * a test name that is not a plain word is quoted as the replay line quotes
 * it, a long error is cut, and a log that could not be written says so.
 */
export function formatFailure(
  result: Pick<RunResult, 'test' | 'k' | 'seed' | 'error'>,
  logPath: string | undefined,
  logFailure?: { path: string; error: Error },
): string {
  let firstLine = result.error?.split('\n', 1)[0] ?? 'failed';
  if (firstLine.length > FAILURE_LINE_MAX) firstLine = `${firstLine.slice(0, FAILURE_LINE_MAX)}… (cut; the whole error is in the log)`;
  const where = logPath !== undefined ? ` — log: ${logPath}` : logFailure !== undefined ? ` — log not written (${logFailure.path}: ${logFailure.error.message})` : '';
  return `FAIL ${shellWord(result.test)} #${result.k} (seed ${result.seed}): ${firstLine}${where}`;
}

/** Tenths of a second under a minute, where they still say something; then minutes and seconds. */
export function formatElapsed(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatLong(ms);
}

/** Whole seconds: an estimate earns no decimals. */
export function formatEta(ms: number): string {
  return ms < 59_500 ? `${Math.round(ms / 1000)}s` : formatLong(ms);
}

function formatLong(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}h${two(minutes)}m` : `${minutes}m${two(seconds)}s`;
}

/**
 * What both reporters share: the latest counts, the start time, and a timer
 * ticking while runs go on, so elapsed time and ETA move between results.
 */
abstract class TickingProgress implements ProgressReporter {
  protected progress: StressProgress = { done: 0, failed: 0, total: 0 };
  private startedMs = 0;
  private cancelTicks: (() => void) | undefined;
  /** Runs in flight, by `test#k`, with when they started. */
  private readonly inFlight = new Map<string, { run: RunName; startedMs: number }>();
  private finishedWallMs = 0;
  private finishedRuns = 0;
  /** The ETA last shown and when, so the next one moves from it instead of jumping. */
  private eta: { ms: number; atMs: number } | undefined;

  constructor(
    protected readonly deps: ProgressDeps,
    protected readonly tickMs: number,
  ) {}

  start(total: number): void {
    this.progress = { done: 0, failed: 0, total };
    this.startedMs = this.deps.nowMs();
    this.inFlight.clear();
    this.eta = undefined;
    this.begin();
    this.cancelTicks = (this.deps.every ?? everyWallInterval)(this.tickMs, () => this.tick());
  }

  stop(): void {
    this.cancelTicks?.();
    this.cancelTicks = undefined;
    this.end();
  }

  runStarted(run: RunName): void {
    this.inFlight.set(`${run.test}#${run.k}`, { run, startedMs: this.deps.nowMs() });
  }

  runFinished(progress: StressProgress, announcement?: string, run?: RunName): void {
    this.progress = progress;
    const started = run === undefined ? undefined : this.inFlight.get(`${run.test}#${run.k}`);
    if (started !== undefined) {
      this.inFlight.delete(`${run!.test}#${run!.k}`);
      this.finishedWallMs += this.deps.nowMs() - started.startedMs;
      this.finishedRuns += 1;
    }
    this.finished(announcement);
  }

  protected abstract finished(announcement?: string): void;
  protected abstract begin(): void;
  protected abstract tick(): void;
  protected abstract end(): void;

  protected elapsedMs(): number {
    return this.deps.nowMs() - this.startedMs;
  }

  protected line(): string {
    const nowMs = this.deps.nowMs();
    const elapsedMs = nowMs - this.startedMs;
    const { done, failed, total } = this.progress;
    const slow = this.slowest(nowMs);
    return `${done}/${total} runs, ${failed} failed, ${formatElapsed(elapsedMs)} elapsed, ETA ${this.smoothedEta(nowMs, elapsedMs)}${slow === undefined ? '' : `; slowest in flight: ${slow}`}`;
  }

  /**
   * The ETA from the mean pace so far, smoothed: runs of different lengths
   * end in bursts, and the raw estimate leaps with each (1m54s, then
   * 10m29s). The shown value counts down from the last one and moves a
   * third of the way to the new estimate each time.
   */
  private smoothedEta(nowMs: number, elapsedMs: number): string {
    const { done, total } = this.progress;
    if (done === 0) return '?';
    const rawMs = (elapsedMs / done) * (total - done);
    const ms = this.eta === undefined || done === total ? rawMs : Math.max(0, this.eta.ms - (nowMs - this.eta.atMs)) * (1 - ETA_WEIGHT) + rawMs * ETA_WEIGHT;
    this.eta = { ms, atMs: nowMs };
    return formatEta(ms);
  }

  /** The run in flight longest, when it has taken SLOW_FACTOR times a finished run's mean and SLOW_MIN_MS: `TestFigure8Unreliable2C #7 (seed 1241), 2m10s`. */
  private slowest(nowMs: number): string | undefined {
    let oldest: { run: RunName; startedMs: number } | undefined;
    for (const entry of this.inFlight.values()) if (oldest === undefined || entry.startedMs < oldest.startedMs) oldest = entry;
    if (oldest === undefined) return undefined;
    const ms = nowMs - oldest.startedMs;
    const meanMs = this.finishedRuns === 0 ? 0 : this.finishedWallMs / this.finishedRuns;
    if (ms < SLOW_MIN_MS || ms < SLOW_FACTOR * meanMs) return undefined;
    return `${shellWord(oldest.run.test)} #${oldest.run.k} (seed ${oldest.run.seed}), ${formatElapsed(ms)}`;
  }
}

/** How far each new ETA estimate moves the one shown. */
const ETA_WEIGHT = 1 / 3;
/** A run in flight is named as slow once it has run this long… */
const SLOW_MIN_MS = 10_000;
/** …and this many times the mean of the runs finished so far. */
const SLOW_FACTOR = 3;

/** Plain progress lines come further apart as a stress run goes on, up to this gap. */
export const PLAIN_GAP_MAX_MS = 60_000;

/**
 * For pipes and CI: announcements as they come, and a plain line at
 * `intervalMs`, then further apart as the stress run goes on (a line at
 * 5 s, 10 s, 20 s, 40 s, then one a minute), so that a long run's log is
 * not mostly progress.
 */
export class PlainProgress extends TickingProgress {
  private nextLineMs = 0;

  protected finished(announcement?: string): void {
    if (announcement !== undefined) this.print(announcement);
  }

  protected begin(): void {
    this.nextLineMs = 0;
  }

  protected tick(): void {
    const elapsedMs = this.elapsedMs();
    // Half a tick early is on time: the ticks of a busy machine come late or early.
    if (elapsedMs + this.tickMs / 2 < this.nextLineMs) return;
    this.print(this.line());
    this.nextLineMs = elapsedMs + Math.min(PLAIN_GAP_MAX_MS, elapsedMs);
  }

  protected end(): void {}

  private print(line: string): void {
    this.deps.stream.write(`${line}\n`);
  }
}

/** How often the spinner's text is brought up to date. */
const SPINNER_TEXT_MS = 250;

/** ora's default export: makes a spinner. */
export type MakeSpinner = (options: SpinnerOptions) => Ora;

/** For a terminal: one spinner line, rewritten in place, with announcements printed above it. */
export class SpinnerProgress extends TickingProgress {
  private spinner: Ora | undefined;

  constructor(
    deps: ProgressDeps,
    private readonly color: boolean,
    private readonly ora: MakeSpinner,
  ) {
    super(deps, SPINNER_TEXT_MS);
  }

  protected finished(announcement?: string): void {
    this.tick();
    if (announcement !== undefined && this.spinner !== undefined) {
      // Print above the spinner: clear its line, write, and draw it again below.
      this.spinner.clear();
      this.deps.stream.write(`${announcement}\n`);
      this.spinner.render();
    }
  }

  protected begin(): void {
    this.spinner = this.ora({
      text: this.line(),
      stream: this.deps.stream,
      isEnabled: true,
      color: this.color ? 'cyan' : false,
      // Raw-mode stdin would turn Ctrl-C into a re-emitted event; the plain signal is simpler to reason about.
      discardStdin: false,
    }).start();
  }

  /** The spinner draws the new text on its next frame. */
  protected tick(): void {
    if (this.spinner !== undefined) this.spinner.text = this.line();
  }

  protected end(): void {
    this.spinner?.stop();
    this.spinner = undefined;
  }
}

/**
 * Whether a spinner can be drawn: a terminal that is not `dumb` and has a
 * width (a pseudo-terminal of width 0, as some CI runners give, would make
 * the spinner's line arithmetic divide by zero).
 */
export function canAnimate(terminal: { isTTY: boolean; columns: number | undefined; term: string | undefined }): boolean {
  return terminal.isTTY && terminal.term !== 'dumb' && terminal.columns !== 0;
}

export interface ReporterChoice extends ProgressDeps {
  animate: boolean;
  color: boolean;
  /** How often plain progress prints a line. */
  plainIntervalMs: number;
}

/** The reporter for the terminal; ora (some 50 ms of loading) only when there is a spinner to draw. */
export async function createProgressReporter(choice: ReporterChoice): Promise<ProgressReporter> {
  if (!choice.animate) return new PlainProgress(choice, choice.plainIntervalMs);
  const { default: ora } = await import('ora');
  return new SpinnerProgress(choice, choice.color, ora);
}
