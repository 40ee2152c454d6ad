// Test helpers for the rule tests: hand-built LogRecords (one record per sample text,
// format plain, line numbers from 1) and rule files written into temporary directories.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogFormat, LogRecord } from '../../src/core/index.js';

export function record(text: string, opts: { startLine?: number; format?: LogFormat; file?: string } = {}): LogRecord {
  const start = opts.startLine ?? 1;
  const lines = text
    .replace(/\n$/, '')
    .split('\n')
    .map((t, i) => ({ lineNo: start + i, raw: t, text: t }));
  return {
    file: opts.file ?? 'test.log',
    format: opts.format ?? 'plain',
    wrapper: 'none',
    startLine: start,
    lines,
    message: lines[0]?.text ?? '',
    contextBefore: [],
    contextAfter: [],
  };
}

export async function ruleDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mapmortem-rules-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** A valid rule file; `patch` replaces whole top-level lines by key. */
export function ruleYaml(id: string, patch: Record<string, string | null> = {}): string {
  const base: Record<string, string> = {
    id: `id: ${id}`,
    title: 'title: Test rule',
    severity: 'severity: critical',
    systems: 'systems: [generic]',
    literals: 'literals: ["cannot allocate memory"]',
    match: "match:\n  scope: line\n  all: ['mmap, size (?<size>\\d+): cannot allocate memory']",
    extract: 'extract: { size: bytes }',
    signals: 'signals: { failure: enomem, operation: mmap, hint: map-count }',
    explanation: 'explanation: x',
    remediation: 'remediation: y',
    tests: "tests:\n  match:\n    - text: 'mmap, size 12: cannot allocate memory'\n      captures: { size: 12 }\n  noMatch:\n    - 'mmap, size 12: ok'",
  };
  const out: string[] = [];
  for (const [k, v] of Object.entries(base)) {
    const p = patch[k];
    if (p === null) continue;
    out.push(p ?? v);
  }
  for (const [k, v] of Object.entries(patch)) if (!(k in base) && v !== null) out.push(v);
  return out.join('\n') + '\n';
}
