// @ts-check
/**
 * A Raft peer for the MIT 6.824 Raft lab, to be filled in, and the suite to
 * test it with, from the directory where you ran `raft-dstest init`:
 *
 *     npx raft-dstest 2A -n 10 --raft {{raftPath}}
 *
 * As it stands the peer loads, runs and never elects a leader, so the tests
 * fail, each saying why. The parts to write are marked "Your code here",
 * with the lab part they belong to:
 *
 * - 2A, leader election: the election timer, RequestVote, and heartbeats
 *   (AppendEntries without entries) from the leader.
 * - 2B, log replication: start(), AppendEntries carrying entries, the
 *   consistency check, advancing commitIndex, and applying what committed.
 * - 2C, persistence: call persist() whenever currentTerm, votedFor or the
 *   log change. persist() and readPersist() are written, on StateEncoder,
 *   whose saves cost what changed since the last save, not the whole log.
 * - 2D, log compaction: snapshot() discards the log up to an index the
 *   service has saved in a snapshot, so the log is kept from an offset; a
 *   leader sends InstallSnapshot to a follower that needs discarded entries;
 *   the snapshot is saved with the state and handed to the service.
 *
 * The suite runs the whole cluster in one thread on a virtual clock, and
 * relies on these rules (the types are in raft-dstest's RaftPeer and
 * MakeOptions):
 *
 * - Take time only from `clock` and randomness only from `random`. A
 *   setTimeout, Date.now() or Math.random() makes a run impossible to replay
 *   from its seed, and a real timer does not fire in virtual time.
 * - Everything is synchronous: a handler returns its reply, a reply arrives
 *   in a callback. There are no locks and nothing to await.
 * - RPC arguments and replies are plain data (numbers, strings, booleans,
 *   arrays, plain objects, Uint8Array): the network deep-copies them.
 * - Save with persist() before replying to an RPC or sending anything that
 *   depends on the state you saved.
 * - Treat log entries as values: replace an entry, never change one in
 *   place (persist() re-encodes only entries that are new objects).
 * - Apply committed commands in index order, each once. After a restart the
 *   service has already loaded the saved snapshot, so apply from just after it.
 * - After kill(), send nothing, apply nothing and save nothing.
 *
 * With `-r` (strict mode) the suite also checks the Raft invariants after
 * every event, reading this peer through inspect(): keep it in step with
 * the fields you add.
 */

/** @typedef {import('raft-dstest').ApplyMsg} ApplyMsg */
/** @typedef {import('raft-dstest').MakeOptions} MakeOptions */
/** @typedef {import('raft-dstest').RaftPeer} RaftPeer */
/** @typedef {import('raft-dstest').RaftView} RaftView */
/** @typedef {import('raft-dstest').RaftState} RaftState */
/** @typedef {import('raft-dstest').StartResult} StartResult */
/** @typedef {import('raft-dstest').Timer} Timer */

/**
 * One entry of the log.
 * @typedef {object} LogEntry
 * @property {number} term The term in which a leader received the command.
 * @property {unknown} command
 */

/**
 * The messages of the extended Raft paper's Figure 2. Add fields as you
 * need them; they must stay plain data.
 *
 * @typedef {object} RequestVoteArgs
 * @property {number} term The candidate's term.
 * @property {number} candidateId
 * @property {number} lastLogIndex
 * @property {number} lastLogTerm
 *
 * @typedef {object} RequestVoteReply
 * @property {number} term
 * @property {boolean} voteGranted
 *
 * @typedef {object} AppendEntriesArgs
 * @property {number} term The leader's term.
 * @property {number} leaderId
 * @property {number} prevLogIndex
 * @property {number} prevLogTerm
 * @property {LogEntry[]} entries Empty for a heartbeat.
 * @property {number} leaderCommit
 *
 * @typedef {object} AppendEntriesReply
 * @property {number} term
 * @property {boolean} success
 *
 * @typedef {object} InstallSnapshotArgs (2D; Figure 13, without chunks: the whole snapshot at once)
 * @property {number} term The leader's term.
 * @property {number} leaderId
 * @property {number} lastIncludedIndex The last index the snapshot covers.
 * @property {number} lastIncludedTerm The term of that entry.
 * @property {Uint8Array} data The snapshot, as the leader's service made it.
 *
 * @typedef {object} InstallSnapshotReply
 * @property {number} term
 */

