import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { main, type CliDeps } from '../../src/cli/main.js';
import type { SignalSource } from '../../src/cli/stress-command.js';
import { fakePool, type Outcome } from '../runner/helpers.js';
import { capture } from './helpers.js';

/**
 * Runs the command line in-process on a pool without threads, with streams
 * that are not terminals, at the local time 2025-06-07 08:09:10, on a
 * machine of two cores.
 */
export async function runCli(argv: string[], outcome?: Outcome, overrides: Partial<CliDeps> = {}) {
  const stdout = capture();
  const stderr = capture();
  const { pool, create } = fakePool(outcome);
  const exits: number[] = [];
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: {},
    isTTY: false,
    now: () => new Date(2025, 5, 7, 8, 9, 10),
    randomSeedBase: () => 5000,
    // -p's default, the same on every machine, so that no test depends on the one it runs on.
    availableParallelism: () => 2,
    signals: new EventEmitter() as SignalSource,
    exit: (c) => exits.push(c),
    createPool: create,
    ...overrides,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text(), pool, exits };
}

/** The table's body rows (header included), as arrays of trimmed cells. */
export function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
}

/**
 * Runs argv (with `-o <outDir>`) and checks it is refused as bad usage: one
 * line on stderr, exit 2, nothing on stdout, no run started, no output directory.
 */
export async function expectUsageError(argv: string[], message: string, outDir: string): Promise<void> {
  const { code, stdout, stderr, pool } = await runCli([...argv, '-o', outDir]);
  expect(stderr).toBe(`raft-dstest: ${message}\n`);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(pool.started).toHaveLength(0);
  expect(existsSync(outDir)).toBe(false);
}

/** Checks a refusal: exit 2, nothing on stdout, one line on stderr, no output directory; returns the line. */
export function expectRefused(exit: { code: number | null; stdout: string; stderr: string }, out: string): string {
  expect(exit.code).toBe(2);
  expect(exit.stdout).toBe('');
  expect(exit.stderr.endsWith('\n')).toBe(true);
  expect(exit.stderr.trim().split('\n')).toHaveLength(1);
  expect(existsSync(out)).toBe(false);
  return exit.stderr;
}
