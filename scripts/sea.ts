// `npm run sea`: the single executable for hosts without Node. Bundles the CLI and its worker
// with esbuild into CommonJS (build/sea/; bundleCli() is reusable alone), carries rules, templates
// and version as SEA assets, and injects the blob into a copy of this Node with postject (its
// "Can't find string offset for section name" warnings are harmless): build/mapmortem.

import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SEA_INDEX, SEA_WORKER, type SeaIndex } from '../src/cli/sea-assets.js';
import { packageRoot } from '../src/core/package.js';

const ROOT = packageRoot();
/** Package directories whose files the CLI reads at run time, carried as assets. */
const RUNTIME_DIRS = ['rules', 'templates', 'schema'];
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Bundles the CLI (src/cli/sea.ts) and the scan worker into one CommonJS file each, runnable
 * with `node OUTDIR/mapmortem.cjs` from inside the package (rules and templates are found by
 * walking up to package.json) or as the main script of a single executable.
 */
export async function bundleCli(outdir: string): Promise<{ cli: string; worker: string }> {
  const cli = path.join(outdir, 'mapmortem.cjs');
  const worker = path.join(outdir, SEA_WORKER);
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node20',
    // CommonJS has no import.meta: give the modules that locate the package their own file URL.
    define: { 'import.meta.url': 'import_meta_url' },
    banner: { js: "var import_meta_url = typeof __filename === 'string' ? require('node:url').pathToFileURL(__filename).href : 'file:///';" },
    // recheck (proving user rules' regexes linear at load) runs a native binary or a worker file
    // of its own: left out, its import fails in the executable and such a rule runs on re2js.
    external: ['recheck', 'recheck-*'],
    logLevel: 'warning' as const,
    legalComments: 'none' as const,
  };
  await build({ ...common, entryPoints: [path.join(ROOT, 'src', 'cli', 'sea.ts')], outfile: cli });
  await build({ ...common, entryPoints: [path.join(ROOT, 'src', 'pipeline', 'worker.ts')], outfile: worker });
  return { cli, worker };
}

async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(ROOT, dir), { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Builds build/mapmortem; returns its path. */
export async function buildSea(outDir = path.join(ROOT, 'build')): Promise<string> {
  const seaDir = path.join(outDir, 'sea');
  await rm(seaDir, { recursive: true, force: true });
  await mkdir(seaDir, { recursive: true });
  const { cli, worker } = await bundleCli(seaDir);
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const files = (await Promise.all(RUNTIME_DIRS.map(filesUnder))).flat();
  const index: SeaIndex = { version: pkg.version, files };
  const indexFile = path.join(seaDir, SEA_INDEX);
  await writeFile(indexFile, JSON.stringify(index));
  const blob = path.join(seaDir, 'sea-prep.blob');
  const config = {
    main: cli,
    output: blob,
    disableExperimentalSEAWarning: true,
    assets: {
      [SEA_INDEX]: indexFile,
      [SEA_WORKER]: worker,
      ...Object.fromEntries(files.map((f) => [f, path.join(ROOT, ...f.split('/'))])),
    },
  };
  const configFile = path.join(seaDir, 'sea-config.json');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const gen = spawnSync(process.execPath, ['--experimental-sea-config', configFile], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`node --experimental-sea-config failed (${gen.status}): ${gen.stderr || gen.stdout}`);
  const exe = path.join(outDir, 'mapmortem');
  await rm(exe, { force: true });
  await copyFile(process.execPath, exe);
  await chmod(exe, 0o755);
  const postject = 'postject'; // no type declarations: its API is this one function
  const { inject } = (await import(postject)) as {
    inject: (file: string, name: string, data: Buffer, opts: { sentinelFuse: string }) => Promise<void>;
  };
  await inject(exe, 'NODE_SEA_BLOB', await readFile(blob), { sentinelFuse: SEA_FUSE });
  return exe;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  // `--out DIR` (tests) builds elsewhere than build/.
  const out = process.argv.indexOf('--out');
  const exe = await buildSea(out > 0 && process.argv[out + 1] ? path.resolve(process.argv[out + 1]!) : undefined);
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const bundle = await stat(path.join(path.dirname(exe), 'sea', 'mapmortem.cjs'));
  process.stdout.write(`${path.relative(process.cwd(), exe)}: ${mib((await stat(exe)).size)} (Node ${process.version} + a ${mib(bundle.size)} bundle)\n`);
}