/**
 * Encodes the state persist() saves so that a save costs about what changed
 * since the previous save, not the whole log. A peer saves on almost every
 * step (each vote, each entry appended or received), and the churn tests make
 * thousands of saves over logs of thousands of entries: encoding the whole
 * state with JSON.stringify on every save takes time that grows with the log
 * on every save, quadratic over a run, and can cost a run tens of seconds.
 *
 * Each entry is encoded once, as one line of JSON `[term,command]`, and kept
 * in one buffer; a save re-encodes only the entries from the first one that
 * is not the same object as at the previous save, and copies the rest as
 * bytes (one comparison per entry and one copy of the bytes, which the
 * persister makes anyway: far cheaper than encoding). So never change an
 * entry in place: replace it (truncate the log and push new entries), as
 * the paper's "delete the existing entry and all that follow it" does
 * anyway. The saved bytes are a JSON header line, then one line per entry
 * after the snapshot. Measured on a whole Raft written from this skeleton,
 * TestReliableChurn2C took 4.3 s a run saving JSON.stringify of the whole
 * state, 1.3 s with this encoder.
 */
export class StateEncoder {
  constructor() {
    /** @type {LogEntry[]} The entries encoded last time, by position after the snapshot (entry k is log[k + 1]). */
    this.entries = [];
    /** @type {number[]} `ends[k]` is where entry k - 1's bytes end in `body`; `ends[0]` is 0. */
    this.ends = [0];
    this.body = new Uint8Array(4096);
    /** The snapshot index the cached entries follow. */
    this.base = 0;
    this.utf8 = new TextEncoder();
  }

  /**
   * The bytes to save: `header` (any plain data; it must hold
   * lastIncludedIndex, the index of log[0]) and the log after log[0].
   *
   * @param {{ lastIncludedIndex: number } & Record<string, unknown>} header
   * @param {readonly LogEntry[]} log log[0] stands for the snapshot's last entry (or index 0); log[k] has index lastIncludedIndex + k.
   * @returns {Uint8Array}
   */
  encode(header, log) {
    this.rebase(header.lastIncludedIndex);
    let keep = 0;
    const most = Math.min(this.entries.length, log.length - 1);
    while (keep < most && this.entries[keep] === log[keep + 1]) keep++;
    this.entries.length = keep;
    this.ends.length = keep + 1;
    let end = /** @type {number} */ (this.ends[keep]);
    for (let k = keep + 1; k < log.length; k++) {
      const entry = /** @type {LogEntry} */ (log[k]);
      end = this.append(end, this.utf8.encode(`${JSON.stringify([entry.term, entry.command])}\n`));
      this.entries.push(entry);
      this.ends.push(end);
    }
    const head = this.utf8.encode(`${JSON.stringify(header)}\n`);
    const out = new Uint8Array(head.length + end);
    out.set(head, 0);
    out.set(this.body.subarray(0, end), head.length);
    return out;
  }

  /**
   * After a snapshot discards the start of the log, drops the bytes of the
   * entries it covers; the rest keep their encodings.
   *
   * @param {number} lastIncludedIndex
   */
  rebase(lastIncludedIndex) {
    const dropped = lastIncludedIndex - this.base;
    this.base = lastIncludedIndex;
    if (dropped === 0) return;
    if (dropped < 0 || dropped > this.entries.length) {
      this.entries = [];
      this.ends = [0];
      return;
    }
    const shift = /** @type {number} */ (this.ends[dropped]);
    this.body.copyWithin(0, shift, this.ends[this.ends.length - 1]);
    this.entries = this.entries.slice(dropped);
    this.ends = this.ends.slice(dropped).map((end) => end - shift);
  }

