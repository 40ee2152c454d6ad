// The real process as the CLI sees it (argv aside): streams, cwd, environment, TTYs, the
// terminal width and the clock. Shared by the npm bin (bin.ts) and the single executable's
// entry (sea.ts). A reader that goes away (`| head`, `| less` quit early, a closed pipe) ends
// the output quietly, like ripgrep: no EPIPE stack, the run keeps its own exit code.

import type { CliIO } from './context.js';

export function processIO(): CliIO {
  let stdoutClosed = false;
  let stderrClosed = false;
  const quietOnEpipe = (mark: () => void) => (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      mark();
      return;
    }
    throw err;
  };
  process.stdout.on(
    'error',
    quietOnEpipe(() => (stdoutClosed = true)),
  );
  process.stderr.on(
    'error',
    quietOnEpipe(() => (stderrClosed = true)),
  );
  return {
    stdout: (s) => {
      if (!stdoutClosed) process.stdout.write(s);
    },
    stderr: (s) => {
      if (!stderrClosed) process.stderr.write(s);
    },
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
    now: () => new Date(),
  };
}
