/**
 * Lab tests from outside the registry, loaded from a module at run time.
 * The registry is the only production list; this exists so the project's
 * own tests can run fixture tests (a hang, a crash, an exit) through the
 * real pool and command line. The module exports `tests`, an array of LabTests.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LabTest } from '../suite/registry.js';

/** The environment variable naming the module, read by the command line only. */
export const EXTRA_TESTS_ENV = 'RAFT_DSTEST_EXTRA_TESTS';

const loaded = new Map<string, Promise<readonly LabTest[]>>();

/** A file URL for a path (relative to the working directory) or a URL already. */
export function moduleUrl(pathOrUrl: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl) && !isAbsolute(pathOrUrl) ? pathOrUrl : pathToFileURL(resolve(pathOrUrl)).href;
}

/** The module's tests; each module is imported once per thread. */
export function loadExtraTests(pathOrUrl: string): Promise<readonly LabTest[]> {
  const url = moduleUrl(pathOrUrl);
  let tests = loaded.get(url);
  if (tests === undefined) {
    tests = import(url).then((module: { tests?: unknown }) => {
      if (!Array.isArray(module.tests)) throw new Error(`${url} exports no "tests" array of lab tests`);
      return module.tests as LabTest[];
    });
    loaded.set(url, tests);
  }
  return tests;
}
