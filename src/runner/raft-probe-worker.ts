/**
 * The thread a --raft module is first loaded and probed in (see
 * probeRaftModule in raft-module.ts): whatever the module does while it
 * loads or in make() — spin, call process.exit, allocate without end —
 * happens to this thread, not to the runner.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadRaftFactory, RaftModuleError } from './raft-module.js';

/** What the probe thread says: that it starts on the module, then how that went. */
export type ProbeMessage = { loading: true } | { ok: true } | { refused: string } | { failed: string };

const say = (message: ProbeMessage) => parentPort!.postMessage(message);

say({ loading: true });
try {
  await loadRaftFactory((workerData as { module: string }).module);
  say({ ok: true });
} catch (error) {
  if (error instanceof RaftModuleError) say({ refused: error.message });
  else say({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
