/** What an empty StoredBytes reads from: every persister starts with two, and a typed array costs far more to make than an object. */
const NO_BYTES = new Uint8Array(0);

/**
 * One blob a persister keeps: its bytes are the first `length` of `store`.
 * A write copies into the same store while it is big enough and not shared,
 * so that a peer saving its whole state thousands of times a run (the churn
 * tests) does not allocate, and leave the collector, a buffer per save.
 */
export class StoredBytes {
  /** Empty at first: the shared NO_BYTES, never written to, as any write that has bytes needs a store of its own. */
  private store: Uint8Array = NO_BYTES;
  /** Bytes in use at the start of `store`. */
  length = 0;
  /** Another StoredBytes reads the same store: the next write must go to a new one. */
  private shared = false;

  write(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.shared || n > this.store.length) {
      // Room to grow, so a state that grows a little with each save is not copied to a new store each time.
      this.store = new Uint8Array(n + (n >> 1));
      this.shared = false;
    }
    this.store.set(bytes);
    this.length = n;
  }

  read(): Uint8Array {
    return this.store.slice(0, this.length);
  }

  /** Bytes the same as these, sharing the store until either of the two writes. */
  share(): StoredBytes {
    const other = new StoredBytes();
    other.store = this.store;
    other.length = this.length;
    other.shared = true;
    this.shared = true;
    return other;
  }
}
