import { type Config, SNAPSHOT_INTERVAL, withConfig } from '../harness/config.js';
import { fatal, type LabTest, type TestContext } from '../harness/test-context.js';

/**
 * The largest Raft state a peer may have saved at the checks, in bytes:
 * with snapshots every ten commands, a log that is trimmed stays far below it.
 */
export const MAXLOGSIZE = 2000;

/** Part 2D: log compaction. */
export const part2D: readonly LabTest[] = [
  {
    name: 'TestSnapshotBasic2D',
    part: '2D',
    // Checks that peers keep agreeing while their services snapshot every
    // ten commands, and that snapshots keep the saved state small; every
    // follower keeps up, so no snapshot needs to be sent.
    run: (t) => snapcommon(t, 'Test (2D): snapshots basic', false, true, false),
  },
  {
    name: 'TestSnapshotInstall2D',
    part: '2D',
    // Checks that a follower cut off while the others go on and compact
    // catches up through the leader's snapshot when it comes back.
    run: (t) => snapcommon(t, 'Test (2D): install snapshots (disconnect)', true, true, false),
  },
  {
    name: 'TestSnapshotInstallUnreliable2D',
    part: '2D',
    // Checks the same catching up on an unreliable network, where snapshots
    // and their replies are delayed and lost.
    run: (t) => snapcommon(t, 'Test (2D): install snapshots (disconnect+unreliable)', true, false, false),
  },
  {
    name: 'TestSnapshotInstallCrash2D',
    part: '2D',
    // Checks that a follower that crashes and restarts from its saved
    // snapshot and log tail catches up, through a snapshot if it must.
    run: (t) => snapcommon(t, 'Test (2D): install snapshots (crash)', false, true, true),
  },
  {
    name: 'TestSnapshotInstallUnCrash2D',
    part: '2D',
    // Checks restarts from snapshots on an unreliable network.
    run: (t) => snapcommon(t, 'Test (2D): install snapshots (unreliable+crash)', false, false, true),
  },
  {
    name: 'TestSnapshotAllCrash2D',
    part: '2D',
    // Checks that peers save their snapshots and restart from them with
    // the tail of the log: after every peer crashes at once, the log goes on
    // from where it was.
    run: (t) => withConfig(t, 3, false, snapshotAllCrash, { snapshot: true }),
  },
];

/**
 * The lab's snapCommon: thirty rounds in which a follower (every third round
 * the leader) may be cut off or crashed while the other two take enough
 * commands for a snapshot, after which it rejoins and must catch up.
 */
function snapcommon(t: TestContext, name: string, disconnect: boolean, reliable: boolean, crash: boolean): Promise<void> {
  return withConfig(t, 3, !reliable, (cfg) => snapRounds(cfg, t, name, disconnect, crash), { snapshot: true });
}

/** snapcommon's body, a function of the module so that V8 keeps its feedback and code from run to run. */
async function snapRounds(cfg: Config, t: TestContext, name: string, disconnect: boolean, crash: boolean): Promise<void> {
  const iters = 30;
  const servers = 3;
  const random = t.world.random;
  cfg.begin(name);

  await cfg.one(random.int53(), servers, true);
  let leader1 = await cfg.checkOneLeader();

  for (let i = 0; i < iters; i++) {
    let victim = (leader1 + 1) % servers;
    let sender = leader1;
    if (i % 3 === 1) {
      sender = (leader1 + 1) % servers;
      victim = leader1;
    }

    if (disconnect) {
      cfg.disconnect(victim);
      await cfg.one(random.int53(), servers - 1, true);
    }
    if (crash) {
      cfg.crash1(victim);
      await cfg.one(random.int53(), servers - 1, true);
    }

    // Perhaps send enough to get a snapshot.
    const nn = SNAPSHOT_INTERVAL / 2 + random.int(SNAPSHOT_INTERVAL);
    for (let k = 0; k < nn; k++) cfg.rafts[sender]!.start(random.int53());

    // Let the appliers catch up with the starts. Without a victim, wait
    // for every follower, so that TestSnapshotBasic2D needs no
    // InstallSnapshot.
    if (!disconnect && !crash) await cfg.one(random.int53(), servers, true);
    else await cfg.one(random.int53(), servers - 1, true);

    if (cfg.logSize() >= MAXLOGSIZE) fatal('Log size too large');

    if (disconnect) {
      // A follower that may be behind, and need a snapshot to catch up, comes back.
      cfg.connect(victim);
      await cfg.one(random.int53(), servers, true);
      leader1 = await cfg.checkOneLeader();
    }
    if (crash) {
      cfg.start1(victim);
      cfg.connect(victim);
      await cfg.one(random.int53(), servers, true);
      leader1 = await cfg.checkOneLeader();
    }
  }
  cfg.end();
}

/** TestSnapshotAllCrash2D's body. */
async function snapshotAllCrash(cfg: Config, t: TestContext): Promise<void> {
  const servers = 3;
  const iters = 5;
  const random = t.world.random;
  cfg.begin('Test (2D): crash and restart all servers');

  await cfg.one(random.int53(), servers, true);

  for (let i = 0; i < iters; i++) {
    // Perhaps enough to get a snapshot.
    const nn = SNAPSHOT_INTERVAL / 2 + random.int(SNAPSHOT_INTERVAL);
    for (let k = 0; k < nn; k++) await cfg.one(random.int53(), servers, true);

    const index1 = await cfg.one(random.int53(), servers, true);

    for (let k = 0; k < servers; k++) cfg.crash1(k);
    for (let k = 0; k < servers; k++) {
      cfg.start1(k);
      cfg.connect(k);
    }

    const index2 = await cfg.one(random.int53(), servers, true);
    if (index2 < index1 + 1) fatal(`index decreased from ${index1} to ${index2}`);
  }
  cfg.end();
}
