/**
 * How the pool's threads load their worker module. Piscina require()s the
 * file it is given; on Node 20.19+ require() of an ES module can race an
 * import() of it and abort the process (issue 11, item 12). The pool hands
 * piscina a CommonJS entry instead, which import()s the worker module.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool, WORKER_ENTRY, type RunPool } from '../../src/runner/pool.js';
import { DEFAULT_RUN_SETTINGS } from '../../src/runner/settings.js';

let pool: RunPool | undefined;
afterEach(async () => {
  await pool?.destroy();
  pool = undefined;
});

describe.runIf(existsSync(WORKER_ENTRY))('the worker entry (built)', () => {
  it('is CommonJS: it loads where require() of ES modules is turned off, and exports the task function', async () => {
    const script = `const run = require(${JSON.stringify(fileURLToPath(WORKER_ENTRY))}); process.stdout.write(typeof run);`;
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, ['--no-experimental-require-module', '-e', script], (error, out, err) => done({ code: error === null ? 0 : Number(error.code), stdout: out, stderr: err }));
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('function');
  });

  it('brings the worker module in with import(), never through require()', async () => {
    pool = createPool({ workers: 1, workerFile: new URL('./fixtures/load-stack-worker.mjs', import.meta.url) });
    const result = await pool.run({ test: 'X', k: 0, seed: 0, settings: DEFAULT_RUN_SETTINGS });
    const loadStack = result.log.join('\n');
    expect(loadStack).toContain('load-stack-worker.mjs');
    expect(loadStack).not.toMatch(/ForRequire|loadESMFromCJS|cjs\/loader/);
  });
});
