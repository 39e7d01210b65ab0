import { describe, expect, it } from 'vitest';
import ora from 'ora';
import {
  canAnimate,
  createProgressReporter,
  formatElapsed,
  formatEta,
  formatFailure,
  formatProgress,
  PlainProgress,
  SpinnerProgress,
  type Every,
} from '../../src/cli/progress.js';
import { capture, hasEscapeCodes, hasSpinnerFrames } from './helpers.js';

/** A timer the test fires by hand. */
function manualTimer(): { every: Every; fire: () => void; intervals: number[]; stopped: () => boolean } {
  let tick: (() => void) | undefined;
  let stopped = false;
  const intervals: number[] = [];
  return {
    every: (intervalMs, fn) => {
      intervals.push(intervalMs);
      tick = fn;
      return () => {
        stopped = true;
      };
    },
    fire: () => tick?.(),
    intervals,
    stopped: () => stopped,
  };
}

describe('formatProgress', () => {
  it('shows done/total, failures, elapsed and the ETA', () => {
    expect(formatProgress({ done: 12, failed: 1, total: 150 }, 3200)).toBe('12/150 runs, 1 failed, 3.2s elapsed, ETA 37s');
  });

  it('has no ETA before the first run finishes', () => {
    expect(formatProgress({ done: 0, failed: 0, total: 10 }, 500)).toBe('0/10 runs, 0 failed, 0.5s elapsed, ETA ?');
  });

  it('writes long times in minutes and hours', () => {
    expect(formatElapsed(59_900)).toBe('59.9s');
    expect(formatElapsed(125_000)).toBe('2m05s');
    expect(formatEta(40_400)).toBe('40s');
    expect(formatEta(3_725_000)).toBe('1h02m');
  });
});

describe('formatFailure', () => {
  it('names the run, its seed, the first line of its error and its log', () => {
    const line = formatFailure({ test: 'TestReElection2A', k: 7, seed: 1241, error: 'expected one leader, got none\n    at check' }, 'reports/x/TestReElection2A_7.log');
    expect(line).toBe('FAIL TestReElection2A #7 (seed 1241): expected one leader, got none — log: reports/x/TestReElection2A_7.log');
  });

  // Issue 11, item 10: a 10 kB error message filled the terminal.
  it('cuts a very long error to 200 characters and says the whole of it is in the log', () => {
    const line = formatFailure({ test: 'T', k: 0, seed: 1, error: `${'x'.repeat(5000)}\nsecond line` }, 'out/T_0.log');
    expect(line).toBe(`FAIL T #0 (seed 1): ${'x'.repeat(200)}… (cut; the whole error is in the log) — log: out/T_0.log`);
  });

  it('says where a log that could not be written was to go, and why', () => {
    const line = formatFailure({ test: 'T', k: 0, seed: 1, error: 'boom' }, undefined, { path: 'out/T_0.log', error: new Error('ENOSPC: no space left on device, write') });
    expect(line).toBe('FAIL T #0 (seed 1): boom — log not written (out/T_0.log: ENOSPC: no space left on device, write)');
  });

  it('quotes a test name that is not a plain word, keeping the line one line', () => {
    expect(formatFailure({ test: 'a;b c', k: 0, seed: 1, error: 'x' }, undefined)).toBe("FAIL 'a;b c' #0 (seed 1): x");
    expect(formatFailure({ test: 'two\nlines', k: 0, seed: 1, error: 'x' }, undefined)).toBe("FAIL $'two\\nlines' #0 (seed 1): x");
  });
});

describe('PlainProgress', () => {
  it('prints a plain line every interval and each announcement, and never spinner frames or escape codes', () => {
    const out = capture();
    const timer = manualTimer();
    let nowMs = 1000;
    const progress = new PlainProgress({ stream: out.stream, nowMs: () => nowMs, every: timer.every }, 5000);
    progress.start(4);
    expect(timer.intervals).toEqual([5000]);
    expect(out.text()).toBe('');
    progress.runFinished({ done: 1, failed: 0, total: 4 });
    progress.runFinished({ done: 2, failed: 1, total: 4 }, 'FAIL TestA #1 (seed 2): boom — log: out/TestA_1.log');
    nowMs = 6000;
    timer.fire();
    progress.stop();
    expect(timer.stopped()).toBe(true);
    expect(out.text()).toBe('FAIL TestA #1 (seed 2): boom — log: out/TestA_1.log\n2/4 runs, 1 failed, 5.0s elapsed, ETA 5s\n');
    // Spinner frames and escape codes must never reach a CI log.
    expect(hasEscapeCodes(out.text())).toBe(false);
    expect(hasSpinnerFrames(out.text())).toBe(false);
  });
});

