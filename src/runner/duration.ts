/**
 * Durations as `go test -timeout` takes them: `90s`, `2m`, `1m30s`, `500ms`,
 * `1h`, with a bare number meaning seconds. Zero means no limit, as in Go.
 */

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** The longest delay a Node timer honours (about 24.8 days); longer ones would fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Milliseconds, or undefined when the text is not a duration (or is longer than a timer can wait). */
export function parseDurationMs(text: string): number | undefined {
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // Each part is a number and a unit; `ms` is tried before `m` so that 500ms is not read as 500m and a stray s.
    const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
    ms = 0;
    let parts = 0;
    while (part.lastIndex < text.length) {
      const match = part.exec(text);
      if (match === null) return undefined;
      ms += Number(match[1]) * UNIT_MS[match[2]!]!;
      parts += 1;
    }
    if (parts === 0) return undefined;
  }
  ms = Math.round(ms);
  return Number.isFinite(ms) && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** The shortest plain spelling: `2m`, `90s`, `1.5s`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms < 1000) return `${ms}ms`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}
