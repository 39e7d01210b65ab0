/**
 * Loading a user's Raft for --raft: the refusals a bad module gets before any
 * run starts, the dry run of make() behind them, and what a peer that throws
 * in the middle of a run does to that run alone.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reference } from '../../src/raft/index.js';
import type { MakeOptions, RaftFactory, RaftPeer } from '../../src/raft/types.js';
import { loadRaftFactory, probeRaftModule, RaftModuleError, type ProbeOptions } from '../../src/runner/raft-module.js';
import { probeRaftFactory } from '../../src/runner/raft-probe.js';
import runTask from '../../src/runner/worker.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../cli/fixtures');
const fixture = (name: string) => join(fixtures, name);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raft-dstest-raft-module-unit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The message loadRaftFactory rejects with, after checking it is a RaftModuleError. */
async function refusal(path: string): Promise<string> {
  const error = await loadRaftFactory(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RaftModuleError);
  return (error as Error).message;
}

/** A peer with every member of the lab interface, each doing nothing; overrides replace or remove members. */
function peerWith(overrides: Record<string, unknown> = {}): RaftFactory {
  return {
    make: () => {
      const peer: Record<string, unknown> = {
        start: () => ({ index: -1, term: 0, isLeader: false }),
        getState: () => ({ term: 0, isLeader: false }),
        kill: () => {},
        snapshot: () => {},
        handlers: { RequestVote: () => ({}), AppendEntries: () => ({}) },
        ...overrides,
      };
      for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete peer[key];
      return peer as unknown as RaftPeer;
    },
  };
}

describe('loadRaftFactory', () => {
  it('loads a module with a make export, or a default export with make', async () => {
    for (const name of ['leaderless-raft.mjs', 'throwing-handler-raft.mjs']) {
      const factory = await loadRaftFactory(fixture(name));
      expect(typeof factory.make).toBe('function');
    }
  });

  it('takes a default export that is make itself', async () => {
    const source = 'export default function make() { return { start() {}, getState: () => ({ term: 0, isLeader: false }), kill() {}, snapshot() {}, handlers: { RequestVote() {}, AppendEntries() {} } }; }';
    const path = join(dir, 'default-make.mjs');
    await writeFile(path, source);
    const factory = await loadRaftFactory(path);
    expect(factory.make({} as MakeOptions).getState()).toEqual({ term: 0, isLeader: false });
  });

  // Issue 14, item 5: a TypeScript Raft compiled to CommonJS was refused as exporting no make().
  it("takes tsc's CommonJS output of an export default, of make or of an object with make", async () => {
    const peer = '{ start() {}, getState: () => ({ term: 0, isLeader: false }), kill() {}, snapshot() {}, handlers: { RequestVote() {}, AppendEntries() {} } }';
    const sources = {
      'default-function.cjs': `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nfunction make() { return ${peer}; }\nexports.default = make;\n`,
      'default-object.cjs': `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = { make: () => (${peer}) };\n`,
    };
    for (const [name, source] of Object.entries(sources)) {
      const path = join(dir, name);
      await writeFile(path, source);
      const factory = await loadRaftFactory(path);
      expect(factory.make({} as MakeOptions).getState(), name).toEqual({ term: 0, isLeader: false });
    }
  });

  it('imports and checks each module once', async () => {
    const path = fixture('leaderless-raft.mjs');
    expect(loadRaftFactory(path)).toBe(loadRaftFactory(path));
  });

  it('refuses a TypeScript module before trying to load it, saying to compile it', async () => {
    for (const name of ['typescript-raft.ts', 'x.mts', 'x.cts', 'X.TS']) {
      const path = name === 'typescript-raft.ts' ? fixture(name) : join(dir, name);
      expect(await refusal(path)).toBe(
        `--raft module "${path}" is TypeScript, which Node 20 cannot load; compile it to JavaScript (tsc) and pass the .js file`,
      );
    }
  });

  it('refuses a path with no file, or a directory, naming the resolved path', async () => {
    expect(await refusal(join(dir, 'missing.mjs'))).toBe(`cannot load --raft module "${join(dir, 'missing.mjs')}": no file at ${join(dir, 'missing.mjs')}`);
    expect(await refusal(dir)).toBe(`cannot load --raft module "${dir}": ${dir} is a directory; give the module file in it`);
  });

  // Under vitest the import goes through its transformer, which words a syntax
  // error its own way; the bin test checks Node's wording.
  it('refuses a module with a syntax error in one line', async () => {
    const path = join(dir, 'syntax-error.mjs');
    await writeFile(path, 'export function make( {\n');
    const message = await refusal(path);
    const prefix = `cannot load --raft module "${path}": `;
    expect(message.slice(0, prefix.length)).toBe(prefix);
    expect(message.length).toBeGreaterThan(prefix.length);
    expect(message).not.toContain('\n');
  });

  it('refuses a module whose imports fail, with the first line of the reason', async () => {
    const message = await refusal(fixture('unloadable-raft.mjs'));
    expect(message).toMatch(/^cannot load --raft module ".*unloadable-raft\.mjs": Cannot find package 'raft-dstest-fixture-no-such-package' imported from /);
    expect(message).not.toContain('\n');
  });

  it('refuses a module with no factory', async () => {
    expect(await refusal(fixture('no-make.mjs'))).toBe(
      `--raft module "${fixture('no-make.mjs')}" exports no make(options) function (it exports raft); it must implement the lab interface (make, start, getState, kill, handlers)`,
    );
  });

  it('refuses a factory whose make() throws, or returns a peer of the wrong shape', async () => {
    expect(await refusal(fixture('make-throws-raft.mjs'))).toBe(`--raft module "${fixture('make-throws-raft.mjs')}": make() threw RangeError: this peer cannot start`);
    expect(await refusal(fixture('wrong-shape-raft.mjs'))).toBe(
      `--raft module "${fixture('wrong-shape-raft.mjs')}": make() returned an object without getState() and handlers.RequestVote`,
    );
  });
});

