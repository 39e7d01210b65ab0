import { type Config, withConfig } from '../harness/config.js';
import { fatal, type LabTest, type TestContext } from '../harness/test-context.js';
import { RAFT_ELECTION_TIMEOUT_MS } from './common.js';

/** Part 2A: leader election. */
export const part2A: readonly LabTest[] = [
  {
    name: 'TestInitialElection2A',
    part: '2A',
    // Checks that three peers elect one leader, agree on its term, and keep
    // both when nothing fails.
    run: (t) => withConfig(t, 3, false, initialElection),
  },
  {
    name: 'TestReElection2A',
    part: '2A',
    // Checks that a new leader is elected when the leader is cut off, that
    // the old leader's return does not disturb it, and that no leader is
    // elected without a quorum.
    run: (t) => withConfig(t, 3, false, reElection),
  },
  {
    name: 'TestManyElections2A',
    part: '2A',
    // Checks that seven peers keep electing exactly one leader while three
    // random peers at a time are cut off and reconnected.
    run: (t) => withConfig(t, 7, false, manyElections),
  },
];

/** TestInitialElection2A's body. */
async function initialElection(cfg: Config, t: TestContext): Promise<void> {
  cfg.begin('Test (2A): initial election');
  await cfg.checkOneLeader();

  // Give followers a moment to learn of the election, then compare terms.
  await t.world.sleep(50);
  const term1 = cfg.checkTerms();
  if (term1 < 1) fatal(`term is ${term1}, but should be at least 1`);

  await t.world.sleep(2 * RAFT_ELECTION_TIMEOUT_MS);
  const term2 = cfg.checkTerms();
  if (term1 !== term2) t.world.log.test('warning: term changed even though there were no failures');

  await cfg.checkOneLeader();
  cfg.end();
}

/** TestReElection2A's body. */
async function reElection(cfg: Config, t: TestContext): Promise<void> {
  const servers = 3;
  cfg.begin('Test (2A): election after network failure');
  const leader1 = await cfg.checkOneLeader();

  cfg.disconnect(leader1);
  await cfg.checkOneLeader();

  // The old leader rejoins and must step down without unseating the new one.
  cfg.connect(leader1);
  const leader2 = await cfg.checkOneLeader();

  // Without a quorum there must be no new leader.
  cfg.disconnect(leader2);
  cfg.disconnect((leader2 + 1) % servers);
  await t.world.sleep(2 * RAFT_ELECTION_TIMEOUT_MS);
  // The one connected peer must not think it leads.
  cfg.checkNoLeader();

  // A quorum returns and elects a leader.
  cfg.connect((leader2 + 1) % servers);
  await cfg.checkOneLeader();

  // The last peer's return must not leave the cluster leaderless.
  cfg.connect(leader2);
  await cfg.checkOneLeader();
  cfg.end();
}

/** TestManyElections2A's body. */
async function manyElections(cfg: Config, t: TestContext): Promise<void> {
  const servers = 7;
  cfg.begin('Test (2A): multiple elections');
  await cfg.checkOneLeader();

  const iters = 10;
  for (let ii = 1; ii < iters; ii++) {
    const i1 = t.world.random.int(servers);
    const i2 = t.world.random.int(servers);
    const i3 = t.world.random.int(servers);
    cfg.disconnect(i1);
    cfg.disconnect(i2);
    cfg.disconnect(i3);

    // Either the current leader survives or the remaining four elect one.
    await cfg.checkOneLeader();

    cfg.connect(i1);
    cfg.connect(i2);
    cfg.connect(i3);
  }

  await cfg.checkOneLeader();
  cfg.end();
}
