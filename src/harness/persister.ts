import type { Persister as PersisterInterface } from '../raft/types.js';
import { StoredBytes } from './stored-bytes.js';

/**
 * Durable state as the lab keeps it: a Raft state blob and a snapshot blob.
 * Saves and reads copy, so a peer never holds a reference into storage.
 */
export class Persister implements PersisterInterface {
  /** Empty at first; a copy is made with the stores of the persister it copies, so that it makes none of its own to drop. */
  constructor(
    private raftState = new StoredBytes(),
    private snapshot = new StoredBytes(),
  ) {}

  save(raftState: Uint8Array, snapshot?: Uint8Array): void {
    this.raftState.write(raftState);
    if (snapshot !== undefined) this.snapshot.write(snapshot);
  }

  readRaftState(): Uint8Array {
    return this.raftState.read();
  }

  raftStateSize(): number {
    return this.raftState.length;
  }

  readSnapshot(): Uint8Array {
    return this.snapshot.read();
  }

  snapshotSize(): number {
    return this.snapshot.length;
  }

  /** A new persister holding the same state; the original may go on changing alone. */
  copy(): Persister {
    return new Persister(this.raftState.share(), this.snapshot.share());
  }
}
