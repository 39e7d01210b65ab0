// The benchmark's arithmetic, apart from any measuring so that it can be
// tested: per-test figures from the raw sums a pass reports, the figures the
// baseline is compared on, their ratios, and the targets.

/**
 * @typedef {{ test: string, runs: number, failed: number, cpuMs: number, wallMs: number, events: number, rpcs: number, bytes: number }} TestSums
 * @typedef {{ peakRssMb: number, tests: TestSums[] }} Pass
 */

/** Median of a non-empty list of numbers. */
export function median(values) {
  if (values.length === 0) throw new RangeError('the median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * One test's figures per run, from its sums: runs per CPU second (one core),
 * events per CPU second and CPU µs per event (CPU, not wall: the machine is
 * shared), RPCs and bytes per run.
 */
export function perTest(sums) {
  const cpuS = sums.cpuMs / 1000;
  return {
    test: sums.test,
    cpuMsPerRun: sums.cpuMs / sums.runs,
    runsPerCoreS: sums.runs / cpuS,
    eventsPerRun: sums.events / sums.runs,
    eventsPerS: sums.events / cpuS,
    usPerEvent: (sums.cpuMs * 1000) / sums.events,
    rpcsPerRun: sums.rpcs / sums.runs,
    bytesPerRun: sums.bytes / sums.runs,
  };
}

/** CPU ms of one pass: each test once, its mean CPU per run, summed. */
export function cpuMsPerPass(pass) {
  return pass.tests.reduce((sum, t) => sum + t.cpuMs / t.runs, 0);
}

/** Events of one pass, and CPU µs per event over the whole pass. */
export function passEvents(pass) {
  const events = pass.tests.reduce((sum, t) => sum + t.events / t.runs, 0);
  return { events, usPerEvent: (cpuMsPerPass(pass) * 1000) / events };
}

/**
 * The headline figures of a set of results, by name, each a number (or
 * undefined where not measured). Lower is better for all of them, so a ratio
 * above 1 is a regression.
 */
export function headline(results) {
  const figures = {
    'CPU ms per pass': results.plain?.cpuMsPerPass,
    'CPU µs per event': results.plain?.usPerEvent,
    'peak RSS MB, one worker': results.plain?.peakRssMb,
    'strict CPU / plain': results.strict?.overhead,
    'determinism check CPU / plain': results.determinism?.overhead,
    'first run ms at -p 4': results.startup?.firstRunMs,
    'first run ms at -p 4 since the command line started': results.startup?.cli?.firstRunSinceProcessStartMs,
    'seed command peak RSS MB, -p 16 -n 20': results.peakRssMbAt16,
    'floor: event loop CPU ms': results.floor?.eventLoop.cpuMs,
    'floor: network CPU ms': results.floor?.rpcs.cpuMs,
  };
  for (const run of results.seedCommand ?? []) {
    figures[`seed command wall s, -p ${run.workers}`] = run.wallS;
    figures[`seed command CPU s, -p ${run.workers}`] = run.cpuS;
    figures[`seed command peak RSS MB, -p ${run.workers}`] = run.peakRssMb;
  }
  return figures;
}

/**
 * Each headline figure now, in the baseline, and now / baseline; the ratio is
 * undefined where either side lacks the figure.
 */
export function compare(baseline, current) {
  const before = headline(baseline);
  const after = headline(current);
  const names = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  return names.map((name) => {
    const b = before[name];
    const a = after[name];
    const ratio = typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : undefined;
    return { name, baseline: b, current: a, ratio };
  });
}

/**
 * The targets: half the baseline's CPU per pass, 60 MB per worker (so
 * that -p 16 fits in 1 GB), first run under 300 ms after the command line
 * started (after the pool was made, for results from before that was measured).
 */
export const TARGETS = { cpuPerPassRatioMax: 0.5, peakRssMbMax: 60, peakRssMbAt16Max: 1024, firstRunMsMax: 300 };

/** Each target with the figure it is checked on and whether it is met (undefined: not measured). */
export function checkTargets(baseline, current, targets = TARGETS) {
  const cpuRatio = current.plain && baseline.plain ? current.plain.cpuMsPerPass / baseline.plain.cpuMsPerPass : undefined;
  const perWorker = current.perWorkerRssMb;
  const first = current.startup?.cli?.firstRunSinceProcessStartMs ?? current.startup?.firstRunMs;
  const met = (value, max) => (value === undefined ? undefined : value <= max);
  return [
    { target: `CPU per pass ≤ ${targets.cpuPerPassRatioMax}× the baseline's`, value: cpuRatio, met: met(cpuRatio, targets.cpuPerPassRatioMax) },
    { target: `peak RSS per worker ≤ ${targets.peakRssMbMax} MB`, value: perWorker, met: met(perWorker, targets.peakRssMbMax) },
    { target: `peak RSS at -p 16 ≤ ${targets.peakRssMbAt16Max} MB`, value: current.peakRssMbAt16, met: met(current.peakRssMbAt16, targets.peakRssMbAt16Max) },
    { target: `first run at -p 4 < ${targets.firstRunMsMax} ms after the command line started`, value: first, met: first === undefined ? undefined : first < targets.firstRunMsMax },
  ];
}

/**
 * What one worker adds to the process's peak RSS: the growth from -p 1 to the
 * most workers measured, per added worker; undefined with fewer than two
 * worker counts.
 */
export function perWorkerRssMb(seedCommand) {
  if (seedCommand === undefined || seedCommand.length < 2) return undefined;
  const sorted = [...seedCommand].sort((a, b) => a.workers - b.workers);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return (last.peakRssMb - first.peakRssMb) / (last.workers - first.workers);
}