  /**
   * Writes `bytes` at `at` in the body, growing it by doubling; returns where they end.
   *
   * @param {number} at
   * @param {Uint8Array} bytes
   */
  append(at, bytes) {
    if (at + bytes.length > this.body.length) {
      const grown = new Uint8Array(Math.max(2 * this.body.length, at + bytes.length));
      grown.set(this.body.subarray(0, at));
      this.body = grown;
    }
    this.body.set(bytes, at);
    return at + bytes.length;
  }
}

/**
 * Reads what StateEncoder wrote: the header, and the log with log[0] a
 * placeholder for the snapshot's last entry (its term from the header's
 * lastIncludedTerm, 0 if it has none).
 *
 * @param {Uint8Array} data
 * @returns {{ header: Record<string, unknown>, log: LogEntry[] }}
 */
export function decodeState(data) {
  const lines = new TextDecoder().decode(data).split('\n');
  lines.pop();
  const header = JSON.parse(/** @type {string} */ (lines[0]));
  /** @type {LogEntry[]} */
  const log = [{ term: Number(header.lastIncludedTerm ?? 0), command: null }];
  for (let k = 1; k < lines.length; k++) {
    const [term, command] = JSON.parse(/** @type {string} */ (lines[k]));
    log.push({ term, command });
  }
  return { header, log };
}

/** How many of its latest changes LogVersions remembers; a reader further behind compares the whole log. */
const LOG_CHANGES_KEPT = 64;

/**
 * Numbers the versions of a log for inspect(), which strict mode (`-r`)
 * calls after every event and at every save: with a version that changes
 * exactly when the log does, and the lowest index each change touched,
 * strict mode compares only the entries that changed, not the whole log.
 * It finds changes by comparing entries by identity with the ones it saw
 * last (the rule StateEncoder relies on too: replace entries, never change
 * one in place), so there is nothing to keep up to date by hand, and no
 * copy of the log: a view that copied the log on every call would cost
 * strict mode a copy per event, several times a plain run.
 */
export class LogVersions {
  constructor() {
    this.version = 0;
    /** @type {LogEntry[]} The entries seen last, by Raft index. */
    this.seen = [];
    this.seenBase = 0;
    /** @type {number[]} For the latest versions, by version modulo LOG_CHANGES_KEPT: the lowest index that change touched. */
    this.changeFrom = [];
  }

  /**
   * The version of `log` now, a new one if it changed since the last call.
   *
   * @param {readonly LogEntry[]} log log[k] has index base + k; log[0] stands for the snapshot's last entry.
   * @param {number} base
   * @returns {number}
   */
  update(log, base) {
    const lastIndex = base + log.length - 1;
    let from = base + 1;
    while (from <= lastIndex && this.seen[from] === log[from - base]) from++;
    // Nothing held changed, nothing was added or removed, and the snapshot stayed: the same version.
    if (from > lastIndex && this.seen.length === lastIndex + 1 && base === this.seenBase) return this.version;
    for (let index = from; index <= lastIndex; index++) this.seen[index] = /** @type {LogEntry} */ (log[index - base]);
    this.seen.length = lastIndex + 1;
    this.seenBase = base;
    this.version++;
    this.changeFrom[this.version % LOG_CHANGES_KEPT] = from;
    return this.version;
  }

  /**
   * The lowest index whose entry may differ from the one it had at `version`.
   *
   * @param {number} version
   * @returns {number}
   */
  changedSince(version) {
    if (!Number.isInteger(version) || version > this.version || version < this.version - LOG_CHANGES_KEPT) return this.seenBase + 1;
    let from = this.seen.length;
    for (let v = version + 1; v <= this.version; v++) from = Math.min(from, /** @type {number} */ (this.changeFrom[v % LOG_CHANGES_KEPT]));
    return from;
  }
}

/**
 * The lab's tester lets a leader send heartbeats at most ten times a second,
 * and expects a new leader within five seconds of losing the old one.
 */
const HEARTBEAT_INTERVAL_MS = 100;
/**
 * Election timeouts are drawn from [min, min + spread): well above the
 * heartbeat interval, so that a live leader keeps followers quiet, and
 * random, so that two candidates rarely split the vote twice in a row.
 */
