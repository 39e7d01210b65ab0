import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Generous, because a hang is caught as surely at two minutes as at one, and a
    // 2-core machine loaded to 20 by other work has made a one-second bin test
    // take most of a minute.
    testTimeout: 120_000,
    pool: 'forks',
    // Vitest runs one file at a time on 2 cores by default (cores - 1), yet
    // many files mostly wait: on child processes, on commands that sleep, on
    // time limits. Three at once keeps both cores busy while they do; no test
    // depends on how fast the machine is, so more contention costs only time.
    maxWorkers: 3,
    minWorkers: 1,
  },
});
