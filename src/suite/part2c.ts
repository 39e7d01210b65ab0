import { type Config, withConfig } from '../harness/config.js';
import { fatal, type LabTest, type TestContext } from '../harness/test-context.js';
import type { Random } from '../sim/random.js';
import type { Task } from '../sim/world.js';
import { RAFT_ELECTION_TIMEOUT_MS } from './common.js';

/** Part 2C: persistence. */
export const part2C: readonly LabTest[] = [
  {
    name: 'TestPersist12C',
    part: '2C',
    // Checks that committed entries survive restarts of every peer, of the
    // leader, and of a follower, one after another.
    run: (t) => withConfig(t, 3, false, persist1),
  },
  {
    name: 'TestPersist22C',
    part: '2C',
    // Checks persistence through five rounds in which a leader's partners
    // crash and restart while different minorities hold the newest entries.
    run: (t) => withConfig(t, 5, false, persist2),
  },
  {
    name: 'TestPersist32C',
    part: '2C',
    // Checks recovery when a partitioned leader and one follower crash and
    // the leader restarts.
    run: (t) => withConfig(t, 3, false, persist3),
  },
  {
    name: 'TestFigure82C',
    part: '2C',
    // Checks the scenarios of Figure 8 of the extended Raft paper: leaders
    // take a command and crash, often before committing it, while crashed
    // peers restart to keep a majority; a new leader must not commit an
    // older term's entries by counting replicas.
    run: (t) => withConfig(t, 5, false, figure8),
  },
  {
    name: 'TestUnreliableAgree2C',
    part: '2C',
    // Checks that agreement makes progress on an unreliable network with
    // many clients submitting at once.
    run: (t) => withConfig(t, 5, true, unreliableAgree),
  },
  {
    name: 'TestFigure8Unreliable2C',
    part: '2C',
    // Checks Figure 8 on an unreliable network with long reordering: leaders
    // are cut off rather than crashed, and replies arrive very late.
    run: (t) => withConfig(t, 5, true, figure8Unreliable),
  },
  {
    name: 'TestReliableChurn2C',
    part: '2C',
    // Checks that every value a client saw commit is in the final log while
    // peers are cut off, crashed and restarted at random on a reliable network.
    run: (t) => withConfig(t, 5, false, reliableChurn),
  },
  {
    name: 'TestUnreliableChurn2C',
    part: '2C',
    // Checks the same as the reliable churn test, on an unreliable network.
    run: (t) => withConfig(t, 5, true, unreliableChurn),
  },
];

/** TestPersist12C's body. */
async function persist1(cfg: Config): Promise<void> {
  const servers = 3;
  cfg.begin('Test (2C): basic persistence');
  await cfg.one(11, servers, true);

  // Crash and restart all.
  for (let i = 0; i < servers; i++) cfg.start1(i);
  for (let i = 0; i < servers; i++) {
    cfg.disconnect(i);
    cfg.connect(i);
  }
  await cfg.one(12, servers, true);

  const leader1 = await cfg.checkOneLeader();
  cfg.disconnect(leader1);
  cfg.start1(leader1);
  cfg.connect(leader1);
  await cfg.one(13, servers, true);

  const leader2 = await cfg.checkOneLeader();
  cfg.disconnect(leader2);
  await cfg.one(14, servers - 1, true);
  cfg.start1(leader2);
  cfg.connect(leader2);

  // Wait for leader2 to catch up before the next peer goes down.
  await cfg.wait(4, servers, -1);

  const i3 = ((await cfg.checkOneLeader()) + 1) % servers;
  cfg.disconnect(i3);
  await cfg.one(15, servers - 1, true);
  cfg.start1(i3);
  cfg.connect(i3);

  await cfg.one(16, servers, true);
  cfg.end();
}