// Issue 14, item 3: off a terminal one 2C run printed ~110 lines, its ETA leaping between 1m54s and 10m29s.
describe('PlainProgress over a long stress run', () => {
  function plain() {
    const out = capture();
    const timer = manualTimer();
    const clock = { ms: 0 };
    const progress = new PlainProgress({ stream: out.stream, nowMs: () => clock.ms, every: timer.every }, 5000);
    let nextTickMs = 5000;
    /** Fires the timer at each 5 s up to `untilMs`, a millisecond early or late in turn, as a busy machine does. */
    const ticksUntil = (untilMs: number) => {
      for (; nextTickMs <= untilMs; nextTickMs += 5000) {
        clock.ms = Math.max(clock.ms, nextTickMs + ((nextTickMs / 5000) % 2 === 0 ? -1 : 1));
        timer.fire();
      }
    };
    const lines = () => out.text().split('\n').filter((line) => line !== '');
    return { progress, clock, ticksUntil, lines };
  }

  it('prints at 5, 10, 20 and 40 s, then once a minute', () => {
    const { progress, ticksUntil, lines } = plain();
    progress.start(10);
    ticksUntil(200_000);
    expect(lines().map((line) => /, ([\dm.]+s) elapsed/.exec(line)![1])).toEqual(['5.0s', '10.0s', '20.0s', '40.0s', '1m20s', '2m20s', '3m20s']);
  });

  it('moves the ETA a third of the way to each new estimate, counting down in between', () => {
    const { progress, clock, ticksUntil, lines } = plain();
    progress.start(10);
    clock.ms = 1000;
    progress.runFinished({ done: 1, failed: 0, total: 10 });
    ticksUntil(5000);
    // 5 s for one run: 45 s to go.
    expect(lines().at(-1)).toMatch(/ETA 45s$/);
    clock.ms = 9000;
    progress.runFinished({ done: 9, failed: 0, total: 10 });
    ticksUntil(10_000);
    // Raw: 10 s / 9 runs for one run, about 1 s; shown: (45 - 5) * 2/3 + 1.1 / 3, not a leap to 1s.
    expect(lines().at(-1)).toMatch(/ETA 27s$/);
  });

  it('names the run in flight longest once it has taken 10 s and three times the mean run', () => {
    const { progress, clock, ticksUntil, lines } = plain();
    progress.start(4);
    progress.runStarted({ test: 'TestFigure8Unreliable2C', k: 7, seed: 1241 });
    progress.runStarted({ test: 'TestBasicAgree2B', k: 0, seed: 1234 });
    clock.ms = 2000;
    progress.runFinished({ done: 1, failed: 0, total: 4 }, undefined, { test: 'TestBasicAgree2B', k: 0, seed: 1234 });
    ticksUntil(5000);
    expect(lines().at(-1)).not.toContain('slowest');
    ticksUntil(20_000);
    expect(lines().at(-1)).toMatch(/ETA \d+s; slowest in flight: TestFigure8Unreliable2C #7 \(seed 1241\), 20\.0s$/);
    clock.ms = 21_000;
    progress.runFinished({ done: 2, failed: 0, total: 4 }, undefined, { test: 'TestFigure8Unreliable2C', k: 7, seed: 1241 });
    ticksUntil(45_000);
    expect(lines().at(-1)).not.toContain('slowest');
  });
});

describe('SpinnerProgress', () => {
  it('keeps the progress text current and prints announcements on lines of their own', () => {
    const out = capture();
    const timer = manualTimer();
    let nowMs = 0;
    const progress = new SpinnerProgress({ stream: out.stream, nowMs: () => nowMs, every: timer.every }, false, ora);
    progress.start(2);
    nowMs = 2000;
    progress.runFinished({ done: 1, failed: 1, total: 2 }, 'FAIL TestA #0 (seed 1): boom — log: out/TestA_0.log');
    progress.stop();
    expect(timer.stopped()).toBe(true);
    expect(out.text()).toContain('FAIL TestA #0 (seed 1): boom — log: out/TestA_0.log\n');
    expect(out.text()).toContain('1/2 runs, 1 failed, 2.0s elapsed, ETA 2s');
  });
});

describe('choosing a reporter', () => {
  const deps = { stream: capture().stream, nowMs: () => 0, color: false, plainIntervalMs: 5000 };

  it('animates only a terminal with a width that is not dumb', () => {
    expect(canAnimate({ isTTY: true, columns: 80, term: 'xterm' })).toBe(true);
    expect(canAnimate({ isTTY: true, columns: undefined, term: undefined })).toBe(true);
    expect(canAnimate({ isTTY: false, columns: 80, term: 'xterm' })).toBe(false);
    expect(canAnimate({ isTTY: true, columns: 80, term: 'dumb' })).toBe(false);
    expect(canAnimate({ isTTY: true, columns: 0, term: 'xterm' })).toBe(false);
  });

  it('uses the spinner only when it may animate', async () => {
    expect(await createProgressReporter({ ...deps, animate: true })).toBeInstanceOf(SpinnerProgress);
    expect(await createProgressReporter({ ...deps, animate: false })).toBeInstanceOf(PlainProgress);
  });
});
