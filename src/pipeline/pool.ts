// Worker-thread pool for scanning files in parallel: each worker receives the compiled rules
// once, then batches of files (many small files per message: a message per 4 KiB file costs
// more than scanning it), and posts back each file's outcomes. The caller orders the results,
// so output does not depend on the number of workers.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileSource } from '../discover/discover.js';
import { embeddedFiles, packageRoot } from '../core/package.js';
import type { FileOutcome, PartResult, PartTask, SourceOptions } from './outcome.js';

export interface Pool {
  readonly size: number;
  /**
   * Scans the files in order on one worker; one outcome list per file. `onBytes` hears the raw
   * bytes read of the file at index k (posted by the worker every PROGRESS_STEP bytes).
   */
  run(srcs: readonly FileSource[], onBytes?: (k: number, bytes: number) => void): Promise<FileOutcome[][]>;
  /** Scans one byte range of a big file (pipeline/split.ts) on the next free worker. */
  runPart(part: PartTask): Promise<PartResult>;
  close(): Promise<void>;
}

/**
 * The worker script: the source built into the single executable, worker.cjs beside a CommonJS
 * bundle, worker.js beside this module in dist/, or dist/ when running from sources (tests).
 */
export function workerScript(): URL | { readonly source: string } | undefined {
  const source = embeddedFiles()?.workerSource;
  if (source !== undefined) return { source };
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.cjs')) return new URL('./worker.cjs', import.meta.url);
  if (self.endsWith('.js')) return new URL('./worker.js', import.meta.url);
  const built = path.join(packageRoot(), 'dist', 'src', 'pipeline', 'worker.js');
  return existsSync(built) ? pathToFileURL(built) : undefined;
}

type Task = {
  readonly id: number;
  readonly reject: (e: Error) => void;
} & (
  | {
      readonly srcs: readonly FileSource[];
      readonly resolve: (o: FileOutcome[][]) => void;
      readonly onBytes: ((k: number, bytes: number) => void) | undefined;
    }
  | { readonly part: PartTask; readonly resolvePart: (r: PartResult) => void }
);

/** A worker's answer: a batch's outcomes, a part's result, or the error that stopped it. */
export interface ResultMessage {
  readonly id: number;
  readonly outcomes?: FileOutcome[][];
  readonly part?: PartResult;
  readonly error?: string;
}

/** A worker's progress message: raw bytes read so far of the file at index k of its batch. */
export interface ProgressMessage {
  readonly id: number;
  readonly progress: { readonly k: number; readonly bytes: number };
}

/** Start `size` workers; undefined when the worker script is not built (the caller scans in-process). */
export async function startPool(size: number, opts: SourceOptions): Promise<Pool | undefined> {
  const script = workerScript();
  if (!script) return undefined;
  const idle: Worker[] = [];
  const busy = new Map<Worker, Task>();
  const queue: Task[] = [];
  let nextId = 0;
  let failure: Error | undefined;
  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop()!;
      const t = queue.shift()!;
      busy.set(w, t);
      w.postMessage('part' in t ? { id: t.id, part: t.part } : { id: t.id, srcs: t.srcs, progress: t.onBytes !== undefined });
    }
  };
  /** Queues the task `make` builds for a promise's settlers, unless a worker has already failed. */
  const enqueue = <T>(make: (resolve: (v: T) => void, reject: (e: Error) => void) => Task): Promise<T> => {
    if (failure) return Promise.reject(failure);
    return new Promise<T>((resolve, reject) => {
      queue.push(make(resolve, reject));
      dispatch();
    });
  };
  const workers: Worker[] = [];
  // stdin is never scanned in a worker (a stream cannot cross threads).
  const { stdin: _stdin, ...shared } = opts;
  for (let i = 0; i < size; i++) {
    const w = script instanceof URL ? new Worker(script, { workerData: shared }) : new Worker(script.source, { eval: true, workerData: shared });
    w.on('message', (msg: ResultMessage | ProgressMessage) => {
      if ('progress' in msg) {
        const t = busy.get(w);
        if (t && 'onBytes' in t) t.onBytes?.(msg.progress.k, msg.progress.bytes);
        return;
      }
      const t = busy.get(w);
      busy.delete(w);
      idle.push(w);
      if (t) {
        if ('part' in t && msg.part) t.resolvePart(msg.part);
        else if ('srcs' in t && msg.outcomes) t.resolve(msg.outcomes);
        else t.reject(new Error(msg.error ?? 'worker failed'));
      }
      dispatch();
    });
    w.on('error', (err) => {
      failure = err;
      const t = busy.get(w);
      busy.delete(w);
      t?.reject(err);
    });
    workers.push(w);
    idle.push(w);
  }
  return {
    size,
    run: (srcs, onBytes) => enqueue<FileOutcome[][]>((resolve, reject) => ({ id: nextId++, srcs, resolve, reject, onBytes })),
    runPart: (part) => enqueue<PartResult>((resolvePart, reject) => ({ id: nextId++, part, resolvePart, reject })),
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
