// Entry of the single executable (`npm run sea`, bundled to CommonJS by scripts/sea.ts): hands
// the rules, templates, version and worker script built into the executable as SEA assets to
// core/package.ts, then runs the CLI. Run as a plain script (node build/sea/mapmortem.cjs) it
// reads them from the package on disk instead.

import { getAsset, isSea } from 'node:sea';
import { useEmbeddedFiles } from '../core/package.js';
import { main } from './main.js';
import { processIO } from './process-io.js';
import { SEA_INDEX, SEA_WORKER, type SeaIndex } from './sea-assets.js';

if (isSea()) {
  const index = JSON.parse(getAsset(SEA_INDEX, 'utf8')) as SeaIndex;
  useEmbeddedFiles({
    version: index.version,
    files: new Map(index.files.map((f) => [f, getAsset(f, 'utf8')])),
    workerSource: getAsset(SEA_WORKER, 'utf8'),
  });
}

main(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mapmortem: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
