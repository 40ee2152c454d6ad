// Bundles the CLI and its worker with esbuild into dist/bundle/ (one file each, with their
// dependencies): start-up then reads two files instead of resolving ~200 modules. The package's
// `bin` stays dist/src/cli/bin.js (what the npm package ships); `npm run sea` bundles on its own.

import { build } from 'esbuild';

const banner = {
  js: "import { createRequire as __mmCreateRequire } from 'node:module'; const require = __mmCreateRequire(import.meta.url);",
};

await build({
  entryPoints: { mapmortem: 'src/cli/bin.ts', worker: 'src/pipeline/worker.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: { '.js': '.js' },
  banner,
  legalComments: 'none',
  logLevel: 'warning',
});
