// @ts-check
/**
 * The bug gallery: classic Raft bugs from the lab's students' guide and the
 * Raft paper, each one change to the reference Raft, to measure what the
 * suite and strict mode catch (`npm run gallery`; tests/gallery keeps the
 * key catches honest). Adding a bug is one entry in GALLERY.
 *
 * Each bug makes a peer from a factory of correct reference peers and
 * patches it, reaching into the reference peer's driver and core (their
 * private fields are named in src/raft/core.ts and peer.ts); nothing broken
 * lives in src/. Plain JavaScript, so that the runner's worker threads can
 * load a bug as a `--raft` module (bug-raft.mjs) without a build step.
 *
 * @typedef {import('../../src/raft/types.js').RaftFactory} RaftFactory
 * @typedef {import('../../src/raft/types.js').RaftPeer} RaftPeer
 * @typedef {import('../../src/raft/types.js').MakeOptions} MakeOptions
 * @typedef {import('../../src/harness/invariants.js').Invariant} Invariant
 *
 * @typedef {object} Catch What is expected to catch a bug, on one seed, so a test can check it quickly.
 * @property {string} test
 * @property {number} seed
 * @property {Invariant} [invariant] strict mode's invariant, when the catch is strict mode's; else the lab's own check fails
 *
 * @typedef {object} GalleryBug
 * @property {string} id short, unique, kebab-case: the gallery's --bug and the ?bug= of its module
 * @property {string} title the bug as the students' guide or the paper would name it
 * @property {'safety' | 'persistence' | 'liveness' | 'performance'} kind
 * @property {(options: MakeOptions, reference: RaftFactory) => RaftPeer} make makes one peer with the bug
 * @property {readonly Catch[]} catches the catches tests/gallery checks, each on its seed
 * @property {string} [note] why it slips past the suite, where it does; shown in the table
 */

/**
 * A bug that patches the peer's core (and perhaps its driver) right after it is made.
 * @param {(core: any, peer: any) => void} patch
 * @returns {GalleryBug['make']}
 */
function patched(patch) {
  return (options, reference) => {
    const peer = /** @type {any} */ (reference.make(options));
    patch(peer.core, peer);
    return peer;
  };
}

/**
 * Replaces one of the core's methods; `replacement` gets the correct one.
 * @param {any} core
 * @param {string} method
 * @param {(original: any) => any} replacement
 */
function override(core, method, replacement) {
  core[method] = replacement(core[method].bind(core));
}