describe('probeRaftFactory', () => {
  it('passes the reference Raft and a peer that has every member', () => {
    expect(probeRaftFactory(reference)).toBeUndefined();
    expect(probeRaftFactory(peerWith())).toBeUndefined();
  });

  it('makes peer 0 of three, with a persister that starts empty, and kills it', () => {
    const seen: { peers: number; me: number; saved: number; killed: boolean } = { peers: -1, me: -1, saved: -1, killed: false };
    const factory: RaftFactory = {
      make: (options) => {
        seen.peers = options.peers.length;
        seen.me = options.me;
        seen.saved = options.persister.raftStateSize();
        return peerWith({ kill: () => (seen.killed = true) }).make(options);
      },
    };
    expect(probeRaftFactory(factory)).toBeUndefined();
    expect(seen).toEqual({ peers: 3, me: 0, saved: 0, killed: true });
  });

  it('runs no timer and delivers no reply, so a peer cannot do work during the probe', () => {
    let fired = 0;
    const factory: RaftFactory = {
      make: (options) => {
        options.clock.setTimer(0, () => fired++);
        options.peers[1]!.call('RequestVote', {}, () => fired++);
        return peerWith().make(options);
      },
    };
    expect(probeRaftFactory(factory)).toBeUndefined();
    expect(fired).toBe(0);
  });

  it('names everything a peer lacks in one line', () => {
    expect(probeRaftFactory(peerWith({ start: undefined }))).toBe('make() returned an object without start()');
    expect(probeRaftFactory(peerWith({ start: 1, kill: undefined, handlers: undefined }))).toBe(
      'make() returned an object without start(), kill() and a handlers object',
    );
    expect(probeRaftFactory(peerWith({ handlers: { RequestVote: () => ({}), AppendEntries: {} } }))).toBe(
      'make() returned an object without handlers.AppendEntries',
    );
  });

  it('refuses make() returning no object, or a promise', () => {
    expect(probeRaftFactory({ make: () => undefined as unknown as RaftPeer })).toBe('make() returned undefined instead of a peer object');
    expect(probeRaftFactory({ make: () => 42 as unknown as RaftPeer })).toBe('make() returned 42 instead of a peer object');
    const later = { make: async () => peerWith().make({} as MakeOptions) } as unknown as RaftFactory;
    expect(probeRaftFactory(later)).toBe('make() returned a promise; it must return the peer itself, synchronously');
  });

  it('reports what make(), getState() or kill() threw, on one line', () => {
    const thrower = (error: unknown) => () => {
      throw error;
    };
    expect(probeRaftFactory({ make: thrower(new TypeError('bad\nsecond line')) })).toBe('make() threw TypeError: bad');
    expect(probeRaftFactory({ make: thrower('a string') })).toBe("make() threw 'a string'");
    expect(probeRaftFactory(peerWith({ getState: thrower(new Error('no state')) }))).toBe('getState() threw Error: no state');
    expect(probeRaftFactory(peerWith({ kill: thrower(new Error('cannot die')) }))).toBe('kill() threw Error: cannot die');
  });

  it('checks that getState() returns a number term and a boolean isLeader', () => {
    expect(probeRaftFactory(peerWith({ getState: () => ({ term: '0', isLeader: false }) }))).toBe(
      "getState() returned { term: '0', isLeader: false }; expected { term: number, isLeader: boolean }",
    );
    expect(probeRaftFactory(peerWith({ getState: () => [0, true] }))).toBe(
      'getState() returned [ 0, true ]; expected { term: number, isLeader: boolean }',
    );
  });

  it('takes a missing inspect() but refuses one that is not a function', () => {
    expect(probeRaftFactory(peerWith({ inspect: () => ({}) }))).toBeUndefined();
    expect(probeRaftFactory(peerWith({ inspect: { term: 0 } }))).toBe(
      'make() returned an object whose inspect is { term: 0 }; leave it out or make it a function',
    );
  });

  it('part 2D: requires snapshot(), takes a missing condInstallSnapshot() but refuses one that is not a function', () => {
    expect(probeRaftFactory(peerWith({ snapshot: undefined }))).toBe('make() returned an object without snapshot()');
    expect(probeRaftFactory(peerWith({ condInstallSnapshot: () => true }))).toBeUndefined();
    expect(probeRaftFactory(peerWith({ condInstallSnapshot: true }))).toBe(
      'make() returned an object whose condInstallSnapshot is true; leave it out or make it a function',
    );
  });

  it('takes any further handler, such as InstallSnapshot, if it is a function', () => {
    const handlers = { RequestVote: () => ({}), AppendEntries: () => ({}) };
    expect(probeRaftFactory(peerWith({ handlers: { ...handlers, InstallSnapshot: () => ({}) } }))).toBeUndefined();
    expect(probeRaftFactory(peerWith({ handlers: { ...handlers, InstallSnapshot: 'later' } }))).toBe(
      'make() returned handlers whose InstallSnapshot is not a function',
    );
  });
});

