/** One log entry. The log's first slot holds a sentinel for the snapshot's last entry (index 0, term 0 before any), never applied. */
export interface Entry {
  term: number;
  command: unknown;
}

export interface RequestVoteArgs {
  term: number;
  candidateId: number;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface RequestVoteReply {
  term: number;
  voteGranted: boolean;
}

export interface AppendEntriesArgs {
  term: number;
  leaderId: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: Entry[];
  leaderCommit: number;
}

/**
 * On a failed consistency check the follower says where to back up to, so
 * the leader skips a whole conflicting term per round trip instead of one
 * entry: `conflictTerm` is the term of the follower's entry at prevLogIndex
 * (-1 if its log is too short) and `conflictIndex` the first index of that
 * term (or the follower's log length plus one).
 */
export interface AppendEntriesReply {
  term: number;
  success: boolean;
  conflictTerm: number;
  conflictIndex: number;
}

/**
 * A leader sends its whole snapshot in one request (the lab asks for no
 * chunking) to a follower that needs entries the leader has compacted.
 */
export interface InstallSnapshotArgs {
  term: number;
  leaderId: number;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  data: Uint8Array;
}

/**
 * The follower's term. A reply in the leader's own term means the follower
 * now holds everything up to lastIncludedIndex, installed or already committed.
 */
export interface InstallSnapshotReply {
  term: number;
}

export type Outbound =
  | { to: number; method: 'RequestVote'; args: RequestVoteArgs }
  | { to: number; method: 'AppendEntries'; args: AppendEntriesArgs }
  | { to: number; method: 'InstallSnapshot'; args: InstallSnapshotArgs };
