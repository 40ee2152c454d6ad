// Worker-thread entry: scans the files (or one byte range of a big file) the pool sends it with the
// rules it was started with, and posts each batch's outcomes back (and, when asked, the bytes read
// of a big file as it goes, for the progress line). Bugs are posted as errors; data problems are values.

import { parentPort, workerData } from 'node:worker_threads';
import type { Rule } from '../core/index.js';
import type { FileSource } from '../discover/discover.js';
import { buildPrefilter } from '../rules/compile.js';
import type { FileOutcome, PartTask, SourceOptions } from './outcome.js';
import type { ProgressMessage, ResultMessage } from './pool.js';
import { scanSource } from './scan.js';
import { scanPart } from './split.js';

const init = workerData as SourceOptions & { readonly rules: Rule[] };
const prefilter = buildPrefilter(init.rules);

/** Raw bytes between two progress messages: a big file reports as it goes, a small one not at all. */
const PROGRESS_STEP = 1 << 20;

const fail = (id: number, err: unknown): void => {
  const m: ResultMessage = { id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  parentPort?.postMessage(m);
};

parentPort?.on('message', (msg: { id: number; srcs: FileSource[]; progress?: boolean } | { id: number; part: PartTask }) => {
  if ('part' in msg) {
    scanPart(msg.part, init, prefilter).then(
      (part) => parentPort?.postMessage({ id: msg.id, part } satisfies ResultMessage),
      (err: unknown) => fail(msg.id, err),
    );
    return;
  }
  (async () => {
    const outcomes: FileOutcome[][] = [];
    for (const [k, src] of msg.srcs.entries()) {
      let posted = 0;
      const onBytes = (bytes: number): void => {
        if (bytes - posted < PROGRESS_STEP) return;
        posted = bytes;
        const m: ProgressMessage = { id: msg.id, progress: { k, bytes } };
        parentPort?.postMessage(m);
      };
      outcomes.push(await scanSource(src, init, prefilter, msg.progress ? onBytes : undefined));
    }
    return outcomes;
  })().then(
    (outcomes) => parentPort?.postMessage({ id: msg.id, outcomes } satisfies ResultMessage),
    (err: unknown) => fail(msg.id, err),
  );
});
