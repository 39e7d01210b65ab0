import type { Persister as PersisterInterface } from '../raft/types.js';

/**
 * Durable state as the lab keeps it: a Raft state blob and a snapshot blob.
 * Saves and reads copy, so a peer never holds a reference into storage.
 */
export class Persister implements PersisterInterface {
  private raftState: Uint8Array = new Uint8Array(0);
  private snapshot: Uint8Array = new Uint8Array(0);

  save(raftState: Uint8Array, snapshot?: Uint8Array): void {
    this.raftState = raftState.slice();
    if (snapshot !== undefined) this.snapshot = snapshot.slice();
  }

  readRaftState(): Uint8Array {
    return this.raftState.slice();
  }

  raftStateSize(): number {
    return this.raftState.length;
  }

  readSnapshot(): Uint8Array {
    return this.snapshot.slice();
  }

  snapshotSize(): number {
    return this.snapshot.length;
  }

  /** A new persister holding the same state; the original may go on changing alone. */
  copy(): Persister {
    const p = new Persister();
    p.raftState = this.raftState;
    p.snapshot = this.snapshot;
    return p;
  }
}
