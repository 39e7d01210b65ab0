/**
 * One scheduled callback. Events due at one time run in `tieBreak` order,
 * then in scheduling order (`seq`); a clock that draws `tieBreak` at random
 * runs them in a seeded order, as goroutines woken together would run.
 */
export interface SimEvent {
  readonly timeMs: number;
  readonly tieBreak?: number;
  readonly seq: number;
  /** The callback, called with `arg`. */
  readonly fn: (arg: never) => void;
  readonly arg?: unknown;
  /** Cancelled events stay in the heap and are skipped when they surface. */
  cancelled: boolean;
}

/**
 * A binary min-heap ordered by (timeMs, tieBreak, seq). Cancellation is lazy: Raft
 * resets its election timer on every heartbeat, and marking an entry dead is
 * far cheaper than finding and removing it.
 */
export class EventQueue {
  private readonly heap: SimEvent[] = [];
  private live = 0;

  /** Number of events that will still fire. */
  get size(): number {
    return this.live;
  }

  push(event: SimEvent): void {
    const heap = this.heap;
    heap.push(event);
    this.live++;
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = event;
  }

  cancel(event: SimEvent): void {
    if (event.cancelled) return;
    event.cancelled = true;
    this.live--;
  }

  /** Removes and returns the earliest live event, or undefined if none is left. */
  pop(): SimEvent | undefined {
    for (;;) {
      const top = this.popAny();
      if (top === undefined) return undefined;
      if (!top.cancelled) {
        this.live--;
        // Mark it so a later cancel() of an already fired timer is a no-op.
        top.cancelled = true;
        return top;
      }
    }
  }

  /** The earliest live event, left in place. */
  peek(): SimEvent | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.popAny();
    return this.heap[0];
  }

  private popAny(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && before(heap[r]!, heap[l]!) ? r : l;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs;
  const ta = a.tieBreak ?? 0;
  const tb = b.tieBreak ?? 0;
  return ta < tb || (ta === tb && a.seq < b.seq);
}
