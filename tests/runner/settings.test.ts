/**
 * RunSettings: one value from the command line to the worker and the replay
 * line. What a replay repeats and what mode a run is in follow from it alone.
 */
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/runner/replay.js';
import { DEFAULT_RUN_SETTINGS, replayFlags, runMode, type RunSettings } from '../../src/runner/settings.js';

describe('RunSettings', () => {
  it('defaults to a quiet simulated run of the reference Raft, without extra checks', () => {
    expect(DEFAULT_RUN_SETTINGS).toEqual({ realtime: false, logLevel: 'none', strict: false, checkDeterminism: false, chargeCpu: false });
    expect(replayFlags(DEFAULT_RUN_SETTINGS)).toEqual({ before: [], after: [] });
  });

  it('names its mode: sim, realtime or exec', () => {
    expect(runMode(DEFAULT_RUN_SETTINGS)).toBe('sim');
    expect(runMode({ ...DEFAULT_RUN_SETTINGS, realtime: true })).toBe('realtime');
    expect(runMode({ ...DEFAULT_RUN_SETTINGS, exec: 'go test' })).toBe('exec');
  });

  it('gives a replay word for every setting that is not its default', () => {
    const all: RunSettings = { realtime: true, logLevel: 'trace', strict: true, checkDeterminism: true, chargeCpu: true, raftModule: 'mine/raft.mjs' };
    expect(replayFlags(all)).toEqual({ before: ['--raft', 'mine/raft.mjs'], after: ['--realtime', '-r', '--check-determinism', '--charge-cpu', '-vv'] });
    expect(replayFlags({ ...DEFAULT_RUN_SETTINGS, exec: 'true' }).before).toEqual(['--exec', 'true']);
    expect(replayCommand({ ...DEFAULT_RUN_SETTINGS, logLevel: 'debug' }, 'TestA', 9)).toBe('npx raft-dstest TestA --seed 9 -n 1 -v');
  });
});
