// Option parsers shared by the commands: whole numbers, percentages, repeatable lists and
// times (ISO or an age such as 7d). Each rejects a bad value with a message naming the flag.

import { InvalidArgumentError } from 'commander';
import { UsageError } from './context.js';

export function parseNonNegInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} takes a whole number ≥ 0, got "${v}"`);
    return Number(v);
  };
}

export function parsePositiveInt(name: string) {
  return (v: string): number => {
    if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError(`${name} takes a whole number ≥ 1, got "${v}"`);
    return Number(v);
  };
}

export function collectList(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function parsePercent(v: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(v.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || n <= 0 || n > 100) throw new InvalidArgumentError(`--threshold takes a percentage between 0 and 100 such as 80%, got "${v}"`);
  return n / 100;
}

const RELATIVE = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** An ISO date/time (a date alone is midnight UTC; no zone means UTC) or a relative age such as 7d. */
export function parseWhen(flag: string, v: string, now: Date): Date {
  const rel = RELATIVE.exec(v.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`;
  const t = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) {
    throw new UsageError(`${flag} takes an ISO date/time (2024-05-01, 2024-05-01T12:00:00Z) or an age (30m, 12h, 7d), got "${v}"`);
  }
  return new Date(t);
}

/**
 * `--shard INDEX/COUNT` with a 0-based INDEX (0/4 … 3/4), the numbering of Kubernetes'
 * JOB_COMPLETION_INDEX, so an Indexed Job passes `$(JOB_COMPLETION_INDEX)/4` as it is.
 */
export function parseShard(v: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--shard takes INDEX/COUNT with INDEX counted from 0, such as 0/4 (the first of 4 shards), got "${v}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new InvalidArgumentError(`--shard ${v}: COUNT must be at least 1`);
  if (count > 1_000_000) throw new InvalidArgumentError(`--shard ${v}: COUNT must be at most 1000000`);
  if (index >= count) {
    const hint = index === count ? ` (counting from 1? the last of ${count} shards is ${count - 1}/${count})` : '';
    throw new InvalidArgumentError(`--shard ${v}: INDEX counts from 0 and must be below COUNT: 0/${count} to ${count - 1}/${count}${hint}`);
  }
  return { index, count };
}