/** TestPersist22C's body. */
async function persist2(cfg: Config, t: TestContext): Promise<void> {
  const servers = 5;
  cfg.begin('Test (2C): more persistence');
  let index = 1;
  for (let iters = 0; iters < 5; iters++) {
    await cfg.one(10 + index, servers, true);
    index++;

    const leader1 = await cfg.checkOneLeader();
    cfg.disconnect((leader1 + 1) % servers);
    cfg.disconnect((leader1 + 2) % servers);

    await cfg.one(10 + index, servers - 2, true);
    index++;

    cfg.disconnect((leader1 + 0) % servers);
    cfg.disconnect((leader1 + 3) % servers);
    cfg.disconnect((leader1 + 4) % servers);

    cfg.start1((leader1 + 1) % servers);
    cfg.start1((leader1 + 2) % servers);
    cfg.connect((leader1 + 1) % servers);
    cfg.connect((leader1 + 2) % servers);

    await t.world.sleep(RAFT_ELECTION_TIMEOUT_MS);

    cfg.start1((leader1 + 3) % servers);
    cfg.connect((leader1 + 3) % servers);

    await cfg.one(10 + index, servers - 2, true);
    index++;

    cfg.connect((leader1 + 4) % servers);
    cfg.connect((leader1 + 0) % servers);
  }
  await cfg.one(1000, servers, true);
  cfg.end();
}

/** TestPersist32C's body. */
async function persist3(cfg: Config): Promise<void> {
  const servers = 3;
  cfg.begin('Test (2C): partitioned leader and one follower crash, leader restarts');
  await cfg.one(101, 3, true);

  const leader = await cfg.checkOneLeader();
  cfg.disconnect((leader + 2) % servers);

  await cfg.one(102, 2, true);

  cfg.crash1((leader + 0) % servers);
  cfg.crash1((leader + 1) % servers);
  cfg.connect((leader + 2) % servers);
  cfg.start1((leader + 0) % servers);
  cfg.connect((leader + 0) % servers);

  await cfg.one(103, 2, true);

  cfg.start1((leader + 1) % servers);
  cfg.connect((leader + 1) % servers);

  await cfg.one(104, servers, true);
  cfg.end();
}

/** TestFigure82C's body. */
async function figure8(cfg: Config, t: TestContext): Promise<void> {
  const servers = 5;
  const random = t.world.random;
  cfg.begin('Test (2C): Figure 8');
  await cfg.one(random.int53(), 1, true);

  await figure8Rounds(cfg, t, random, servers);

  for (let i = 0; i < servers; i++) {
    if (cfg.rafts[i] === undefined) {
      cfg.start1(i);
      cfg.connect(i);
    }
  }
  await cfg.one(random.int53(), servers, true);
  cfg.end();
}

/**
 * Figure 8's thousand rounds: the peers that are up take a command, then the
 * leader among them crashes, and crashed peers restart to keep three up.
 * A function of its own, handed all it needs, as the other hot loops of the
 * suite are: V8 optimises a test's body while it runs this loop, and code
 * compiled then has no feedback for the body's code before and after the loop
 * (the code before ran before V8 kept any), so it was thrown away on the next
 * run's first line or at the loop's end, and compiled again in a later run.
 */
async function figure8Rounds(cfg: Config, t: TestContext, random: Random, servers: number): Promise<void> {
  let nup = servers;
  for (let iters = 0; iters < 1000; iters++) {
    let leader = -1;
    for (let i = 0; i < servers; i++) {
      const rf = cfg.rafts[i];
      if (rf !== undefined && rf.start(random.int53()).isLeader) leader = i;
    }

    await sleepBriefly(t);

    if (leader !== -1) {
      cfg.crash1(leader);
      nup -= 1;
    }

    if (nup < 3) {
      const s = random.int(servers);
      if (cfg.rafts[s] === undefined) {
        cfg.start1(s);
        cfg.connect(s);
        nup += 1;
      }
    }
  }
}

/** TestUnreliableAgree2C's body. */
async function unreliableAgree(cfg: Config, t: TestContext): Promise<void> {
  const servers = 5;
  cfg.begin('Test (2C): unreliable agreement');
  const clients: Task<number>[] = [];
  await agreeAmongClients(cfg, t, clients);

  cfg.setUnreliable(false);
  await joinAll(t, clients);

  await cfg.one(100, servers, true);
  cfg.end();
}