const ELECTION_TIMEOUT_MIN_MS = 300;
const ELECTION_TIMEOUT_SPREAD_MS = 300;

/** @implements {RaftPeer} */
class Raft {
  /** @param {MakeOptions} options */
  constructor(options) {
    this.peers = options.peers;
    this.me = options.me;
    this.persister = options.persister;
    this.applyMsg = options.apply;
    this.encoder = new StateEncoder();
    this.logVersions = new LogVersions();
    this.clock = options.clock;
    this.random = options.random;
    /** The run's log; `-v` on the command line turns on debug lines, and raft-dslogs reads them. */
    this.logger = options.log;

    // Persistent state (Figure 2): save it with persist() before relying on it.
    this.currentTerm = 0;
    this.votedFor = -1;
    /** @type {LogEntry[]} Index 0 holds a placeholder, so the first real entry has index 1, as in the paper. */
    this.log = [{ term: 0, command: null }];
    // (2D) Once snapshots discard the start of the log, log[0] stands for the
    // snapshot's last entry: keep its index (and term) and translate between
    // Raft indexes and positions in this.log everywhere.
    this.lastIncludedIndex = 0;
    this.lastIncludedTerm = 0;

    // Volatile state (Figure 2).
    this.commitIndex = 0;
    this.lastApplied = 0;
    /** @type {'follower' | 'candidate' | 'leader'} */
    this.role = 'follower';
    this.killed = false;
    /** @type {Timer | undefined} */
    this.electionTimer = undefined;
    /** @type {Timer | undefined} */
    this.heartbeatTimer = undefined;

    /** The RPCs the network delivers to this peer, by name; each returns its reply. */
    this.handlers = {
      RequestVote: (/** @type {RequestVoteArgs} */ args) => this.requestVote(args),
      AppendEntries: (/** @type {AppendEntriesArgs} */ args) => this.appendEntries(args),
      InstallSnapshot: (/** @type {InstallSnapshotArgs} */ args) => this.installSnapshot(args),
    };

    this.readPersist(this.persister.readRaftState());
    // (2D) The service has already restored itself from persister.readSnapshot():
    // set commitIndex and lastApplied to lastIncludedIndex here.
    this.resetElectionTimer();
  }

  /** @returns {RaftState} */
  getState() {
    return { term: this.currentTerm, isLeader: this.role === 'leader' };
  }

  /**
   * A read-only view of this peer for strict mode (`raft-dstest -r`), which
   * reads it after every event to check the Raft invariants getState cannot
   * show (log matching, leader completeness, what each save holds...). It
   * reads the log in place: strict mode uses it at once. Keep it in step with
   * your fields (2D: with lastIncludedIndex/Term); without inspect() strict
   * mode checks less.
   *
   * @returns {RaftView}
   */
  inspect() {
    const log = this.log;
    const base = this.lastIncludedIndex;
    return {
      term: this.currentTerm,
      role: this.role,
      votedFor: this.votedFor,
      commitIndex: this.commitIndex,
      lastApplied: this.lastApplied,
      lastIndex: base + log.length - 1,
      snapshotIndex: base,
      snapshotTerm: this.lastIncludedTerm,
      entry: (index) => /** @type {LogEntry} */ (log[index - base]),
      logVersion: this.logVersions.update(log, base),
      logChangedSince: (version) => this.logVersions.changedSince(version),
    };
  }

  /**
   * Proposes a command. Returns at once: the index it will have if it ever
   * commits, the current term, and whether this peer believes it leads.
   *
   * @param {unknown} command
   * @returns {StartResult}
   */
  start(command) {
    if (this.killed || this.role !== 'leader') return { index: -1, term: this.currentTerm, isLeader: false };
    this.log.push({ term: this.currentTerm, command });
    this.persist();
    // Your code here (2B): send the new entry to the followers.
    return { index: this.log.length - 1, term: this.currentTerm, isLeader: true };
  }

