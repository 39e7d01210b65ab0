// The library surface of raft-dstest: the lab interface a Raft implements,
// the reference Raft, and the suite with its runner entry point.
export type {
  ApplyMsg,
  MakeOptions,
  PeerEnd,
  Persister,
  RaftFactory,
  RaftPeer,
  RaftState,
  RaftView,
  LogEntry,
  Role,
  StartResult,
} from './raft/types.js';
export { reference } from './raft/index.js';
export { REGISTRY, PARTS, findTest, type LabTest, type Part } from './suite/registry.js';
export { runLabTest, type RunOutcome, type RunRequest } from './suite/run-test.js';
export type { LogLevel } from './sim/log.js';
