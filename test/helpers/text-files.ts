// The repository's real and sample text (every file under corpus/ and samples/ below 2 MiB with no
// NUL in its first 8 KiB), read once: tests that check a fast path against the plain one on real
// lines (the harvest's trigger gates, its byte search) run over it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');

let files: { name: string; buf: Buffer }[] | undefined;

/** Each text file of corpus/ and samples/, named relative to the repository, in path order. */
export function realTextFiles(): readonly { readonly name: string; readonly buf: Buffer }[] {
  if (files) return files;
  const out: { name: string; buf: Buffer }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.size < 2 << 20) {
        const buf = readFileSync(p);
        if (!buf.subarray(0, 8192).includes(0)) out.push({ name: path.relative(root, p), buf });
      }
    }
  };
  walk(path.join(root, 'corpus'));
  walk(path.join(root, 'samples'));
  files = out;
  return out;
}
