// Where mapmortem's own files are: the package root (found by walking up from this module to
// the package.json named mapmortem, so it works from src/ under vitest and from dist/ after
// tsc) and the version it declares. Rules, templates and the worker script are found from it.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | undefined;

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

/** The directory holding mapmortem's package.json (and rules/, templates/, dist/). */
export function packageRoot(): string {
  return find().root;
}

export function packageVersion(): string {
  return find().version;
}
