// Memory totals: /proc/meminfo (also the section embedded in an hs_err file) and `free` output
// (-b, -k, -m, -g, -h; best effort on the unit when the output does not say it). kB → bytes.

import type { Fact, NumericFactKey } from '../core/index.js';
import { baseName, num, parseSize } from './util.js';
import { factsOnly, type EvidenceParserDef } from './parser.js';

const MEMINFO: Record<string, NumericFactKey> = {
  MemTotal: 'mem-total',
  MemFree: 'mem-free',
  MemAvailable: 'mem-available',
  SwapTotal: 'swap-total',
  SwapFree: 'swap-free',
  CommitLimit: 'commit-limit',
  Committed_AS: 'committed-as',
};

const MEMINFO_LINE = /^([A-Za-z_()0-9]+):\s+(\d+)(?:\s+(kB))?\s*$/;
const FREE_HEADER = /^\s*total\s+used\s+free\b/;

export function detectMeminfo(head: readonly string[]): boolean {
  let hits = 0;
  for (const l of head) {
    const m = MEMINFO_LINE.exec(l.trim());
    if (m && (m[1] === 'MemTotal' || m[1] === 'MemFree' || m[1] === 'MemAvailable' || m[1] === 'SwapTotal' || m[1] === 'Buffers' || m[1] === 'Cached')) hits++;
  }
  if (hits >= 2) return true;
  const h = head.findIndex((l) => FREE_HEADER.test(l));
  return h >= 0 && head.slice(h + 1).some((l) => /^\s*Mem:\s/.test(l));
}

/**
 * Parses /proc/meminfo lines. `firstLineNo` is the 1-based line of lines[0] in the file, so the
 * hs_err parser can hand over its embedded section.
 */
export function parseMeminfoLines(file: string, lines: readonly string[], firstLineNo = 1, method = '/proc/meminfo'): Fact[] {
  const facts: Fact[] = [];
  const seen = new Set<NumericFactKey>();
  lines.forEach((line, i) => {
    const m = MEMINFO_LINE.exec(line.trim());
    if (!m) return;
    const key = MEMINFO[m[1] ?? ''];
    if (key === undefined || seen.has(key)) return;
    seen.add(key);
    const mult = m[3] === 'kB' ? 1024 : 1;
    facts.push(num(key, Number(m[2]) * mult, file, firstLineNo + i, { method }));
  });
  return facts;
}

/** Unit of a `free` output without suffixes: from the file name, else from the size of MemTotal. */
function freeUnit(name: string, total: number): { mult: number; why: string } {
  const n = baseName(name).toLowerCase();
  if (/(^|[^a-z])(-b|b|bytes)([^a-z]|$)/.test(n)) return { mult: 1, why: 'bytes (file name)' };
  if (/(^|[^a-z])(-m|m|mb|mib|mega)([^a-z]|$)/.test(n)) return { mult: 1024 ** 2, why: 'MiB (file name)' };
  if (/(^|[^a-z])(-g|g|gb|gib|giga)([^a-z]|$)/.test(n)) return { mult: 1024 ** 3, why: 'GiB (file name)' };
  if (/(^|[^a-z])(-k|k|kb|kib|kilo)([^a-z]|$)/.test(n)) return { mult: 1024, why: 'KiB (file name)' };
  if (total >= 1e10) return { mult: 1, why: 'bytes (guessed from size)' };
  if (total < 2e5) return { mult: 1024 ** 2, why: 'MiB (guessed from size)' };
  return { mult: 1024, why: 'KiB (free default, guessed)' };
}

/**
 * `free` output: the current layout (an `available` column) and the old one, whose
 * `-/+ buffers/cache:` row gives used and free without the page cache (the old "available").
 * `firstLineNo` is the 1-based line of lines[0] in the file.
 */
export function parseFree(file: string, lines: readonly string[], firstLineNo = 1, methodName = 'free output'): Fact[] {
  const h = lines.findIndex((l) => FREE_HEADER.test(l));
  if (h < 0) return [];
  const cols = (lines[h] ?? '').trim().split(/\s+/);
  const rows: { label: string; values: string[]; line: number }[] = [];
  for (let i = h + 1; i < lines.length; i++) {
    const m = /^\s*(Mem|Swap|Low|High|Total|-\/\+ buffers\/cache):\s+(.*)$/.exec((lines[i] ?? '').trimEnd());
    if (m) rows.push({ label: m[1] ?? '', values: (m[2] ?? '').trim().split(/\s+/), line: firstLineNo + i });
  }
  const mem = rows.find((r) => r.label === 'Mem');
  if (mem === undefined) return [];
  const suffixed = mem.values.some((v) => /[a-z]/i.test(v));
  const rawTotal = Number(mem.values[0]);
  const unit = suffixed ? { mult: 1, why: 'as printed' } : freeUnit(file, rawTotal);
  const value = (v: string | undefined): number | null => {
    if (v === undefined) return null;
    if (suffixed) return parseSize(v.replace(/i$/i, ''), 1) ?? parseSize(v, 1);
    return /^\d+$/.test(v) ? Number(v) * unit.mult : null;
  };
  const method = `${methodName}, unit ${unit.why}`;
  const facts: Fact[] = [];
  const col = (name: string): number => cols.indexOf(name);
  const push = (key: NumericFactKey, row: { values: string[]; line: number }, idx: number): void => {
    if (idx < 0) return;
    const v = value(row.values[idx]);
    if (v !== null && Number.isFinite(v)) facts.push(num(key, v, file, row.line, { method }));
  };
  push('mem-total', mem, col('total'));
  push('mem-free', mem, col('free'));
  push('mem-available', mem, col('available'));
  const oldCache = rows.find((r) => r.label === '-/+ buffers/cache');
  // Old layout: the -/+ buffers/cache row is [used, free] without buffers and cache.
  if (oldCache !== undefined && col('available') < 0) {
    const v = value(oldCache.values[1]);
    if (v !== null && Number.isFinite(v)) facts.push(num('mem-available', v, file, oldCache.line, { method: `${method}, -/+ buffers/cache free (old layout)` }));
  }
  const swap = rows.find((r) => r.label === 'Swap');
  if (swap !== undefined) {
    push('swap-total', swap, col('total'));
    push('swap-free', swap, col('free'));
  }
  return facts;
}

export function parseMeminfo(file: string, lines: readonly string[]): Fact[] {
  if (lines.some((l) => FREE_HEADER.test(l))) return parseFree(file, lines);
  return parseMeminfoLines(file, lines);
}

export const meminfoEvidence: EvidenceParserDef = {
  name: 'meminfo',
  kinds: ['meminfo'],
  description: '/proc/meminfo or free output',
  detect: (head) => (detectMeminfo(head) ? 'meminfo' : null),
  parse: (kind, file, lines) => factsOnly(kind, file, parseMeminfo(file, lines), meminfoEvidence.description),
  facts: ['mem-total', 'mem-free', 'mem-available', 'swap-total', 'swap-free', 'commit-limit', 'committed-as'],
  samples: [
    {
      name: 'proc/meminfo',
      lines: ['MemTotal:       16384000 kB', 'MemFree:         8192000 kB', 'MemAvailable:   12288000 kB', 'SwapTotal:             0 kB', 'SwapFree:              0 kB'],
      kind: 'meminfo',
      facts: { 'mem-total': 16384000 * 1024 },
    },
  ],
};
