/**
 * End to end: `--cpu-prof <dir>` writes a CPU profile of each lab run,
 * taken in the worker thread that ran it, and refuses what it cannot do.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/runner/replay.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';
import { built, raftDstest } from './bin-helpers.js';
import { expectRefused } from './report-cli-helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-cpu-prof-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Profile {
  nodes: Array<{ callFrame: { functionName: string; url: string } }>;
  samples: number[];
}

describe.runIf(built)('--cpu-prof', () => {
  it('writes one profile per run, <Test>_<k>.cpuprofile, that sees the Raft at work', async () => {
    const profiles = join(dir, 'profiles');
    // TestFigure8Unreliable2C runs long enough (hundreds of ms of CPU) that even a
    // loaded machine's sampler catches the Raft at work in it many times over.
    const { code, stdout, stderr } = await raftDstest(['TestBasicAgree2B', 'TestFigure8Unreliable2C', '-n', '2', '-p', '2', '--seed', '1', '--cpu-prof', profiles, '-o', join(dir, 'out')]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`CPU profiles (--cpu-prof): each run writes ${profiles}/<Test>_<k>.cpuprofile`);
    expect((await readdir(profiles)).sort()).toEqual(['TestBasicAgree2B_0.cpuprofile', 'TestBasicAgree2B_1.cpuprofile', 'TestFigure8Unreliable2C_0.cpuprofile', 'TestFigure8Unreliable2C_1.cpuprofile']);
    const profile = JSON.parse(await readFile(join(profiles, 'TestFigure8Unreliable2C_1.cpuprofile'), 'utf8')) as Profile;
    expect(profile.samples.length).toBeGreaterThan(0);
    expect(profile.nodes.some((node) => node.callFrame.url.endsWith('/raft/core.js'))).toBe(true);
  });

  it('is refused with --exec and --go, and for a directory that cannot be made', async () => {
    const out = join(dir, 'out');
    expect(expectRefused(await raftDstest(['--exec', 'true', 'A', '--cpu-prof', join(dir, 'p'), '-o', out]), out)).toContain('--cpu-prof profiles the lab runs');
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    expect(expectRefused(await raftDstest(['TestBasicAgree2B', '--cpu-prof', join(file, 'p'), '-o', out]), out)).toBe(
      `raft-dstest: cannot use --cpu-prof directory "${join(file, 'p')}": ${file} is not a directory\n`,
    );
  });

  it('is not repeated by a replay line', () => {
    expect(replayCommand({ ...DEFAULT_RUN_SETTINGS, cpuProfileDir: join(dir, 'p') }, 'TestBasicAgree2B', 4)).toBe('npx raft-dstest TestBasicAgree2B --seed 4 -n 1');
  });
});
