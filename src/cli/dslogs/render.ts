import type { Topic } from '../../sim/log.js';
import type { LogLine } from './parse.js';

/** Width assumed when the output is not a terminal (a file, a pipe, a test). */
export const DEFAULT_WIDTH = 120;

/** How the printer lays lines out. */
export interface Layout {
  /** Total width in characters. */
  readonly width: number;
  /** Number of peer columns, or undefined for one event per row. */
  readonly columns: number | undefined;
  readonly color: boolean;
}

/**
 * SGR parameters per topic, from the 16-colour set so they read on dark and
 * light terminals alike. Noisy topics (timers, traces) are dimmed so that the
 * protocol's milestones stand out; the harness and errors are bold.
 */
const PALETTE: Readonly<Record<Topic, string>> = {
  TIMR: '90',
  VOTE: '96',
  LEAD: '93',
  TERM: '92',
  LOG1: '94',
  LOG2: '34',
  CMIT: '35',
  PERS: '33',
  SNAP: '36',
  DROP: '91',
  CLNT: '32',
  TEST: '1;95',
  INFO: '39',
  WARN: '1;33',
  ERRO: '1;31',
  TRCE: '2',
};

const ESC = '\u001b';

/** Wraps text in the topic's colour, resetting after it so padding never carries colour. */
export function paint(text: string, topic: Topic, color: boolean): string {
  return color && text !== '' ? `${ESC}[${PALETTE[topic]}m${text}${ESC}[0m` : text;
}

/**
 * Decides whether to colour. An explicit --color / --no-color wins; then a
 * non-empty NO_COLOR (no-color.org) turns colour off; then FORCE_COLOR turns
 * it on unless it is "0" or "false"; otherwise colour only a real terminal.
 */
export function shouldColor(
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
  isTTY: boolean,
): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

/** Continuation rows hang under the message only if this much room is left for it. */
const MIN_HANGING_ROOM = 12;

/**
 * Breaks text into rows of at most `width` characters, at spaces where it
 * can and mid-word where a word is longer than a row. `prefix` is where the
 * message starts (after time, topic and peer): when the row is wide enough,
 * the first row never breaks before it and later rows are indented to it, so
 * the message reads as one block; in a narrow column rows start at the edge.
 */
export function wrap(text: string, width: number, prefix: number): string[] {
  const hang = width - prefix >= MIN_HANGING_ROOM ? prefix : 0;
  const rows: string[] = [];
  let rest = text;
  for (let first = true; ; first = false) {
    const indent = first ? 0 : hang;
    const room = width - indent;
    if (rest.length <= room) {
      rows.push(' '.repeat(indent) + rest);
      return rows;
    }
    // The first row keeps its prefix and at least a piece of the message;
    // a word too long for any row is cut rather than leaving the prefix alone.
    const earliest = first && hang > 0 ? prefix : 1;
    const space = rest.lastIndexOf(' ', room);
    const cut = space >= earliest ? space : room;
    rows.push(' '.repeat(indent) + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^ +/, '');
    if (rest === '') return rows;
  }
}

/** The text of an event without its peer: what goes into the peer's column. */
function cellText(line: LogLine): string {
  return line.message === '' ? `${line.time} ${line.topic}` : `${line.time} ${line.topic} ${line.message}`;
}

/** Renders one parsed line as the rows to print, without newlines. */
export function renderLine(line: LogLine, layout: Layout): string[] {
  const prefix = line.time.length + line.topic.length + 2;
  const { columns } = layout;
  const { peer } = line;
  if (columns !== undefined && peer !== undefined && peer < columns) {
    const columnWidth = Math.max(1, Math.floor(layout.width / columns));
    // One space between columns, so neighbouring cells never touch.
    const cell = Math.max(1, columnWidth - 1);
    const offset = ' '.repeat(peer * columnWidth);
    return wrap(cellText(line), cell, prefix).map((row) => offset + paint(row, line.topic, layout.color));
  }
  // Full width: harness narration (TEST lines carry no peer), events in row layout, and peers without a column.
  const peerField = peer === undefined ? '' : `S${peer}`;
  const text = cellText({ ...line, message: [peerField, line.message].filter((part) => part !== '').join(' ') });
  const messageStart = peer === undefined ? prefix : prefix + peerField.length + 1;
  return wrap(text, Math.max(1, layout.width), messageStart).map((row) => paint(row, line.topic, layout.color));
}