  /**
   * (2D) The service has saved a snapshot of everything through `index`
   * (called from inside your apply, every ten commands in the 2D tests).
   *
   * @param {number} index
   * @param {Uint8Array} snapshot
   */
  snapshot(index, snapshot) {
    if (this.logger.debugOn) this.logger.debug('SNAP', this.me, `service snapshot through ${index} (${snapshot.length} bytes)`);
    // Your code here (2D): discard the log through index, remember
    // lastIncludedIndex/Term and the snapshot (to send to followers), and
    // save both: this.persist(snapshot).
  }

  /**
   * (2D) The service asks this before it installs a snapshot you handed it.
   * The 2022 lab keeps it only for compatibility and advises returning true,
   * handing the service only snapshots it should install.
   *
   * @returns {boolean}
   */
  condInstallSnapshot() {
    return true;
  }

  /** The harness crashes this peer: from now on it must stay silent. */
  kill() {
    this.killed = true;
    this.electionTimer?.cancel();
    this.heartbeatTimer?.cancel();
    // Your code here: cancel any other timer you set.
  }

  /**
   * Saves the state that must survive a crash; call it (2C) whenever
   * currentTerm, votedFor or the log change, before replying to an RPC or
   * sending anything that depends on them. StateEncoder keeps a save's cost
   * to what changed since the last one (never encode the whole log with
   * JSON.stringify on every save: see StateEncoder); the run's log ends with
   * how many saves a run made and how many bytes they held.
   *
   * (2D) Pass the snapshot when it changes: save(state, snapshot) replaces
   * the state and the snapshot together.
   *
   * @param {Uint8Array} [snapshot]
   */
  persist(snapshot) {
    if (this.killed) return;
    const header = {
      currentTerm: this.currentTerm,
      votedFor: this.votedFor,
      lastIncludedIndex: this.lastIncludedIndex,
      lastIncludedTerm: this.lastIncludedTerm,
    };
    const state = this.encoder.encode(header, this.log);
    if (snapshot === undefined) this.persister.save(state);
    else this.persister.save(state, snapshot);
  }

  /**
   * Restores what persist() saved; `data` is empty on a first start.
   *
   * @param {Uint8Array} data
   */
  readPersist(data) {
    if (data.length === 0) return;
    const { header, log } = decodeState(data);
    this.currentTerm = Number(header.currentTerm);
    this.votedFor = Number(header.votedFor);
    this.lastIncludedIndex = Number(header.lastIncludedIndex);
    this.lastIncludedTerm = Number(header.lastIncludedTerm);
    this.log = log;
  }

  /** (Re)starts the election timer with a fresh random timeout. */
  resetElectionTimer() {
    this.electionTimer?.cancel();
    const timeoutMs = ELECTION_TIMEOUT_MIN_MS + this.random.int(ELECTION_TIMEOUT_SPREAD_MS);
    this.electionTimer = this.clock.setTimer(timeoutMs, () => this.onElectionTimeout());
  }

  onElectionTimeout() {
    if (this.killed) return;
    this.resetElectionTimer();
    if (this.role === 'leader') return;
    // Your code here (2A): no leader was heard from in time, so become a
    // candidate: a new term, a vote for yourself (persist both), and a
    // RequestVote to every other peer with sendRequestVote().
  }

  /**
   * @param {RequestVoteArgs} args
   * @returns {RequestVoteReply}
   */
  requestVote(args) {
    if (this.logger.debugOn) this.logger.debug('VOTE', this.me, `RequestVote from S${args.candidateId} for term ${args.term}`);
    // Your code here (2A, 2B): grant the vote if the candidate's term is
    // current, this peer has not voted for another in it, and the
    // candidate's log is at least as up to date (2B). A killed peer refuses.
    return { term: this.currentTerm, voteGranted: false };
  }

  /**
   * @param {AppendEntriesArgs} args
   * @returns {AppendEntriesReply}
   */
  appendEntries(args) {
    if (this.logger.debugOn) this.logger.debug('LOG2', this.me, `AppendEntries from S${args.leaderId} for term ${args.term}`);
    // Your code here (2A): a current leader's heartbeat resets the election
    // timer. (2B): the consistency check on prevLogIndex and prevLogTerm,
    // appending the entries, and following leaderCommit.
    return { term: this.currentTerm, success: false };
  }

