// Part of `npm test`: the HTML report's browser tests drive Debian's Chromium
// (npm downloads no browser), so a fresh machine gets it here, from apt, the
// first time the tests run. Where apt is not there or not allowed (no root,
// no password-free sudo), it says so in one line and the browser tests skip
// with the same advice; RAFT_DSTEST_NO_APT=1 skips the attempt altogether.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromiumPath = process.env.RAFT_DSTEST_CHROMIUM ?? '/usr/bin/chromium';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

function commandExists(name) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

function install() {
  if (process.env.RAFT_DSTEST_NO_APT === '1') return 'RAFT_DSTEST_NO_APT=1 is set';
  if (process.platform !== 'linux' || !commandExists('apt-get')) return 'apt-get is not available here';
  // As root apt-get runs as it is; otherwise only through sudo that asks no password (-n), never a prompt in a test run.
  const prefix = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  if (prefix.length > 0 && !commandExists('sudo')) return 'installing needs root, and there is no sudo';
  const apt = (...args) => (prefix.length === 0 ? run('apt-get', args) : run(prefix[0], [...prefix.slice(1), 'apt-get', ...args]));
  process.stdout.write('npm test: installing Debian\'s chromium package for the browser tests (once)...\n');
  if (!apt('update', '-qq')) return 'apt-get update failed';
  if (!apt('install', '-y', '-qq', 'chromium')) return 'apt-get install chromium failed';
  return existsSync(chromiumPath) ? undefined : `apt-get installed chromium, yet there is none at ${chromiumPath}`;
}

if (!existsSync(chromiumPath)) {
  const why = install();
  if (why !== undefined) {
    process.stdout.write(`npm test: no Chromium at ${chromiumPath} (${why}); the browser tests will be skipped. Install Debian's chromium package or set RAFT_DSTEST_CHROMIUM to a Chromium binary.\n`);
  }
}
