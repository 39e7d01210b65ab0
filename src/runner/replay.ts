import { replayFlags, type RunSettings } from './settings.js';

/**
 * The command that runs one run again, with the settings that shaped it and
 * its log, so that a failure can be replayed (and, in simulation, reproduced
 * byte for byte).
 */
export function replayCommand(settings: RunSettings, test: string, seed: number): string {
  const { before, after } = replayFlags(settings);
  const quoted = (words: string[]) => words.map((word, i) => (i % 2 === 1 && (words[i - 1] === '--exec' || words[i - 1] === '--raft') ? shellQuote(word) : word));
  return ['npx', 'raft-dstest', ...quoted(before), test, '--seed', String(seed), '-n', '1', ...after].join(' ');
}

/** Quotes a word for a POSIX shell: single quotes, with each ' written as '\''. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