/** @type {readonly GalleryBug[]} */
export const GALLERY = [
  {
    id: 'no-up-to-date-check',
    title: "vote without the candidate's log up-to-date check (§5.4.1)",
    kind: 'safety',
    make: patched((core) => override(core, 'onRequestVote', (original) => (args) => original({ ...args, lastLogTerm: Number.MAX_SAFE_INTEGER }))),
    catches: [{ test: 'TestFailAgree2B', seed: 0 }, { test: 'TestFailAgree2B', seed: 0, invariant: 'leader completeness' }],
  },
  {
    id: 'voted-for-not-persisted',
    note: 'a lost vote matters only when a restarted peer is asked again in the same term',
    title: 'votedFor not persisted',
    kind: 'persistence',
    make: patched((core) => override(core, 'persistentState', (original) => () => ({ ...original(), votedFor: -1 }))),
    catches: [{ test: 'TestPersist12C', seed: 0, invariant: 'persist before reveal' }],
  },
  {
    id: 'term-not-persisted',
    title: 'currentTerm not persisted',
    kind: 'persistence',
    make: patched((core) => override(core, 'persistentState', (original) => () => ({ ...original(), term: 0 }))),
    catches: [{ test: 'TestPersist22C', seed: 0 }, { test: 'TestPersist12C', seed: 0, invariant: 'persist before reveal' }],
  },
  {
    id: 'log-not-persisted',
    title: 'log not persisted',
    kind: 'persistence',
    make: patched((core) =>
      override(core, 'persistentState', (original) => () => {
        const state = original();
        return { ...state, log: state.log.slice(0, 1), changedFrom: 1 };
      }),
    ),
    catches: [{ test: 'TestPersist12C', seed: 0 }, { test: 'TestPersist12C', seed: 0, invariant: 'persist before reveal' }],
  },
  {
    id: 'no-figure-8-rule',
    title: 'commit an old term by counting replicas (no Figure 8 rule)',
    kind: 'safety',
    make: patched((core) =>
      override(core, 'advanceCommit', () => () => {
        const sorted = [...core.matchIndex].sort((a, b) => b - a);
        const majorityIndex = sorted[Math.floor(core.peerCount / 2)];
        if (majorityIndex > core.commitIndex) core.commitIndex = majorityIndex;
      }),
    ),
    catches: [{ test: 'TestFigure82C', seed: 0 }, { test: 'TestFigure82C', seed: 0, invariant: 'leader completeness' }],
  },
  {
    id: 'truncate-on-match',
    title: 'truncate the log on any matching AppendEntries, late ones too',
    kind: 'safety',
    make: patched((core) =>
      override(core, 'onAppendEntries', (original) => (args) => {
        const log = core.raftLog;
        const matches = args.term >= core.term && args.prevLogIndex <= log.lastIndex && log.term(args.prevLogIndex) === args.prevLogTerm;
        if (matches && args.prevLogIndex < log.lastIndex) {
          log.truncateFrom(args.prevLogIndex + 1);
          core.ready.persist = true;
        }
        return original(args);
      }),
    ),
    catches: [{ test: 'TestUnreliableAgree2C', seed: 0 }, { test: 'TestUnreliableAgree2C', seed: 0, invariant: 'state machine safety' }],
  },
  {
    id: 'stale-replies-accepted',
    note: 'needs a reply from an earlier term to land after the leader has changed its log or its voters',
    title: 'replies to an earlier term accepted as if current',
    kind: 'safety',
    make: patched((core) => {
      override(core, 'onRequestVoteReply', (original) => (from, args, reply) => original(from, { ...args, term: core.term }, reply));
      override(core, 'onAppendEntriesReply', (original) => (from, args, reply) => original(from, { ...args, term: core.term }, reply));
    }),
    catches: [],
  },
  {
    id: 'no-step-down-on-reply',
    title: 'no step-down on a higher term in a reply',
    kind: 'liveness',
    make: patched((core) => {
      override(core, 'onRequestVoteReply', (original) => (from, args, reply) => (reply.term > core.term ? undefined : original(from, args, reply)));
      override(core, 'onAppendEntriesReply', (original) => (from, args, reply) => (reply.term > core.term ? undefined : original(from, args, reply)));
    }),
    catches: [{ test: 'TestReElection2A', seed: 0, invariant: 'term adoption' }],
  },
  {
    id: 'fixed-election-timeout',
    title: 'fixed election timeout (no randomness)',
    kind: 'liveness',
    // The reference draws nothing but its election timeouts from `random`.
    make: (options, reference) => reference.make({ ...options, random: { uint32: () => 0, int: () => 0, int53: () => 0, float: () => 0 } }),
    catches: [{ test: 'TestManyElections2A', seed: 0 }],
  },
  {
    id: 'timer-reset-on-denied-vote',
    title: 'election timer reset on a denied vote',
    kind: 'liveness',
    make: patched((core) =>
      override(core, 'onRequestVote', (original) => (args) => {
        const reply = original(args);
        core.ready.resetElectionTimer = true;
        return reply;
      }),
    ),
    catches: [{ test: 'TestManyElections2A', seed: 0, invariant: 'election timer' }],
  },
  {
    id: 'commit-past-new-entries',
    title: 'follower commitIndex not bounded by the last new entry',
    kind: 'safety',
    make: patched((core) =>
      override(core, 'onAppendEntries', (original) => (args) => {
        const reply = original(args);
        if (reply.success) core.commitIndex = Math.max(core.commitIndex, Math.min(args.leaderCommit, core.raftLog.lastIndex));
        return reply;
      }),
    ),
    catches: [{ test: 'TestRejoin2B', seed: 0 }, { test: 'TestRejoin2B', seed: 0, invariant: 'state machine safety' }],
  },
  {
    id: 'majority-off-by-one',
    title: 'commit majority off by one (half the peers, not more)',
    kind: 'safety',
    make: patched((core) =>
      override(core, 'advanceCommit', () => () => {
        const sorted = [...core.matchIndex].sort((a, b) => b - a);
        const halfIndex = sorted[Math.floor(core.peerCount / 2) - 1];
        if (halfIndex > core.commitIndex && core.raftLog.term(halfIndex) === core.term) core.commitIndex = halfIndex;
      }),
    ),
    catches: [{ test: 'TestFailNoAgree2B', seed: 0 }, { test: 'TestFailNoAgree2B', seed: 0, invariant: 'committed on a majority' }],
  },
  {
    id: 'no-idle-heartbeats',
    title: 'no heartbeats while idle (AppendEntries only with entries)',
    kind: 'liveness',
    make: patched((core) =>
      override(core, 'heartbeatTimeout', () => () => {
        if (core.role !== 'leader') return;
        for (let to = 0; to < core.peerCount; to++) {
          if (to !== core.id && core.nextIndex[to] <= core.raftLog.lastIndex) core.sendAppend(to, true);
        }
      }),
    ),
    catches: [{ test: 'TestBasicAgree2B', seed: 0 }],
  },
  {
    id: 'match-from-next-index',
    title: 'matchIndex set from the log at reply time, not from the request',
    kind: 'safety',
    make: patched((core) =>
      override(core, 'onAppendEntriesReply', (original) => (from, args, reply) => {
        original(from, args, reply);
        if (reply.success && core.role === 'leader' && args.term === core.term) {
          core.nextIndex[from] = core.raftLog.lastIndex + 1;
          core.matchIndex[from] = core.raftLog.lastIndex;
          core.advanceCommit();
        }
      }),
    ),
    catches: [{ test: 'TestRejoin2B', seed: 0 }],
  },
  {
    id: 'last-applied-restored',
    title: 'lastApplied (and commitIndex) restored as the persisted log length on restart',
    kind: 'safety',
    make: patched((core) => {
      // As if the peer had saved them and took the whole log for applied.
      core.commitIndex = core.raftLog.lastIndex;
      core.lastApplied = core.raftLog.lastIndex;
    }),
    catches: [{ test: 'TestFigure82C', seed: 0 }, { test: 'TestPersist12C', seed: 0, invariant: 'monotonic' }],
  },
  {
    id: 'slow-backoff',
    title: 'slow backoff: nextIndex back one entry per heartbeat',
    kind: 'performance',
    make: patched((core) => {
      override(core, 'onAppendEntries', (original) => (args) => {
        const reply = original(args);
        return reply.success ? reply : { ...reply, conflictTerm: -1, conflictIndex: args.prevLogIndex };
      });
      override(core, 'onAppendEntriesReply', (original) => (from, args, reply) => {
        original(from, args, reply);
        // Retry only when the next heartbeat fires, as a ticker-driven leader does.
        if (!reply.success) core.ready.replicate = false;
      });
    }),
    catches: [{ test: 'TestFigure8Unreliable2C', seed: 0 }],
  },
  {
    id: 'commit-index-goes-down',
    note: 'this core then applies the entries again; only the 2D applier, which wants each index right after the last, sees that',
    title: 'commit index taken from a late request, going down',
    kind: 'safety',
    make: patched((core) =>
      override(core, 'onAppendEntries', (original) => (args) => {
        const reply = original(args);
        if (reply.success) core.commitIndex = Math.min(args.leaderCommit, args.prevLogIndex + args.entries.length);
        return reply;
      }),
    ),
    catches: [{ test: 'TestSnapshotInstallUnreliable2D', seed: 17 }, { test: 'TestPersist32C', seed: 0, invariant: 'monotonic' }],
  },
  {
    id: 'snapshot-after-entries',
    title: "part 2D: a leader's snapshot handed to the service after the entries that follow it (two goroutines on applyCh)",
    kind: 'safety',
    make: patched((core) => {
      /** @type {any[]} */
      let held = [];
      override(core, 'onInstallSnapshot', (original) => (args) => {
        const reply = original(args);
        held.push(...core.ready.committed.filter((/** @type {any} */ c) => c.kind === 'snapshot'));
        core.ready.committed = core.ready.committed.filter((/** @type {any} */ c) => c.kind !== 'snapshot');
        return reply;
      });
      override(core, 'takeReady', (original) => () => {
        const ready = original();
        if (held.length > 0 && ready.committed.length > 0) {
          ready.committed.push(...held);
          held = [];
        }
        return ready;
      });
    }),
    catches: [{ test: 'TestSnapshotInstall2D', seed: 0 }, { test: 'TestSnapshotInstall2D', seed: 0, invariant: 'monotonic' }],
  },
  {
    id: 'installed-snapshot-not-saved',
    title: 'part 2D: an installed snapshot not saved with the state (SaveRaftState where SaveStateAndSnapshot belongs)',
    kind: 'persistence',
    make: patched((core) =>
      override(core, 'onInstallSnapshot', (original) => (args) => {
        const reply = original(args);
        core.ready.persistSnapshot = false;
        return reply;
      }),
    ),
    catches: [{ test: 'TestSnapshotInstallCrash2D', seed: 1 }, { test: 'TestSnapshotInstallCrash2D', seed: 0, invariant: 'snapshot safety' }],
  },
];

/**
 * @param {string} id
 * @returns {GalleryBug | undefined}
 */
export function findBug(id) {
  return GALLERY.find((bug) => bug.id === id);
}

/**
 * The gallery bug's Raft, made from the given reference factory.
 * @param {GalleryBug} bug
 * @param {RaftFactory} reference
 * @returns {RaftFactory}
 */
export function bugFactory(bug, reference) {
  return { make: (options) => bug.make(options, reference) };
}