  /**
   * (2D) A leader's snapshot, for a follower that lacks entries the leader
   * has discarded.
   *
   * @param {InstallSnapshotArgs} args
   * @returns {InstallSnapshotReply}
   */
  installSnapshot(args) {
    if (this.logger.debugOn) this.logger.debug('SNAP', this.me, `InstallSnapshot through ${args.lastIncludedIndex} from S${args.leaderId}`);
    // Your code here (2D): refuse an older term; install only a snapshot past
    // commitIndex (an older one would move the service back): keep the log
    // after it if the log agrees at lastIncludedIndex, else drop it all;
    // save state and snapshot; then hand it to the service with
    // this.applyMsg({ commandValid: false, command: undefined, commandIndex: 0,
    //   snapshotValid: true, snapshot: args.data, snapshotTerm: args.lastIncludedTerm,
    //   snapshotIndex: args.lastIncludedIndex }).
    return { term: this.currentTerm };
  }

  /**
   * @param {number} server
   * @param {RequestVoteArgs} args
   */
  sendRequestVote(server, args) {
    this.peers[server].call('RequestVote', args, (reply) => {
      // `undefined` means the request or the reply was lost.
      if (this.killed || reply === undefined) return;
      this.onRequestVoteReply(server, args, /** @type {RequestVoteReply} */ (reply));
    });
  }

  /**
   * @param {number} server
   * @param {RequestVoteArgs} args
   * @param {RequestVoteReply} reply
   */
  onRequestVoteReply(server, args, reply) {
    if (this.logger.debugOn) this.logger.debug('VOTE', this.me, `S${server} ${reply.voteGranted ? 'grants' : 'denies'} its vote for term ${args.term}`);
    // Your code here (2A): count the votes; with a majority, become leader
    // and call sendHeartbeats().
  }

  /** Sends a round of heartbeats now, and again every HEARTBEAT_INTERVAL_MS while this peer leads. */
  sendHeartbeats() {
    if (this.killed || this.role !== 'leader') return;
    // Your code here (2A): an AppendEntries to every other peer, with sendAppendEntries().
    this.heartbeatTimer = this.clock.setTimer(HEARTBEAT_INTERVAL_MS, () => this.sendHeartbeats());
  }

  /**
   * @param {number} server
   * @param {AppendEntriesArgs} args
   */
  sendAppendEntries(server, args) {
    this.peers[server].call('AppendEntries', args, (reply) => {
      if (this.killed || reply === undefined) return;
      this.onAppendEntriesReply(server, args, /** @type {AppendEntriesReply} */ (reply));
    });
  }

  /**
   * @param {number} server
   * @param {AppendEntriesArgs} args
   * @param {AppendEntriesReply} reply
   */
  onAppendEntriesReply(server, args, reply) {
    if (this.logger.debugOn) this.logger.debug('LOG1', this.me, `S${server} ${reply.success ? 'accepts' : 'rejects'} entries after ${args.prevLogIndex}`);
    // Your code here (2A): a reply with a higher term means this peer is no
    // longer leader. (2B): on success, advance what S<server> holds and,
    // once a majority holds an entry of the current term, commitIndex; on
    // failure, back up and try again. (2D): when the entries the follower
    // needs are discarded, send InstallSnapshot instead.
  }

  /**
   * Hands every committed entry not yet applied to the service, in index
   * order. Call it when commitIndex grows. (2D): the service may call
   * snapshot() from inside applyMsg; with a trimmed log, find the entry at
   * position lastApplied - lastIncludedIndex.
   */
  applyCommitted() {
    while (!this.killed && this.lastApplied < this.commitIndex) {
      this.lastApplied++;
      this.applyMsg({ commandValid: true, command: this.log[this.lastApplied].command, commandIndex: this.lastApplied });
    }
  }
}

/**
 * The lab's Make: starts a peer and returns it at once; everything it does
 * later happens in timers and RPC callbacks.
 *
 * @param {MakeOptions} options
 * @returns {RaftPeer}
 */
export function make(options) {
  return new Raft(options);
}
