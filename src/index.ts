// The library surface of raft-dstest: the lab interface a Raft implements,
// the reference Raft, and the suite with its runner entry point. A user's
// Raft needs only the types here: `import type { RaftFactory } from 'raft-dstest'`.
export type {
  ApplyMsg,
  ClientEnd,
  LogEntry,
  MakeOptions,
  PeerEnd,
  Persister,
  RaftFactory,
  RaftPeer,
  RaftState,
  RaftView,
  Role,
  StartResult,
} from './raft/types.js';
export type { Clock, Timer } from './sim/clock.js';
export type { Random } from './sim/random.js';
export type { Logger, LogLevel, Topic } from './sim/log.js';
export { reference } from './raft/index.js';
export { REGISTRY, PARTS, findTest, type LabTest, type Part } from './suite/registry.js';
export { runLabTest, type RunOutcome, type RunRequest } from './suite/run-test.js';
