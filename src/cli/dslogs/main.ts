/**
 * The raft-dslogs entry: runs the command on this process's streams and
 * exits with its status. Importing this module runs it; tests use runDslogs.
 */
import { runDslogs } from './command.js';

// A reader that goes away (`raft-dslogs run.log | head`) ends the pipe; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`raft-dslogs: cannot write the output: ${error.message}\n`);
  process.exit(1);
});

try {
  const status = await runDslogs({
    argv: process.argv.slice(2),
    input: process.stdin,
    output: process.stdout,
    errorOutput: process.stderr,
    env: process.env,
  });
  // Let the last writes reach a pipe before exiting.
  process.stdout.write('', () => process.exit(status));
} catch (error) {
  process.stderr.write(`raft-dslogs: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
