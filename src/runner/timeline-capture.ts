/**
 * Which finished runs get a timeline. A run is not recorded while it runs:
 * once it has failed (or, with -a, passed and been kept), the runner replays
 * it from its seed with the timeline recorder on, which the simulator makes
 * the very same run. So a passing run whose log is not kept pays nothing,
 * and each kept run pays one more run.
 */
import type { Timeline } from '../harness/timeline.js';
import type { RunResult } from './protocol.js';
import type { RunMode } from './settings.js';

/** Failing runs whose timelines a stress run records (and an HTML report shows). */
export const FAILED_TIMELINES_MAX = 20;
/** Kept passing runs (-a) whose timelines a stress run records. */
export const ARCHIVED_TIMELINES_MAX = 5;

export class TimelineCapture {
  private failed = 0;
  private passed = 0;

  /** `chargedCpu`: the runs' virtual time includes the machine's (--charge-cpu), so a seed does not replay them. */
  constructor(
    private readonly mode: RunMode,
    private readonly chargedCpu = false,
  ) {}

  /**
   * Whether to replay this finished run for its timeline; counts it if so.
   * Only the simulator replays a seed (and not when it charges CPU time),
   * only kept runs are worth it, and a run its worker never finished (a
   * timeout, a crash) would only do the same again.
   */
  take(result: RunResult, kept: boolean): boolean {
    if (this.mode !== 'sim' || this.chargedCpu || !kept || result.simMs === undefined) return false;
    if (!result.passed) {
      if (this.failed >= FAILED_TIMELINES_MAX) return false;
      this.failed += 1;
      return true;
    }
    if (this.passed >= ARCHIVED_TIMELINES_MAX) return false;
    this.passed += 1;
    return true;
  }
}

/**
 * The timeline a replay recorded, noting where the replay did not end as
 * the run did (a Raft that is not a function of its seed): the reader
 * should know the picture is of the replay.
 */
export function replayTimeline(run: RunResult, replay: RunResult): Timeline | undefined {
  if (replay.timeline === undefined) return undefined;
  if (replay.passed === run.passed && replay.error === run.error) return replay.timeline;
  const ending = (result: RunResult) => (result.passed ? 'passed' : `failed: ${result.error?.split('\n')[0] ?? 'no error given'}`);
  const note = `The replay of this seed did not end as the run did (the run ${ending(run)}; the replay ${ending(replay)}). The timeline shows the replay.`;
  return { ...replay.timeline, note: replay.timeline.note === undefined ? note : `${note} ${replay.timeline.note}` };
}
