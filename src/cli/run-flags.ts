/**
 * The run flags of the command line: the options that make up RunSettings
 * (runner/settings.ts), how their values are read, and which of them cannot
 * go together. A new run flag gets its option in addRunFlags and its value in
 * runSettingsFrom, here, and its field and replay words in runner/settings.ts.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { goCommand } from '../runner/exec-go.js';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from '../runner/settings.js';
import { parseExecCommand, resolveLogLevel } from './options.js';
import { UsageError } from './usage-error.js';

/** What commander hands over for the run flags. */
export interface RunFlagValues {
  verbose: number;
  realtime?: true;
  /** -r sets it, -R clears it; absent when neither is given. */
  race?: boolean;
  checkDeterminism?: true;
  chargeCpu?: true;
  raft?: string;
  exec?: string;
  go?: true;
  cpuProf?: string;
  /** False with --no-spot-check. */
  spotCheck?: boolean;
}

export function addRunFlags(program: Command): Command {
  const countVerbose = (_: string, previous: number) => previous + 1;
  return program
    .option('-v, --verbose', 'log Raft events too: -v debug, -vv trace (default: RAFT_LOG, else none)', countVerbose, 0)
    .option('--exec <command>', 'stress a shell command instead of the lab suite; {test}, {seed} and {k} are substituted, exit 0 passes')
    .option('--go', "stress Go tests: --exec \"go test -run '^{test}$'\" in this directory, names checked with go test -list .")
    .option('-r, --race', 'strict mode: check the Raft invariants after every event (with --go: go test -race)')
    .option('-R, --no-race', 'no strict mode (the default)')
    .option('--check-determinism', 'run each run twice with its seed and fail it where the two diverge')
    .option('--charge-cpu', "add the wall time spent inside the Raft to the virtual clock, as Go's would pass (runs then no longer replay exactly)")
    .option('--raft <module>', 'test your own Raft: a JavaScript module exporting make(options), the lab interface (default: the reference Raft)')
    .option('--realtime', 'run on the wall clock instead of the simulator')
    .option('--no-spot-check', 'with --raft: do not run the first run of each test twice to check that it replays')
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of each run to <dir>/<Test>_<k>.cpuprofile (open in Chrome DevTools or speedscope)');
}

/** The settings the flags give, checked against each other; throws UsageError naming the conflict. */
export function runSettingsFrom(raw: RunFlagValues, env: NodeJS.ProcessEnv): RunSettings {
  const exec = execTemplate(raw);
  // RAFT_LOG is the lab suite's; a command's environment is its own business and passes through untouched.
  const logLevel = resolveLogLevel(raw.verbose, exec === undefined ? env.RAFT_LOG : undefined);
  const settings: RunSettings = { ...DEFAULT_RUN_SETTINGS, logLevel, realtime: raw.realtime === true };
  if (exec !== undefined) settings.exec = exec;
  if (raw.raft !== undefined) {
    if (exec !== undefined) throw new UsageError('--raft has no meaning with --exec or --go: the command is the test');
    settings.raftModule = raw.raft;
  }
  // With --go, -r is go test's -race, already in the command.
  if (raw.race === true && exec === undefined) settings.strict = true;
  if (raw.checkDeterminism) {
    if (exec !== undefined) throw new UsageError('--check-determinism has no meaning with --exec or --go: only the simulator replays a seed');
    if (raw.realtime) throw new UsageError('--check-determinism has no meaning with --realtime: the wall clock never repeats a run');
    settings.checkDeterminism = true;
  }
  if (raw.cpuProf !== undefined) {
    if (exec !== undefined) throw new UsageError('--cpu-prof profiles the lab runs\' worker threads and has no meaning with --exec or --go; profile the command itself (go test -cpuprofile)');
    if (raw.cpuProf.trim() === '') throw new UsageError('--cpu-prof needs a directory to write the profiles to, got ""');
    settings.cpuProfileDir = resolve(raw.cpuProf);
  }
  if (raw.chargeCpu) {
    if (exec !== undefined) throw new UsageError('--charge-cpu has no meaning with --exec or --go: commands always run on the wall clock');
    if (raw.realtime) throw new UsageError('--charge-cpu has no meaning with --realtime: on the wall clock the time is already spent');
    if (raw.checkDeterminism) throw new UsageError('--charge-cpu cannot go with --check-determinism: a charged run depends on the machine, so it never repeats');
    settings.chargeCpu = true;
  }
  // A user's Raft is where replay breaks (state kept at module level, which
  // carries from one run into the next on the same thread, say): one run
  // per test done twice catches it early, for little time.
  if (raw.spotCheck === false && raw.raft === undefined) throw new UsageError('--no-spot-check turns off the determinism spot-check of a --raft module and has no meaning without --raft');
  if (settings.raftModule !== undefined && raw.spotCheck !== false && !settings.realtime && !settings.checkDeterminism && !settings.chargeCpu) settings.spotCheck = true;
  return settings;
}

/** The command of --exec or --go, checked against the options it cannot go with. */
function execTemplate(raw: RunFlagValues): string | undefined {
  if (raw.race === true && raw.exec !== undefined) {
    throw new UsageError('-r/--race checks the lab suite\'s Raft and has no meaning with --exec (use --go for go test -race)');
  }
  if (raw.go && raw.exec !== undefined) throw new UsageError('--exec and --go cannot be used together; --go is a shorthand for --exec');
  const exec = raw.go ? goCommand(raw.race === true) : raw.exec === undefined ? undefined : parseExecCommand(raw.exec);
  if (exec !== undefined && raw.realtime) throw new UsageError('--realtime has no meaning with --exec or --go: commands always run on the wall clock');
  return exec;
}
