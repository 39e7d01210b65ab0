import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module of the benchmark, run by node as it is.
import { checkTargets, compare, cpuMsPerPass, median, passEvents, perTest, perWorkerRssMb } from '../../bench/perf/compare.mjs';

const sums = (test: string, runs: number, cpuMs: number, events: number) => ({ test, runs, failed: 0, cpuMs, wallMs: cpuMs, events, rpcs: 10 * runs, bytes: 1000 * runs });

describe('the benchmark arithmetic', () => {
  it('takes the median of odd and even counts, and refuses none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('turns a test’s sums into per-run and per-CPU-second figures', () => {
    const t = perTest(sums('T', 4, 200, 8000));
    expect(t.cpuMsPerRun).toBe(50);
    expect(t.runsPerCoreS).toBe(20);
    expect(t.eventsPerRun).toBe(2000);
    expect(t.eventsPerS).toBe(40_000);
    expect(t.usPerEvent).toBe(25);
    expect(t.rpcsPerRun).toBe(10);
    expect(t.bytesPerRun).toBe(1000);
  });

  it('sums one mean run of each test into a pass', () => {
    const pass = { peakRssMb: 100, tests: [sums('A', 2, 10, 100), sums('B', 5, 100, 5000)] };
    expect(cpuMsPerPass(pass)).toBe(25);
    expect(passEvents(pass)).toEqual({ events: 1050, usPerEvent: (25 * 1000) / 1050 });
  });

  it('compares each headline figure as now / baseline, leaving out what one side lacks', () => {
    const baseline = { plain: { cpuMsPerPass: 300, usPerEvent: 12, peakRssMb: 120 }, seedCommand: [{ workers: 1, wallS: 10, cpuS: 8, peakRssMb: 170 }] };
    const current = { plain: { cpuMsPerPass: 150, usPerEvent: 6, peakRssMb: 60 }, startup: { firstRunMs: 250 }, seedCommand: [{ workers: 1, wallS: 12, cpuS: 4, peakRssMb: 85 }] };
    const rows = Object.fromEntries(compare(baseline, current).map((r: { name: string }) => [r.name, r]));
    expect(rows['CPU ms per pass']).toEqual({ name: 'CPU ms per pass', baseline: 300, current: 150, ratio: 0.5 });
    expect(rows['seed command wall s, -p 1'].ratio).toBeCloseTo(1.2);
    expect(rows['first run ms at -p 4']).toEqual({ name: 'first run ms at -p 4', baseline: undefined, current: 250, ratio: undefined });
  });

  it('reads the RSS one worker adds from the lowest and highest worker counts', () => {
    expect(perWorkerRssMb([{ workers: 4, peakRssMb: 400 }, { workers: 1, peakRssMb: 100 }, { workers: 2, peakRssMb: 220 }])).toBe(100);
    expect(perWorkerRssMb([{ workers: 1, peakRssMb: 100 }])).toBeUndefined();
  });

  it('checks the targets against their limits, and says which were not measured', () => {
    const baseline = { plain: { cpuMsPerPass: 300 } };
    const met = checkTargets(baseline, { plain: { cpuMsPerPass: 150 }, perWorkerRssMb: 60, peakRssMbAt16: 1024, startup: { firstRunMs: 299 } });
    expect(met.map((t: { met: boolean }) => t.met)).toEqual([true, true, true, true]);
    const missed = checkTargets(baseline, { plain: { cpuMsPerPass: 151 }, perWorkerRssMb: 61, peakRssMbAt16: 1025, startup: { firstRunMs: 300 } });
    expect(missed.map((t: { met: boolean }) => t.met)).toEqual([false, false, false, false]);
    // The command line's figure, from its process's start, is the one checked where it was measured.
    const viaCli = checkTargets(baseline, { startup: { firstRunMs: 100, cli: { firstRunSinceProcessStartMs: 300 } } });
    expect(viaCli.at(-1)).toMatchObject({ value: 300, met: false });
    const unmeasured = checkTargets(baseline, { plain: { cpuMsPerPass: 100 } });
    expect(unmeasured.map((t: { met: boolean }) => t.met)).toEqual([true, undefined, undefined, undefined]);
  });
});
