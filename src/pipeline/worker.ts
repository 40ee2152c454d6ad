// Worker-thread entry: scans the files the pool sends it with the rules it was started with,
// and posts each batch's outcomes back. Bugs are posted as errors; data problems are values.

import { parentPort, workerData } from 'node:worker_threads';
import type { Rule } from '../core/index.js';
import type { FileSource } from '../discover/discover.js';
import { buildPrefilter } from '../rules/compile.js';
import type { FileOutcome, SourceOptions } from './outcome.js';
import { scanSource } from './scan.js';

const init = workerData as SourceOptions & { readonly rules: Rule[] };
const prefilter = buildPrefilter(init.rules);

parentPort?.on('message', (msg: { id: number; srcs: FileSource[] }) => {
  (async () => {
    const outcomes: FileOutcome[][] = [];
    for (const src of msg.srcs) outcomes.push(await scanSource(src, init, prefilter));
    return outcomes;
  })().then(
    (outcomes) => parentPort?.postMessage({ id: msg.id, outcomes }),
    (err: unknown) => parentPort?.postMessage({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
