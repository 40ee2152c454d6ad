// Worker-thread entry: scans the files the pool sends it with the rules it was started with,
// and posts each file's outcome back. Bugs are posted as errors; data problems are values.

import { parentPort, workerData } from 'node:worker_threads';
import type { Rule } from '../core/index.js';
import type { FileSource } from '../discover/discover.js';
import { buildPrefilter } from '../rules/compile.js';
import type { SourceOptions } from './outcome.js';
import { scanSource } from './scan.js';

const init = workerData as SourceOptions & { readonly rules: Rule[] };
const prefilter = buildPrefilter(init.rules);

parentPort?.on('message', (msg: { id: number; src: FileSource }) => {
  scanSource(msg.src, init, prefilter).then(
    (outcome) => parentPort?.postMessage({ id: msg.id, outcome }),
    (err: unknown) => parentPort?.postMessage({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
