#!/usr/bin/env node
// Launcher for raft-dslogs: the code lives in dist/ (run `npm run build` first).
import '../dist/cli/dslogs/main.js';
