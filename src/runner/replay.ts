import { replayFlags, type RunSettings } from './settings.js';
import { shellCommand } from './shell-words.js';

/**
 * The command that runs one run again, with the settings that shaped it and
 * its log, so that a failure can be replayed (and, in simulation, reproduced
 * byte for byte). Every word is quoted for the shell, so that pasting it
 * runs exactly this run, whatever the test's name or the --exec command holds.
 */
export function replayCommand(settings: RunSettings, test: string, seed: number): string {
  const { before, after } = replayFlags(settings);
  // A name that starts with '-' (--exec takes any) would be read as an option: it goes last, after '--'.
  if (test.startsWith('-')) return shellCommand(['npx', 'raft-dstest', ...before, '--seed', String(seed), '-n', '1', ...after, '--', test]);
  return shellCommand(['npx', 'raft-dstest', ...before, test, '--seed', String(seed), '-n', '1', ...after]);
}
