import { type Config, withConfig } from '../harness/config.js';
import { fatal, type LabTest, type TestContext } from '../harness/test-context.js';
import type { Task } from '../sim/world.js';
import { RAFT_ELECTION_TIMEOUT_MS } from './common.js';

/** Part 2C: persistence. */
export const part2C: readonly LabTest[] = [
  {
    name: 'TestPersist12C',
    part: '2C',
    // Checks that committed entries survive restarts of every peer, of the
    // leader, and of a follower, one after another.
    run: (t) =>
      withConfig(t, 3, false, async (cfg) => {
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
      }),
  },
  {
    name: 'TestPersist22C',
    part: '2C',
    // Checks persistence through five rounds in which a leader's partners
    // crash and restart while different minorities hold the newest entries.
    run: (t) =>
      withConfig(t, 5, false, async (cfg) => {
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
      }),
  },
  {
    name: 'TestPersist32C',
    part: '2C',
    // Checks recovery when a partitioned leader and one follower crash and
    // the leader restarts.
    run: (t) =>
      withConfig(t, 3, false, async (cfg) => {
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
      }),
  },
  {
    name: 'TestFigure82C',
    part: '2C',
    // Checks the scenarios of Figure 8 of the extended Raft paper: leaders
    // take a command and crash, often before committing it, while crashed
    // peers restart to keep a majority; a new leader must not commit an
    // older term's entries by counting replicas.
    run: (t) =>
      withConfig(t, 5, false, async (cfg) => {
        const servers = 5;
        const random = t.world.random;
        cfg.begin('Test (2C): Figure 8');
        await cfg.one(random.int53(), 1, true);

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

        for (let i = 0; i < servers; i++) {
          if (cfg.rafts[i] === undefined) {
            cfg.start1(i);
            cfg.connect(i);
          }
        }
        await cfg.one(random.int53(), servers, true);
        cfg.end();
      }),
  },
  {
    name: 'TestUnreliableAgree2C',
    part: '2C',
    // Checks that agreement makes progress on an unreliable network with
    // many clients submitting at once.
    run: (t) =>
      withConfig(t, 5, true, async (cfg) => {
        const servers = 5;
        cfg.begin('Test (2C): unreliable agreement');
        const clients: Task<number>[] = [];
        for (let iters = 1; iters < 50; iters++) {
          for (let j = 0; j < 4; j++) {
            clients.push(t.world.spawn(`one(${100 * iters + j})`, () => cfg.one(100 * iters + j, 1, true)));
          }
          await cfg.one(iters, 1, true);
        }

        cfg.setUnreliable(false);
        for (const client of clients) await t.world.join(client);

        await cfg.one(100, servers, true);
        cfg.end();
      }),
  },
  {
    name: 'TestFigure8Unreliable2C',
    part: '2C',
    // Checks Figure 8 on an unreliable network with long reordering: leaders
    // are cut off rather than crashed, and replies arrive very late.
    run: (t) =>
      withConfig(t, 5, true, async (cfg) => {
        const servers = 5;
        const random = t.world.random;
        cfg.begin('Test (2C): Figure 8 (unreliable)');
        await cfg.one(random.int(10000), 1, true);

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

        for (let i = 0; i < servers; i++) {
          if (!cfg.connected[i]) cfg.connect(i);
        }
        await cfg.one(random.int(10000), servers, true);
        cfg.end();
      }),
  },
  {
    name: 'TestReliableChurn2C',
    part: '2C',
    // Checks that every value a client saw commit is in the final log while
    // peers are cut off, crashed and restarted at random on a reliable network.
    run: (t) => churn(t, false),
  },
  {
    name: 'TestUnreliableChurn2C',
    part: '2C',
    // Checks the same as the reliable churn test, on an unreliable network.
    run: (t) => churn(t, true),
  },
];

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

/** The churn tests: three clients submit while peers fail and recover around them. */
function churn(t: TestContext, unreliable: boolean): Promise<void> {
  return withConfig(t, 5, unreliable, async (cfg) => {
    const servers = 5;
    const random = t.world.random;
    cfg.begin(unreliable ? 'Test (2C): unreliable churn' : 'Test (2C): churn');

    const control = { stop: false };
    const ncli = 3;
    const clients: Task<number[]>[] = [];
    for (let i = 0; i < ncli; i++) {
      clients.push(t.world.spawn(`client ${i}`, () => churnClient(t, cfg, i, control)));
    }

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

    await t.world.sleep(RAFT_ELECTION_TIMEOUT_MS);
    cfg.setUnreliable(false);
    for (let i = 0; i < servers; i++) {
      if (cfg.rafts[i] === undefined) cfg.start1(i);
      cfg.connect(i);
    }

    control.stop = true;

    const values: number[] = [];
    for (const client of clients) values.push(...(await t.world.join(client)));

    await t.world.sleep(RAFT_ELECTION_TIMEOUT_MS);

    const lastIndex = await cfg.one(random.int53(), servers, true);

    const really = new Set<number>();
    for (let index = 1; index <= lastIndex; index++) {
      const v = await cfg.wait(index, servers, -1);
      if (typeof v !== 'number') fatal('not an int');
      really.add(v);
    }

    for (const v1 of values) {
      if (!really.has(v1)) fatal("didn't find a value");
    }
    cfg.end();
  });
}

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
      for (const toMs of [10, 20, 50, 100, 200]) {
        const { count, command } = cfg.nCommitted(index);
        if (count > 0) {
          if (typeof command !== 'number') fatal('wrong command type');
          if (command === x) values.push(x);
          break;
        }
        await t.world.sleep(toMs);
      }
    } else {
      await t.world.sleep(79 + me * 17);
    }
  }
  return values;
}
