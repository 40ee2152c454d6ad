// JSON renderer: the Report as one document (schemaVersion 1, see docs/json-schema.md).
// Infinite limits ("unlimited") become the string "unlimited" instead of JSON null.

import type { Report } from '../core/index.js';

export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? null : 'unlimited';
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  return value;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, jsonReplacer, 2)}\n`;
}
