// The real process as the CLI sees it (argv aside): streams, cwd, environment, TTYs and the
// clock. Shared by the npm bin (bin.ts) and the single executable's entry (sea.ts).

import type { CliIO } from './context.js';

export function processIO(): CliIO {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    now: () => new Date(),
  };
}
