/** One log entry. Index 0 holds a sentinel of term 0 that is never applied. */
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

export type Outbound =
  | { to: number; method: 'RequestVote'; args: RequestVoteArgs }
  | { to: number; method: 'AppendEntries'; args: AppendEntriesArgs };
