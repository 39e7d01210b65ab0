#!/usr/bin/env node
// The launcher: the command line lives in the compiled package (npm run build),
// bundled into a few files that load faster than the modules tsc writes.
import { run } from '../dist/bundle/cli.js';

await run();
