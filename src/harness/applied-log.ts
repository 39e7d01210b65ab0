/** What no index holds: distinct from every value a service may apply, undefined included. */
const ABSENT: unique symbol = Symbol('absent');

/**
 * What one peer's service has applied, by index (config.go's `logs[i]`, a
 * Go map). The checks read every peer's on each apply and on each poll of
 * the tests, so the indexes a service applies in order (1, 2, 3, ..., or
 * from a snapshot's 0 on) sit in an array; any other index, from a Raft that
 * applies out of order, goes to a Map, as in Go, however far it lies.
 */
export class AppliedLog {
  /** Index k's value at k; only index 0 may be ABSENT. */
  private readonly values: unknown[] = [ABSENT];
  private sparse: Map<number, unknown> | undefined;

  has(index: number): boolean {
    if (this.inDense(index)) return this.values[index] !== ABSENT;
    return this.sparse?.has(index) ?? false;
  }

  get(index: number): unknown {
    if (this.inDense(index)) {
      const value = this.values[index];
      return value === ABSENT ? undefined : value;
    }
    return this.sparse?.get(index);
  }

  set(index: number, value: unknown): void {
    // Within the array, or just past its end.
    if (this.inDense(index) || index === this.values.length) {
      this.values[index] = value;
      this.sparse?.delete(index);
    } else {
      (this.sparse ??= new Map()).set(index, value);
    }
  }

  /** Every index held and its value: the array's in order, then the others in the order they came. */
  *entries(): IterableIterator<[number, unknown]> {
    for (let k = 0; k < this.values.length; k++) if (this.values[k] !== ABSENT) yield [k, this.values[k]];
    if (this.sparse !== undefined) yield* this.sparse.entries();
  }

  private inDense(index: number): boolean {
    return index >= 0 && index < this.values.length && Number.isInteger(index);
  }
}
