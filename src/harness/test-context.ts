import type { RaftFactory } from '../raft/types.js';
import type { World } from '../sim/world.js';
import type { EventTrace } from './event-trace.js';
import type { RaftMeter } from './raft-meter.js';
import type { SaveMeter } from './save-meter.js';
import type { TimelineRecorder } from './timeline-trace.js';

/** The lab's parts: 2A leader election, 2B log replication, 2C persistence, 2D log compaction. */
export type Part = '2A' | '2B' | '2C' | '2D';

/** What a lab test receives: the world it runs in and the Raft under test. */
export interface TestContext {
  readonly world: World;
  readonly raft: RaftFactory;
  /** Strict mode: check the Raft invariants after every event of the cluster. */
  readonly strict?: boolean;
  /** Where the cluster's events go for the determinism check. */
  readonly trace?: EventTrace;
  /** Measures (and with --charge-cpu, charges) the wall time spent inside the Raft. */
  readonly meter?: RaftMeter;
  /** Counts the peers' saves: how many, their bytes, and at most how long they took. */
  readonly saves?: SaveMeter;
  /** Where the cluster's events go for the run's timeline (the HTML report). */
  readonly timeline?: TimelineRecorder;
}

/** One lab test, as the registry lists it. */
export interface LabTest {
  readonly name: string;
  readonly part: Part;
  /**
   * The test's name in the course's 2022 test_test.go when it is not `name`:
   * there `go test -run` cannot find it under this one.
   */
  readonly goName?: string;
  run(t: TestContext): Promise<void>;
}

/** A failed check in a test (Go's t.Fatalf): the message is the lab's own. */
export class TestFailure extends Error {
  override name = 'TestFailure';
}

/** Fails the current test with `message`, as t.Fatalf does. */
export function fatal(message: string): never {
  throw new TestFailure(message);
}