/**
 * Forty-nine rounds of agreement, each with four more clients spawned to
 * agree alongside, added to `clients`. A function of its own for the reason
 * figure8Rounds is.
 */
async function agreeAmongClients(cfg: Config, t: TestContext, clients: Task<number>[]): Promise<void> {
  for (let iters = 1; iters < 50; iters++) {
    for (let j = 0; j < 4; j++) {
      clients.push(t.world.spawn(`one(${100 * iters + j})`, () => cfg.one(100 * iters + j, 1, true)));
    }
    await cfg.one(iters, 1, true);
  }
}

/** Waits for every client to finish. A function of its own for the reason figure8Rounds is. */
async function joinAll<T>(t: TestContext, clients: readonly Task<T>[]): Promise<void> {
  for (const client of clients) await t.world.join(client);
}

/** TestFigure8Unreliable2C's body. */
async function figure8Unreliable(cfg: Config, t: TestContext): Promise<void> {
  const servers = 5;
  const random = t.world.random;
  cfg.begin('Test (2C): Figure 8 (unreliable)');
  await cfg.one(random.int(10000), 1, true);

  await figure8UnreliableRounds(cfg, t, random, servers);

  for (let i = 0; i < servers; i++) {
    if (!cfg.connected[i]) cfg.connect(i);
  }
  await cfg.one(random.int(10000), servers, true);
  cfg.end();
}

/**
 * Figure 8 (unreliable)'s thousand rounds: every peer takes a command, the
 * leader among them is sometimes cut off, and peers return to keep three
 * connected; replies are reordered at length from round 200. A function of
 * its own for the reason figure8Rounds is.
 */
async function figure8UnreliableRounds(cfg: Config, t: TestContext, random: Random, servers: number): Promise<void> {
  let nup = servers;
  for (let iters = 0; iters < 1000; iters++) {
    if (iters === 200) cfg.setLongReordering(true);
    let leader = -1;
    for (let i = 0; i < servers; i++) {
      if (cfg.rafts[i]!.start(random.int(10000)).isLeader && cfg.connected[i]) leader = i;
    }

    await sleepBriefly(t);

    if (leader !== -1 && random.int(1000) < RAFT_ELECTION_TIMEOUT_MS / 2) {
      cfg.disconnect(leader);
      nup -= 1;
    }

    if (nup < 3) {
      const s = random.int(servers);
      if (!cfg.connected[s]) {
        cfg.connect(s);
        nup += 1;
      }
    }
  }
}

/**
 * Sleeps as the Figure 8 tests do between rounds: usually under 13 ms,
 * one time in ten up to half an election timeout.
 */
async function sleepBriefly(t: TestContext): Promise<void> {
  const random = t.world.random;
  if (random.int(1000) < 100) {
    await t.world.sleep(random.int(RAFT_ELECTION_TIMEOUT_MS / 2));
  } else {
    await t.world.sleep(random.int(13));
  }
}

/** TestReliableChurn2C's body. */
function reliableChurn(cfg: Config, t: TestContext): Promise<void> {
  return churn(cfg, t, false);
}

/** TestUnreliableChurn2C's body. */
function unreliableChurn(cfg: Config, t: TestContext): Promise<void> {
  return churn(cfg, t, true);
}

