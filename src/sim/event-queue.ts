/**
 * Times in the queue are milliseconds times this. The network's delays are
 * multiples of an eighth of a millisecond (HOP_STEP_MS), so a scaled time is
 * a small integer, which V8 keeps in the event itself rather than in a
 * boxed double of its own; scaling by a power of two is exact for any
 * number, so the order of any times, charged ones included, is unchanged.
 */
export const TIME_SCALE = 8;

/**
 * One scheduled callback. Events due at one time run in `tie` order, then in
 * scheduling order (`seq`); a clock that draws `tie` at random runs them in
 * a seeded order, as goroutines woken together would run.
 */
export interface SimEvent {
  /** When the event is due: its time in ms times TIME_SCALE. */
  readonly at: number;
  /** A signed 32-bit integer (a small integer to V8, as `at` is): see tieOf. */
  readonly tie: number;
  readonly seq: number;
  /** The callback, called with `arg`. */
  readonly fn: (arg: never) => void;
  readonly arg?: unknown;
  /** Cancelled events stay in the heap and are skipped when they surface. */
  cancelled: boolean;
}

/** A random 32-bit draw as a tie: the same order as the unsigned draws, in signed 32 bits. */
export function tieOf(uint32: number): number {
  return uint32 ^ 0x80000000;
}

/**
 * A binary min-heap ordered by (at, tie, seq). Cancellation is lazy: Raft
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

  /** Cancels every event and empties the heap, so that it holds on to none of them. */
  clear(): void {
    for (const event of this.heap) event.cancelled = true;
    this.heap.length = 0;
    this.live = 0;
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
  if (a.at !== b.at) return a.at < b.at;
  return a.tie < b.tie || (a.tie === b.tie && a.seq < b.seq);
}
