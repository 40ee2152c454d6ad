#!/usr/bin/env node
// The executable: wires the real process (argv, streams, clock, TTY) into main() and exits
// with its code. Everything testable lives in main.ts.

import { main } from './main.js';

const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  now: () => new Date(),
});
process.exitCode = code;
