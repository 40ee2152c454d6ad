#!/usr/bin/env node
// The executable: wires the real process (argv, streams, clock, TTY) into main() and exits
// with its code. Everything testable lives in main.ts.

import { main } from './main.js';
import { processIO } from './process-io.js';

process.exitCode = await main(process.argv.slice(2), processIO());
