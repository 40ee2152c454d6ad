// Bundles the CLI and its worker with esbuild into dist/bundle/ (an entry file each, with their
// dependencies in shared chunks; what a command imports dynamically, such as recheck, Handlebars
// or the YAML parser, is a chunk of its own, read only when used): start-up reads a few files
// instead of resolving ~200 modules. The package's `bin` stays dist/src/cli/bin.js; `npm run sea` bundles on its own.

import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const banner = {
  js: "import { createRequire as __mmCreateRequire } from 'node:module'; const require = __mmCreateRequire(import.meta.url);",
};

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: { mapmortem: 'src/cli/bin.ts', worker: 'src/pipeline/worker.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: { '.js': '.js' },
  banner,
  legalComments: 'none',
  logLevel: 'warning',
});
