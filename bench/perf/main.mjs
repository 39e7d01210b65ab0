// The performance benchmark of the reference Raft on the simulator (npm run bench).
//
// Measures, on the build in dist/ (or another project's with --root):
//   - per test of the seed command (the README's 21 tests), in one worker thread with the pool's resource limits:
//     CPU per run, runs per CPU second, events per run and per CPU second,
//     CPU µs per event, RPCs and bytes per run; CPU per pass of all 21;
//   - the same passes in strict mode and with --check-determinism, as ratios;
//   - the seed command itself at -p 1, 2 and 4: wall, CPU, peak RSS; and
//     its peak RSS at -p 16, once;
//   - worker start-up: the first run's result at -p 4;
//   - the floor (floor.mjs): the bare event loop and the bare labrpc traffic
//     for the same numbers of events and RPCs as a pass.
// It then prints each headline figure against bench/baseline.json as a
// ratio (above 1 is slower or bigger), and the issue's targets.
//
// The machine may be shared: every measurement is repeated (--repeat) and
// the median kept, runs of different kinds alternate, and CPU time, steadier
// than wall time under load, is what the per-test figures are taken on.
//
//   npm run bench                       full: 10 seeds a test, the seed command with -n 50, 3 repeats
//   npm run bench -- --quick            a smoke run: 3 seeds, -n 10, one repeat
//   npm run bench -- --root ../old      measure another checkout's build
//   npm run bench -- --write-baseline   save the results as bench/baseline.json
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { checkTargets, compare, cpuMsPerPass, median, passEvents, perTest, perWorkerRssMb } from './compare.mjs';
import { SEED_COMMAND_RUNS, SEED_COMMAND_TESTS } from './seed-command.mjs';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const project = resolve(here, '../..');

const values = parseOptions();
const quick = values.quick;
const root = resolve(values.root);
const repeat = Number(values.repeat ?? (quick ? 1 : 3));
if (!Number.isInteger(repeat) || repeat < 1) usage(`--repeat ${values.repeat}: give a whole number of repetitions, 1 or more`);
const seeds = quick ? 3 : 10;
const seedCommandRuns = quick ? 10 : SEED_COMMAND_RUNS;
const seedCommandWorkers = [1, 2, 4];

function usage(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

/** The command line's options; an unknown or malformed one is a line naming it and the options there are, exit 2. */
function parseOptions() {
  const options = {
    quick: { type: 'boolean', default: false },
    root: { type: 'string', default: project },
    repeat: { type: 'string' },
    baseline: { type: 'string', default: join(project, 'bench/baseline.json') },
    save: { type: 'string', default: join(project, 'reports/bench.json') },
    'write-baseline': { type: 'boolean', default: false },
    label: { type: 'string' },
    'no-seed-command': { type: 'boolean', default: false },
  };
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    const known = Object.keys(options).map((name) => `--${name}`).join(', ');
    usage(`${error.message.split('\n')[0]}; the options are ${known}`);
  }
}

