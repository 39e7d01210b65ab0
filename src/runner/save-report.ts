/**
 * What a run's saves say to the user: a line for its log, and a hint when
 * saving took most of the run's wall time, which is what a Raft that encodes
 * its whole state on every save looks like (each save grows with the log).
 */
import type { SaveTotals } from '../harness/save-meter.js';

/** Saving must take at least this share of a run's wall time for the hint. */
export const HINT_SHARE = 0.5;
/** …and at least this long: a run of a few milliseconds has nothing worth saying. */
export const HINT_MIN_MS = 500;

/** `1.16 GB`, `830 KB`, `12 bytes`: powers of 1024, two or three significant digits. */
export function formatBytes(bytes: number): string {
  const units = ['KB', 'MB', 'GB', 'TB'];
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit += 1;
  } while (value >= 1024 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

/** `14022 saves, 1.16 GB in all`, for the end of a run's log. */
export function savesLine(saves: SaveTotals): string {
  return `${saves.count} ${saves.count === 1 ? 'save' : 'saves'}, ${formatBytes(saves.bytes)} in all`;
}

/** The hint for a run whose saving took most of its wall time, or undefined. */
export function savingHint(run: { wallMs: number; saves?: SaveTotals }): string | undefined {
  const { saves, wallMs } = run;
  if (saves === undefined || saves.ms < HINT_MIN_MS || saves.ms < HINT_SHARE * wallMs) return undefined;
  return (
    `saving state took up to ${seconds(saves.ms)} of this run's ${seconds(wallMs)} (${savesLine(saves)}); ` +
    'a save that encodes the whole state costs more as the log grows, on every save: encode only what changed since the last save ' +
    "(as StateEncoder does in the skeleton 'raft-dstest init' writes), and profile with --cpu-prof <dir>"
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
