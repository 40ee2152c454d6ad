// The layering rules of docs/ARCHITECTURE.md as a test over the import graph of src/: which
// folder may import which, and no import cycle between files (type-only imports included).
// A new arrow that breaks them fails here, naming the file and the import. Also: no line of
// src/ is wider than Prettier's printWidth (Prettier leaves long strings and regexes alone).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

/** Folder → the other folders of src/ it may import (keep in step with ARCHITECTURE.md "Layers"). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  core: [],
  io: ['core'],
  scan: ['core'],
  formats: ['core'],
  evidence: ['core'],
  rules: ['core'],
  discover: ['core', 'io', 'formats', 'evidence'],
  correlate: ['core'],
  diagnose: ['core'],
  render: ['core'],
  capture: ['core'],
  check: ['core', 'capture'],
  pipeline: ['core', 'io', 'scan', 'formats', 'evidence', 'rules', 'discover', 'correlate', 'diagnose'],
  cli: ['core', 'pipeline', 'render', 'rules', 'io', 'capture', 'check'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)|^import\s+'(\.[^']+)'/gm;

/** file (relative to src/) → the files of src/ it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const abs of sourceFiles(SRC)) {
    const text = readFileSync(abs, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? '';
      targets.push(
        path
          .relative(SRC, path.resolve(path.dirname(abs), spec))
          .replace(/\.js$/, '.ts')
          .split(path.sep)
          .join('/'),
      );
    }
    graph.set(path.relative(SRC, abs).split(path.sep).join('/'), targets);
  }
  return graph;
}

const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '(src)');

describe('architecture', () => {
  const graph = importGraph();

  it('every folder of src/ has its layering rule', () => {
    const folders = [...new Set([...graph.keys()].map(folderOf))].sort();
    expect(folders).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it('imports only go to the folders ARCHITECTURE.md allows', () => {
    const broken: string[] = [];
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      for (const t of targets) {
        const to = folderOf(t);
        if (to !== from && !(MAY_IMPORT[from] ?? []).includes(to)) broken.push(`${file} imports ${t} (${from} may not import ${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].join(' -> '));
        else if (!state.has(t) && graph.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('resolves every relative import to a file of src/', () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${file} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it("has no line in src/ wider than Prettier's printWidth", () => {
    const width = (JSON.parse(readFileSync(path.join(SRC, '..', '.prettierrc.json'), 'utf8')) as { printWidth: number }).printWidth;
    const wide = sourceFiles(SRC).flatMap((abs) =>
      readFileSync(abs, 'utf8')
        .split('\n')
        .flatMap((l, i) => ([...l].length > width ? [`${path.relative(SRC, abs)}:${i + 1} is ${[...l].length} columns`] : [])),
    );
    expect(wide).toEqual([]);
  });
});
