#!/usr/bin/env node
// The launcher: the command line lives in the compiled package (npm run build).
import { run } from '../dist/cli/main.js';

await run();