describe('a peer that throws during a run', () => {
  it('fails that run with the stack in its log, and the next run on the thread is unharmed', async () => {
    const task = { test: 'TestInitialElection2A', k: 0, seed: 3, settings: { ...DEFAULT_RUN_SETTINGS, raftModule: fixture('throwing-handler-raft.mjs') } };
    const failed = await runTask(task);
    expect(failed.passed).toBe(false);
    expect(failed.error).toMatch(/^TypeError: fixture bug: a handler threw\n\s+at fixtureHandlerBug /);
    // The fixture's request goes out at 1000 ms; the handler runs a goroutine hop (at most 1 ms) later.
    expect(failed.simMs).toBeGreaterThanOrEqual(1000);
    expect(failed.simMs).toBeLessThanOrEqual(1001);
    expect(failed.log!).toContainEqual(expect.stringMatching(/ TEST +at fixtureHandlerBug \(.*throwing-handler-raft\.mjs:\d+:\d+\)$/));
    expect(failed.log!.at(-1)).toMatch(/ TEST --- FAIL: TestInitialElection2A /);

    const next = await runTask({ test: 'TestInitialElection2A', k: 1, seed: 4, settings: DEFAULT_RUN_SETTINGS });
    expect(next.passed).toBe(true);
  });
});

// Issue 11, item 11: these runs passed, the escape unseen.
describe('a peer that reaches outside the simulation', () => {
  const run = (module: string, k: number, realtime = false) =>
    runTask({ test: 'TestInitialElection2A', k, seed: 3, settings: { ...DEFAULT_RUN_SETTINGS, realtime, raftModule: fixture(module) } });

  it('fails the run that calls the host setTimeout, naming it, where, and the fix; the host timer works again after the run', async () => {
    const failed = await run('wall-clock-raft.mjs', 0);
    expect(failed.passed).toBe(false);
    expect(failed.error).toMatch(/^OutsideSimulationError: setTimeout was called during a simulated run: .*; use clock\.setTimer\(ms, fn\) instead\n\s+at /);
    expect(failed.error).toMatch(/\n\s+at \S*fixtureWallClockTimer .*\(.*wall-clock-raft\.mjs:\d+:\d+\)/);
    // It stops the run where it happened: one virtual second in.
    expect(failed.simMs).toBe(1000);
    expect(await new Promise((resolve) => setTimeout(() => resolve('fired'), 1))).toBe('fired');
    expect((await runTask({ test: 'TestInitialElection2A', k: 1, seed: 4, settings: DEFAULT_RUN_SETTINGS })).passed).toBe(true);
  });

  it("fails the run that takes its timer from node:timers, by name, where the global's stand-in cannot see it", async () => {
    const failed = await run('module-timer-raft.mjs', 0);
    expect(failed.passed).toBe(false);
    expect(failed.error).toMatch(/^OutsideSimulationError: node:timers' setTimeout was called during a simulated run: .*; use clock\.setTimer\(ms, fn\) instead\n\s+at \S*fixtureModuleTimer .*\(.*module-timer-raft\.mjs:\d+:\d+\)/);
    expect(failed.simMs).toBe(1000);
    expect((await run('module-timer-raft.mjs', 1, true)).passed).toBe(true);
  }, 20_000);

  // Issue 14, item 2: a peer drawing from Math.random passed, and its runs no longer replayed.
  it('fails the run that draws from Math.random or reads Date.now, naming it, where, and the fix', async () => {
    const random = await run('random-raft.mjs', 0);
    expect(random.passed).toBe(false);
    expect(random.error).toMatch(/^OutsideSimulationError: Math\.random was called during a simulated run: it draws from the host's entropy, .*; use random\.float\(\) or random\.int\(n\) .*\n\s+at /);
    expect(random.error).toMatch(/\n\s+at \S*fixtureRandomTimeout .*\(.*random-raft\.mjs:\d+:\d+\)/);
    expect(random.simMs).toBe(1000);
    const date = await run('date-raft.mjs', 1);
    expect(date.passed).toBe(false);
    expect(date.error).toMatch(/^OutsideSimulationError: Date\.now was called during a simulated run: it reads the wall clock, .*; use clock\.now\(\), .*\n\s+at \S*fixtureWallClockRead /);
    expect(date.simMs).toBe(1000);
    // The same peers on the wall clock, as the Go lab runs, may read it.
    expect((await run('random-raft.mjs', 2, true)).passed).toBe(true);
  }, 20_000);

  it('fails the run in which a promise is rejected and nothing handles it, with the reason and its stack', async () => {
    const failed = await run('unhandled-rejection-raft.mjs', 0);
    expect(failed.passed).toBe(false);
    expect(failed.error).toMatch(/^OutsideSimulationError: a promise was rejected and nothing handled the rejection during the run: RangeError: fixture bug: a rejection nothing handles\n\s+at \S*fixtureForgottenAwait /);
  });

  it('leaves the host timers to a realtime run, which runs on them anyway', async () => {
    expect((await run('wall-clock-raft.mjs', 0, true)).passed).toBe(true);
  }, 20_000);
});

// Issue 11, item 7: the probe ran in the runner itself, so these hung it, ended it silently (rc 3), or aborted it (rc 134).
describe.runIf(existsSync(new URL('../../dist/runner/raft-probe-worker.js', import.meta.url)))('probeRaftModule (built)', () => {
  const refusalOf = (module: string, options: Partial<ProbeOptions> = {}) =>
    probeRaftModule(module, { heapLimitMb: 64, ...options }).then(
      () => 'accepted',
      (error: unknown) => (error instanceof RaftModuleError ? error.message : `not a RaftModuleError: ${String(error)}`),
    );

  it('accepts a good module and refuses a bad one with the same words as loading it in place', async () => {
    expect(await refusalOf(fixture('leaderless-raft.mjs'))).toBe('accepted');
    expect(await refusalOf(fixture('no-make.mjs'))).toBe(
      `--raft module "${fixture('no-make.mjs')}" exports no make(options) function (it exports raft); it must implement the lab interface (make, start, getState, kill, handlers)`,
    );
  });

  it('gives up on a make() that never returns at the time limit', async () => {
    const module = fixture('spinning-make-raft.mjs');
    expect(await refusalOf(module, { timeLimitMs: 1000 })).toBe(
      `--raft module "${module}" did not finish loading and make() within 1s; a peer must return from make() at once and do its work in timers and callbacks`,
    );
  });

  it('refuses a module that calls process.exit as it loads, and carries on itself', async () => {
    const module = fixture('exit-on-load-raft.mjs');
    expect(await refusalOf(module)).toBe(`--raft module "${module}" ended its thread (process.exit(3)) while loading or in make(); a peer must never end the process`);
  });

  it('refuses a module that runs out of memory as it loads', async () => {
    const module = fixture('hoarding-raft.mjs');
    expect(await refusalOf(module)).toBe(`--raft module "${module}" ran out of memory (heap limit 64 MB) while loading or in make()`);
  });
});
