#!/usr/bin/env node
// The executable: wires the real process (argv, streams, clock, TTY) into main() and exits
// with its code. A reader that goes away (`| head`, `| less` quit early, a closed pipe) ends
// the output quietly, like ripgrep: no EPIPE stack, the run's own exit code.

import { main } from './main.js';
import { processIO } from './process-io.js';

process.exitCode = await main(process.argv.slice(2), processIO());
