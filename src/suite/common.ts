/**
 * The tester allows an election to take a full second, far more than the
 * paper's 150–300 ms, since a Raft here may send at most ten heartbeats a second.
 */
export const RAFT_ELECTION_TIMEOUT_MS = 1000;