/** The churn tests: three clients submit while peers fail and recover around them. */
async function churn(cfg: Config, t: TestContext, unreliable: boolean): Promise<void> {
  const servers = 5;
  const random = t.world.random;
  cfg.begin(unreliable ? 'Test (2C): unreliable churn' : 'Test (2C): churn');

  const control = { stop: false };
  const ncli = 3;
  const clients: Task<number[]>[] = [];
  for (let i = 0; i < ncli; i++) {
    clients.push(t.world.spawn(`client ${i}`, () => churnClient(t, cfg, i, control)));
  }

  await churnRounds(cfg, t, random, servers);

  await t.world.sleep(RAFT_ELECTION_TIMEOUT_MS);
  cfg.setUnreliable(false);
  for (let i = 0; i < servers; i++) {
    if (cfg.rafts[i] === undefined) cfg.start1(i);
    cfg.connect(i);
  }

  control.stop = true;

  const values: number[] = [];
  for (let i = 0; i < clients.length; i++) values.push(...(await t.world.join(clients[i]!)));

  await t.world.sleep(RAFT_ELECTION_TIMEOUT_MS);

  const lastIndex = await cfg.one(random.int53(), servers, true);

  const really = new Set<number>();
  await addCommitted(cfg, servers, lastIndex, really);

  checkAllFound(values, really);
  cfg.end();
}

/**
 * The churn tests' twenty rounds: at random, a peer is cut off, one restarts
 * or reconnects, and one crashes. A function of its own for the reason
 * figure8Rounds is.
 */
async function churnRounds(cfg: Config, t: TestContext, random: Random, servers: number): Promise<void> {
  for (let iters = 0; iters < 20; iters++) {
    if (random.int(1000) < 200) cfg.disconnect(random.int(servers));

    if (random.int(1000) < 500) {
      const i = random.int(servers);
      if (cfg.rafts[i] === undefined) cfg.start1(i);
      cfg.connect(i);
    }

    if (random.int(1000) < 200) {
      const i = random.int(servers);
      if (cfg.rafts[i] !== undefined) cfg.crash1(i);
    }

    // Long enough for a new leader, short enough that the cluster rarely settles.
    await t.world.sleep((RAFT_ELECTION_TIMEOUT_MS * 7) / 10);
  }
}

/**
 * Adds to `really` the value at each index up to lastIndex, once all servers
 * have applied it. A function of its own for the reason figure8Rounds is.
 */
async function addCommitted(cfg: Config, servers: number, lastIndex: number, really: Set<number>): Promise<void> {
  for (let index = 1; index <= lastIndex; index++) {
    const v = await cfg.wait(index, servers, -1);
    if (typeof v !== 'number') fatal('not an int');
    really.add(v);
  }
}

/** Fails unless every value a client saw commit is among those `really` committed. */
function checkAllFound(values: readonly number[], really: ReadonlySet<number>): void {
  // every(), not a loop here: a loop over a few hundred values, once a run,
  // was compiled twice mid-pass (on the fly, then whole) for no gain.
  if (!values.every((v1) => really.has(v1))) fatal("didn't find a value");
}

/**
 * A churn client's sleeps while it polls for its value to commit. Walked by
 * index: a for-of loop with an await inside keeps its iterator, and the
 * code that closes it, in the async function's state, which made the client
 * a third larger for V8 to compile mid-pass (and made an array for each value polled).
 */
const CHURN_POLL_SLEEPS_MS: readonly number[] = [10, 20, 50, 100, 200];

/** One churn client: offers values to every peer and records those it saw commit. */
async function churnClient(t: TestContext, cfg: Config, me: number, control: { stop: boolean }): Promise<number[]> {
  const values: number[] = [];
  while (!control.stop) {
    const x = t.world.random.int53();
    let index = -1;
    let ok = false;
    for (let i = 0; i < cfg.n; i++) {
      const rf = cfg.rafts[i];
      if (rf === undefined) continue;
      const r = rf.start(x);
      if (r.isLeader) {
        ok = true;
        index = r.index;
      }
    }
    if (ok) {
      // Poll with growing sleeps; a value counts only if this client saw it commit.
      for (let k = 0; k < CHURN_POLL_SLEEPS_MS.length; k++) {
        const { count, command } = cfg.nCommitted(index);
        if (count > 0) {
          if (typeof command !== 'number') fatal('wrong command type');
          if (command === x) values.push(x);
          break;
        }
        await t.world.sleep(CHURN_POLL_SLEEPS_MS[k]!);
      }
    } else {
      await t.world.sleep(79 + me * 17);
    }
  }
  return values;
}
