/**
 * Whether to colour the table and progress: one rule for every command of
 * the tool, so it lives with raft-dslogs' printer and is shared from there.
 * An explicit --color / --no-color wins; then a non-empty NO_COLOR turns
 * colour off; then FORCE_COLOR (other than 0 or false) turns it on; else
 * colour only on a terminal (not a `dumb` one), so that CI logs and pipes
 * get plain text.
 */
export { shouldColor } from './dslogs/render.js';

export function red(text: string): string {
  return `\u001b[31m${text}\u001b[39m`;
}
