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
  const placeholder = new RegExp(`^( *)("unlisted": )"${JSON.stringify(mark).slice(1, -1).replace(/\\/g, '\\\\')}(\\d+)"`, 'gm');
  const out = text.replace(placeholder, (_m, indent: string, head: string, i: string) => {
    const cols = packed[Number(i)] as Record<string, unknown>;
    const body = Object.keys(cols).map((k) => `${indent}  ${JSON.stringify(k)}: ${JSON.stringify(cols[k], jsonReplacer)}`);
    return `${indent}${head}{\n${body.join(',\n')}\n${indent}}`;
  });
  return `${out}\n`;
}
