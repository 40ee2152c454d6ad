// JSON renderer: the Report as one document (schemaVersion 1, see docs/json-schema.md).
// Infinite limits ("unlimited") become the string "unlimited" instead of JSON null. The
// columns of an incident's unlisted findings are written one column per line, not one number
// per line (a crash loop's report would otherwise be mostly indentation).

import { randomUUID } from 'node:crypto';
import type { Report } from '../core/index.js';

export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? null : 'unlimited';
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  return value;
}

export function renderJson(report: Report): string {
  const packed: object[] = [];
  const mark = `\u0000columns:${randomUUID()}:`;
  const text = JSON.stringify(
    report,
    (key, value: unknown) => {
      if (key === 'unlisted' && value && typeof value === 'object' && !Array.isArray(value)) {
        packed.push(value);
        return `${mark}${packed.length - 1}`;
      }
      return jsonReplacer(key, value);
    },
    2,
  );
  if (packed.length === 0) return `${text}\n`;
  // The pieces are joined once: a crash loop's columns are tens of MB, so no copy of them is made twice.
  const placeholder = new RegExp(`^( *)("unlisted": )"${JSON.stringify(mark).slice(1, -1).replace(/\\/g, '\\\\')}(\\d+)"`, 'gm');
  const pieces: string[] = [];
  let at = 0;
  for (const m of text.matchAll(placeholder)) {
    const indent = m[1]!;
    const cols = packed[Number(m[3])] as Record<string, unknown>;
    pieces.push(text.slice(at, m.index), `${indent}${m[2]!}{\n`);
    Object.keys(cols).forEach((k, i) => pieces.push(`${i > 0 ? ',\n' : ''}${indent}  ${JSON.stringify(k)}: `, JSON.stringify(cols[k], jsonReplacer)));
    pieces.push(`\n${indent}}`);
    at = m.index + m[0].length;
  }
  pieces.push(text.slice(at), '\n');
  return pieces.join('');
}