async function nodeJson(script, args) {
  const { stdout } = await run(process.execPath, [join(here, script), ...args], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

/** One pass in a fresh process per mode and repeat, alternating the modes; per test the median CPU. */
async function passes() {
  const modes = { plain: [], strict: ['--strict'], determinism: ['--check-determinism'] };
  const samples = { plain: [], strict: [], determinism: [] };
  for (let r = 0; r < repeat; r++) {
    for (const [mode, flags] of Object.entries(modes)) {
      process.stderr.write(`bench: ${mode} pass ${r + 1}/${repeat}\n`);
      samples[mode].push(await nodeJson('pass.mjs', ['--root', root, '--seeds', String(seeds), ...flags]));
    }
  }
  const out = {};
  for (const [mode, list] of Object.entries(samples)) {
    const tests = list[0].tests.map((t, i) => ({ ...t, cpuMs: median(list.map((p) => p.tests[i].cpuMs)), wallMs: median(list.map((p) => p.tests[i].wallMs)) }));
    const pass = { peakRssMb: median(list.map((p) => p.peakRssMb)), tests };
    out[mode] = {
      cpuMsPerPass: cpuMsPerPass(pass),
      cpuMsPerPassRange: [Math.min(...list.map(cpuMsPerPass)), Math.max(...list.map(cpuMsPerPass))],
      ...passEvents(pass),
      peakRssMb: pass.peakRssMb,
      youngGenerationMb: list[0].youngGenerationMb,
      failed: tests.reduce((sum, t) => sum + t.failed, 0),
      tests: tests.map(perTest),
    };
  }
  out.strict.overhead = out.strict.cpuMsPerPass / out.plain.cpuMsPerPass;
  out.determinism.overhead = out.determinism.cpuMsPerPass / out.plain.cpuMsPerPass;
  return out;
}

/** The seed command at -p 1, 2 and 4 under /usr/bin/time: wall, CPU (user + sys) and the process's peak RSS. */
async function seedCommand() {
  const rows = Object.fromEntries(seedCommandWorkers.map((p) => [p, []]));
  const output = mkdtempSync(join(tmpdir(), 'raft-dstest-bench-'));
  try {
    for (let r = 0; r < repeat; r++) {
      for (const p of seedCommandWorkers) {
        process.stderr.write(`bench: seed command -p ${p} -n ${seedCommandRuns} (${r + 1}/${repeat})\n`);
        const args = ['-f', '%e %U %S %M', process.execPath, join(root, 'bin/raft-dstest.js'), ...SEED_COMMAND_TESTS, '-p', String(p), '-n', String(seedCommandRuns), '--seed', '1000', '-o', output, '--no-color'];
        const { stderr } = await run('/usr/bin/time', args, { maxBuffer: 64 << 20 });
        const [wallS, userS, sysS, rssKb] = stderr.trim().split('\n').pop().split(' ').map(Number);
        rows[p].push({ wallS, cpuS: userS + sysS, peakRssMb: rssKb / 1024 });
      }
    }
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
  return seedCommandWorkers.map((p) => ({
    workers: p,
    runs: seedCommandRuns * SEED_COMMAND_TESTS.length,
    wallS: median(rows[p].map((x) => x.wallS)),
    wallSRange: [Math.min(...rows[p].map((x) => x.wallS)), Math.max(...rows[p].map((x) => x.wallS))],
    cpuS: median(rows[p].map((x) => x.cpuS)),
    peakRssMb: median(rows[p].map((x) => x.peakRssMb)),
  }));
}

/** The seed command's peak RSS at -p 16, once (-n 20: with fewer runs a worker, their heaps have not all grown): whether 16 workers fit in 1 GB. */
async function peakRssAt16() {
  const output = mkdtempSync(join(tmpdir(), 'raft-dstest-bench-'));
  try {
    process.stderr.write('bench: seed command -p 16 -n 20, for its peak RSS\n');
    const args = ['-f', '%M', process.execPath, join(root, 'bin/raft-dstest.js'), ...SEED_COMMAND_TESTS, '-p', '16', '-n', '20', '--seed', '1000', '-o', output, '--no-color'];
    const { stderr } = await run('/usr/bin/time', args, { maxBuffer: 64 << 20 });
    return Number(stderr.trim().split('\n').pop()) / 1024;
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
}

/** Start-up on the pool alone and through the command line, alternating, five times at least. */
async function startup() {
  const samples = [];
  const cli = [];
  for (let r = 0; r < Math.max(5, repeat); r++) {
    samples.push(await nodeJson('startup.mjs', ['--root', root, '--workers', '4']));
    cli.push(await nodeJson('startup.mjs', ['--root', root, '--workers', '4', '--via', 'cli']));
  }
  const firstRuns = samples.map((s) => s.firstRunMs);
  const cliFirstRuns = cli.map((s) => s.firstRunSinceProcessStartMs);
  return {
    firstRunMs: median(firstRuns),
    firstRunMsRange: [Math.min(...firstRuns), Math.max(...firstRuns)],
    firstRunSinceProcessStartMs: median(samples.map((s) => s.firstRunSinceProcessStartMs)),
    cli: {
      firstRunSinceProcessStartMs: median(cliFirstRuns),
      firstRunSinceProcessStartMsRange: [Math.min(...cliFirstRuns), Math.max(...cliFirstRuns)],
      commandSinceProcessStartMs: median(cli.map((s) => s.commandSinceProcessStartMs)),
    },
    passed: samples.every((s) => s.passed) && cli.every((s) => s.passed),
  };
}

/** The floor for a pass's events and RPCs, on the same build. */
async function floor(plain) {
  const rpcs = Math.round(plain.tests.reduce((sum, t) => sum + t.rpcsPerRun, 0));
  const floorRepeat = String(Math.max(5, repeat));
  return nodeJson('floor.mjs', ['--root', root, '--events', String(Math.round(plain.events)), '--rpcs', String(rpcs), '--repeat', floorRepeat]);
}

const fmt = (n, digits = 1) => (n === undefined ? '–' : n.toFixed(digits));

function printTests(plain) {
  const head = ['test', 'CPU ms/run', 'runs/core-s', 'events/run', 'events/s', 'µs/event', 'RPCs/run', 'KB/run'];
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(24) : h.padStart(12))).join(''));
  for (const t of plain.tests) {
    const cells = [t.cpuMsPerRun, t.runsPerCoreS, t.eventsPerRun, t.eventsPerS, t.usPerEvent, t.rpcsPerRun, t.bytesPerRun / 1024];
    const digits = [2, 0, 0, 0, 2, 0, 1];
    console.log(t.test.padEnd(24) + cells.map((c, i) => fmt(c, digits[i]).padStart(12)).join(''));
  }
}

const startedAt = new Date();
const load = loadavg()[0];
const results = { label: values.label ?? null, date: startedAt.toISOString(), quick, seeds, repeat, node: process.version, cores: cpus().length, loadAverage1m: { start: load } };
results.startup = await startup();
Object.assign(results, await passes());
results.floor = await floor(results.plain);
if (!values['no-seed-command']) {
  results.seedCommand = await seedCommand();
  results.perWorkerRssMb = perWorkerRssMb(results.seedCommand);
  results.peakRssMbAt16 = await peakRssAt16();
}
results.loadAverage1m.end = loadavg()[0];

console.log(`\nper test, one worker thread (young generation ${results.plain.youngGenerationMb} MB), ${seeds} seeds each from 1000, median of ${repeat} (CPU-based rates):`);
printTests(results.plain);
console.log(`\npass of 21 tests: ${fmt(results.plain.cpuMsPerPass)} ms CPU (range ${results.plain.cpuMsPerPassRange.map((x) => fmt(x)).join('–')}), ${fmt(results.plain.events, 0)} events, ${fmt(results.plain.usPerEvent, 2)} µs/event, peak RSS ${fmt(results.plain.peakRssMb)} MB`);
const { eventLoop, rpcs } = results.floor;
console.log(`floor: the bare event loop, ${eventLoop.events} events: ${fmt(eventLoop.cpuMs)} ms (${fmt(eventLoop.usPerEvent, 2)} µs/event); the bare network, ${rpcs.rpcs} RPCs: ${fmt(rpcs.cpuMs)} ms (${fmt(rpcs.usPerRpc, 2)} µs/RPC)`);
for (const mode of ['plain', 'strict', 'determinism']) {
  if (results[mode].failed > 0) console.log(`WARNING: ${results[mode].failed} ${mode} runs failed; their figures are not a passing run's`);
}
console.log(`strict (-r): ${fmt(results.strict.cpuMsPerPass)} ms CPU per pass, ${fmt(results.strict.overhead, 2)}× plain`);
console.log(`--check-determinism: ${fmt(results.determinism.cpuMsPerPass)} ms CPU per pass, ${fmt(results.determinism.overhead, 2)}× plain`);
for (const s of results.seedCommand ?? []) {
  console.log(`seed command -p ${s.workers} -n ${seedCommandRuns}: ${fmt(s.wallS, 2)} s wall (range ${s.wallSRange.map((x) => fmt(x, 2)).join('–')}), ${fmt(s.cpuS, 2)} s CPU, peak RSS ${fmt(s.peakRssMb)} MB`);
}
if (results.perWorkerRssMb !== undefined) console.log(`peak RSS added per worker (-p 1 → -p 4): ${fmt(results.perWorkerRssMb)} MB; at -p 16 (-n 20): ${fmt(results.peakRssMbAt16)} MB in all`);
console.log(`first run at -p 4: ${fmt(results.startup.firstRunMs, 0)} ms after the pool is made (range ${results.startup.firstRunMsRange.map((x) => fmt(x, 0)).join('–')}), ${fmt(results.startup.firstRunSinceProcessStartMs, 0)} ms after the process started`);
const { cli } = results.startup;
console.log(`  through the command line: ${fmt(cli.firstRunSinceProcessStartMs, 0)} ms after the process started (range ${cli.firstRunSinceProcessStartMsRange.map((x) => fmt(x, 0)).join('–')}); the whole command (-n 4) ${fmt(cli.commandSinceProcessStartMs, 0)} ms`);
console.log(`load average (1 min) at start ${fmt(results.loadAverage1m.start, 2)}, at end ${fmt(results.loadAverage1m.end, 2)} on ${cpus().length} cores`);

mkdirSync(dirname(values.save), { recursive: true });
writeFileSync(values.save, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nresults saved to ${values.save}`);

if (values['write-baseline']) {
  writeFileSync(values.baseline, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`baseline written to ${values.baseline}`);
} else {
  let baseline;
  try {
    baseline = JSON.parse(readFileSync(values.baseline, 'utf8'));
  } catch (error) {
    console.log(`no baseline to compare with (${error.code ?? error.message})`);
  }
  if (baseline !== undefined) {
    console.log(`\nagainst the baseline (${baseline.label ?? baseline.date}; a ratio above 1 is slower or bigger):`);
    for (const row of compare(baseline, results)) {
      console.log(`  ${row.name.padEnd(38)} ${fmt(row.baseline, 2).padStart(10)} → ${fmt(row.current, 2).padStart(10)}   ${row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`}`);
    }
    console.log('\ntargets:');
    for (const t of checkTargets(baseline, results)) {
      console.log(`  ${t.met === undefined ? 'not measured' : t.met ? 'met    ' : 'NOT met'}  ${t.target} (${fmt(t.value, 2)})`);
    }
  }
}
