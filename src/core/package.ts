// Where mapmortem's own files are: the package root (found by walking up from this module to
// the package.json named mapmortem, so it works from src/ under vitest, from dist/ after tsc
// and from an installed package), or the files built into the single executable (sea.ts hands
// them over). Rules, templates, the version and the worker script are found from here.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files carried inside the executable, by '/'-separated path relative to the package root. */
export interface EmbeddedFiles {
  readonly version: string;
  readonly files: ReadonlyMap<string, string>;
  /** The bundled worker script (CommonJS source), when the executable carries one. */
  readonly workerSource?: string;
}

/** The package root of the single executable: not a directory on disk, shown as such in messages. */
export const EMBEDDED_ROOT = '<built-in>';

let cached: { root: string; version: string } | undefined;
let embedded: EmbeddedFiles | undefined;

/** Called once by the single executable's entry, before anything reads a package file. */
export function useEmbeddedFiles(files: EmbeddedFiles): void {
  embedded = files;
}

export function embeddedFiles(): EmbeddedFiles | undefined {
  return embedded;
}

function find(): { root: string; version: string } {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'mapmortem') {
        cached = { root: dir, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
        return cached;
      }
    } catch {
      // no package.json here, or a foreign one: keep walking up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('mapmortem package.json not found above the running module');
    dir = up;
  }
}

/** The directory holding mapmortem's package.json (and rules/, templates/, dist/), or EMBEDDED_ROOT in the executable. */
export function packageRoot(): string {
  return embedded ? EMBEDDED_ROOT : find().root;
}

export function packageVersion(): string {
  return embedded ? embedded.version : find().version;
}

/** The path inside the executable of p ('rules/x.yaml'), or undefined when p is an ordinary path. */
function embeddedPath(p: string): string | undefined {
  if (!embedded) return undefined;
  if (p === EMBEDDED_ROOT) return '';
  const prefix = `${EMBEDDED_ROOT}${sep}`;
  return p.startsWith(prefix) ? p.slice(prefix.length).split(sep).join('/') : undefined;
}

/** File names directly in a package directory (built in or on disk), sorted; undefined when it does not exist. */
export function listPackageDir(dir: string): string[] | undefined {
  const rel = embeddedPath(dir);
  if (rel === undefined) return existsSync(dir) ? readdirSync(dir).sort() : undefined;
  const prefix = rel === '' ? '' : `${rel}/`;
  const names = [...embedded!.files.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'));
  return names.length > 0 ? names.map((k) => k.slice(prefix.length)).sort() : undefined;
}

/** A package file's text (built in or on disk); throws like readFileSync when it is missing. */
export function readPackageFile(file: string): string {
  const rel = embeddedPath(file);
  if (rel === undefined) return readFileSync(file, 'utf8');
  const text = embedded!.files.get(rel);
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file} is not built into this executable`), { code: 'ENOENT' });
  return text;
}

/** Whether a path names a file or directory built into the executable. */
export function isEmbedded(p: string): boolean {
  return embeddedPath(p) !== undefined;
}
