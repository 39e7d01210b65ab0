// The floor under a pass: what the same amount of simulation costs with no
// Raft and no lab test. Prints one JSON line with two figures, each the
// median CPU of `--repeat` tries after a warm-up:
//
//   - eventLoop: the simulator's clock running `--events` events that do
//     nothing but schedule the next (a seeded delay, as the network draws),
//     with about as many timers pending as a 5-peer run keeps, beside a
//     retained heap of `--heap-mb` MB of small objects, so that the
//     collector has as much to walk as in a run;
//   - rpcs: `--rpcs` calls through the lab's network (labrpc: the copy of
//     each request and reply, gob sizes, the hop events, on a reliable
//     network) between five servers whose handlers only answer,
//     RequestVotes and AppendEntries in the pass's proportions, the latter
//     with `--entries` entries.
//
//   node bench/perf/floor.mjs --root <project> --events 28000 --rpcs 12500
import { cpuUsage } from 'node:process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    events: { type: 'string', default: '28000' },
    rpcs: { type: 'string', default: '12500' },
    entries: { type: 'string', default: '4' },
    'heap-mb': { type: 'string', default: '20' },
    repeat: { type: 'string', default: '5' },
  },
});
const root = values.root ?? process.cwd();
const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { SimClock } = await load('sim/sim-clock.js');
const { makeRandom } = await load('sim/random.js');
const { CaptureLog } = await load('sim/log.js');
const { Network, Server } = await load('labrpc/network.js');

const events = Number(values.events);
const rpcs = Number(values.rpcs);
const entriesPerAppend = Number(values.entries);
const repeat = Number(values.repeat);

// A retained heap like a run's: the collector walks it on every full collection.
const retained = [];
for (let i = 0; i < (Number(values['heap-mb']) * 1024 * 1024) / 64; i++) retained.push({ term: i, command: i, next: null });

function cpuMs(fn) {
  const start = cpuUsage();
  fn();
  const used = cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** `n` events on a fresh clock; each schedules one more until n have run, with 16 pending at a time. */
function eventLoop(n) {
  const random = makeRandom(1);
  const clock = new SimClock(random);
  let scheduled = 0;
  const tick = () => {
    if (scheduled < n) {
      scheduled++;
      clock.setTimer(random.int(100), tick);
    }
  };
  for (let i = 0; i < 16; i++) tick();
  let ran = 0;
  while (clock.runNext()) ran++;
  if (ran !== n) throw new Error(`ran ${ran} events, not ${n}`);
}

/** `n` calls through a reliable network of five servers, a fifth of them RequestVotes, each sent when the one before is answered. */
function network(n) {
  const random = makeRandom(2);
  const clock = new SimClock(random);
  const log = new CaptureLog(clock, 'none');
  const net = new Network({ clock, random, log });
  const handlers = {
    RequestVote: (args) => ({ term: args.term, voteGranted: true }),
    AppendEntries: (args) => ({ term: args.term, success: true, conflictTerm: 0, conflictIndex: args.prevLogIndex + args.entries.length }),
  };
  const ends = [];
  for (let i = 0; i < 5; i++) {
    net.addServer(i, new Server(handlers));
    const end = net.makeEnd();
    net.connect(end, i);
    net.enable(end, true);
    ends.push(end);
  }
  let sent = 0;
  let answered = 0;
  const next = () => {
    if (sent >= n) return;
    const k = sent++;
    const end = ends[k % 5];
    const onReply = (reply) => {
      if (reply === undefined) throw new Error('a reliable network lost a call');
      answered++;
      next();
    };
    if (k % 5 === 0) {
      end.call('RequestVote', { term: k, candidateId: k % 5, lastLogIndex: k, lastLogTerm: k >> 4 }, onReply);
    } else {
      const entries = [];
      for (let e = 0; e < entriesPerAppend; e++) entries.push({ term: k >> 4, command: random.int(1_000_000) });
      end.call('AppendEntries', { term: k >> 4, leaderId: 0, prevLogIndex: k, prevLogTerm: k >> 4, entries, leaderCommit: k }, onReply);
    }
  };
  // As many calls in flight as a leader of five keeps.
  for (let i = 0; i < 8; i++) next();
  let ran = 0;
  while (clock.runNext()) ran++;
  if (answered !== n) throw new Error(`answered ${answered} calls, not ${n}`);
  return { events: ran, bytes: net.getTotalBytes() };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
eventLoop(events);
const netStats = network(rpcs);
const loopMs = [];
const netMs = [];
for (let r = 0; r < repeat; r++) {
  loopMs.push(cpuMs(() => eventLoop(events)));
  netMs.push(cpuMs(() => network(rpcs)));
}
console.log(
  JSON.stringify({
    eventLoop: { events, cpuMs: median(loopMs), usPerEvent: (median(loopMs) * 1000) / events, retainedObjects: retained.length },
    rpcs: { rpcs, entriesPerAppend, events: netStats.events, bytes: netStats.bytes, cpuMs: median(netMs), usPerRpc: (median(netMs) * 1000) / rpcs },
  }),
);
