/**
 * Measures the wall time a run spends inside the Raft under test: its
 * constructor, Start(), its RPC handlers, its reply callbacks and its timers.
 * Virtual time says nothing about a Raft that burns CPU, so every run reports
 * this figure; with `charge` set (`--charge-cpu`), each stretch is also added
 * to the virtual clock, so that a slow Raft misses its deadlines as it would
 * in Go. Charged runs depend on the machine, so they no longer replay exactly.
 *
 * The wall clock is injected (simulated code never reads it itself). Calls
 * nest: a reply callback that calls back into the harness (apply) runs that
 * part `outside`, and only the outermost stretch is measured and charged.
 */
export class RaftMeter {
  private depth = 0;
  private startedMs = 0;
  private total = 0;

  constructor(
    private readonly readWallMs: () => number,
    private readonly charge?: (ms: number) => void,
  ) {}

  /** Wall milliseconds spent inside the Raft so far. */
  get totalMs(): number {
    return this.total;
  }

  get charging(): boolean {
    return this.charge !== undefined;
  }

  /** Whether a call into the Raft is running now, and not harness work it called into. */
  get running(): boolean {
    return this.depth > 0;
  }

  /** While the Raft runs: the wall ms at which it started, or came back from harness work. */
  get resumedAtMs(): number {
    return this.startedMs;
  }

  /** Runs `fn`, a call into the Raft, on the meter. */
  inside<T>(fn: () => T): T {
    return this.insideWith(call, fn);
  }

  /**
   * `inside(() => fn(arg, extra))` without the closure: the calls a run
   * makes on every event (timers, handlers, replies) come through here, and
   * a closure each is garbage the collector pays for.
   */
  insideWith<A, T, B = undefined>(fn: (arg: A, extra: B) => T, arg: A, extra?: B): T {
    if (this.depth++ === 0) this.startedMs = this.readWallMs();
    try {
      return fn(arg, extra as B);
    } finally {
      if (--this.depth === 0) this.stop();
    }
  }

  /** Runs `fn`, harness work the Raft calls into (an apply, a check), off the meter. */
  outside<T>(fn: () => T): T {
    return this.outsideWith(call, fn);
  }

  /** `outside(() => fn(arg))` without the closure, as insideWith. */
  outsideWith<A, T>(fn: (arg: A) => T, arg: A): T {
    if (this.depth === 0) return fn(arg);
    const depth = this.depth;
    this.depth = 0;
    this.stop();
    try {
      return fn(arg);
    } finally {
      this.depth = depth;
      this.startedMs = this.readWallMs();
    }
  }

  private stop(): void {
    const ms = Math.max(0, this.readWallMs() - this.startedMs);
    this.total += ms;
    this.charge?.(ms);
  }
}

function call<T>(fn: () => T): T {
  return fn();
}
