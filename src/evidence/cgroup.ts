// Container limits: cgroup v2 files (memory.max, memory.current, memory.peak, memory.events,
// pids.max, pids.current), v1 files (memory.limit_in_bytes, memory.usage_in_bytes,
// memory.max_usage_in_bytes, memory.failcnt, memory.stat) and the hs_err
// "container (cgroup) information:" section. Bare-number files are told apart by their name.

import type { Fact, NumericFactKey } from '../core/index.js';
import { baseName, num, parseSize } from './util.js';
import { factsOnly, type EvidenceParserDef } from './parser.js';

/** Bare-value cgroup files: the fact each holds. 'max' means unlimited. */
const BARE: Record<string, NumericFactKey> = {
  'memory.max': 'cgroup-memory-limit',
  'memory.current': 'cgroup-memory-usage',
  'memory.peak': 'cgroup-memory-max-usage',
  'pids.max': 'cgroup-pids-max',
  'pids.current': 'cgroup-pids-current',
  'pids.peak': 'cgroup-pids-peak',
  'memory.limit_in_bytes': 'cgroup-memory-limit',
  'memory.usage_in_bytes': 'cgroup-memory-usage',
  'memory.max_usage_in_bytes': 'cgroup-memory-max-usage',
  'memory.failcnt': 'cgroup-memory-failcnt',
};

const EVENT_LINE = /^(low|high|max|oom|oom_kill|oom_group_kill)\s+(\d+)$/;
const STAT_LINE = /^([a-z_]+)\s+(\d+)$/;
const SECTION_HEADER = /^container \(cgroup\) information:\s*$/;

/** hs_err container section keys (JDK 11–25, cgroup v1 and v2 print the same names). */
const SECTION: Record<string, NumericFactKey> = {
  memory_limit_in_bytes: 'cgroup-memory-limit',
  memory_usage_in_bytes: 'cgroup-memory-usage',
  memory_max_usage_in_bytes: 'cgroup-memory-max-usage',
  'maximum number of tasks': 'cgroup-pids-max',
  'current number of tasks': 'cgroup-pids-current',
};

export function detectCgroup(head: readonly string[], name: string): boolean {
  const lines = head.map((l) => l.trim()).filter((l) => l !== '');
  const base = baseName(name);
  const first = lines[0];
  if (first === undefined) return false;
  if (BARE[base] !== undefined && lines.length === 1 && /^(\d+|max|-1)$/.test(first)) return true;
  if (SECTION_HEADER.test(first)) return true;
  if (base === 'pids.events' && lines.every((l) => /^max\s+\d+$/.test(l))) return true;
  if (lines.every((l) => EVENT_LINE.test(l)) && lines.some((l) => l.startsWith('oom'))) return true;
  if (base === 'memory.events' || base === 'memory.stat') return lines.every((l) => STAT_LINE.test(l));
  // memory.stat by content: v1 or v2 key names.
  const keys = new Set(lines.filter((l) => STAT_LINE.test(l)).map((l) => l.split(/\s+/)[0] ?? ''));
  const v1 = keys.has('hierarchical_memory_limit') || (keys.has('cache') && keys.has('rss') && keys.has('mapped_file'));
  const v2 = keys.has('anon') && keys.has('file') && keys.has('kernel_stack');
  return (v1 || v2) && keys.size * 2 >= lines.length;
}

/** A section value: `unlimited`, `-1` (JDK 11 for unlimited), `4194304 k`, `4282966016`; null for `-2`, `not supported`. */
function sectionValue(raw: string): number | null {
  const s = raw.trim();
  if (s === '-1') return Infinity;
  return parseSize(s);
}

/** Parses an hs_err container section (lines after the header up to the blank line). */
export function parseContainerSection(file: string, lines: readonly string[], firstLineNo: number): Fact[] {
  const facts: Fact[] = [];
  const seen = new Set<NumericFactKey>();
  lines.forEach((line, i) => {
    const m = /^([a-z_ ]+):\s*(.*?)\s*$/.exec(line.trim());
    const key = m ? SECTION[m[1] ?? ''] : undefined;
    if (!m || key === undefined || seen.has(key)) return;
    const v = sectionValue(m[2] ?? '');
    if (v === null) return;
    seen.add(key);
    facts.push(num(key, v, file, firstLineNo + i, { method: 'hs_err container (cgroup) information' }));
  });
  return facts;
}

export function parseCgroup(file: string, lines: readonly string[]): Fact[] {
  const base = baseName(file);
  const idx = lines.findIndex((l) => l.trim() !== '');
  if (idx < 0) return [];
  const first = (lines[idx] ?? '').trim();
  if (SECTION_HEADER.test(first)) return parseContainerSection(file, lines.slice(idx + 1), idx + 2);
  const bare = BARE[base];
  if (bare !== undefined && /^(\d+|max|-1)$/.test(first)) {
    const v = first === '-1' ? Infinity : parseSize(first);
    return v === null ? [] : [num(bare, v, file, idx + 1, { method: `cgroup file ${base}` })];
  }
  const facts: Fact[] = [];
  lines.forEach((line, i) => {
    const t = line.trim();
    const ev = EVENT_LINE.exec(t);
    // pids.events "max N": fork/clone calls the pids controller refused at pids.max.
    if (ev && ev[1] === 'max' && base === 'pids.events') {
      facts.push(num('cgroup-pids-events-max', Number(ev[2]), file, i + 1, { method: 'pids.events max (fork/clone refused at pids.max)' }));
      return;
    }
    // memory.events "max": how many times usage hit memory.max (the v2 counterpart of failcnt).
    if (ev && ev[1] === 'max' && base !== 'memory.stat') {
      facts.push(num('cgroup-memory-failcnt', Number(ev[2]), file, i + 1, { method: 'memory.events max (times the limit was hit)' }));
      return;
    }
    if (ev && ev[1] === 'oom_kill' && base !== 'memory.stat') {
      facts.push(num('cgroup-oom-kills', Number(ev[2]), file, i + 1, { method: 'memory.events oom_kill (processes killed by the cgroup OOM killer)' }));
      return;
    }
    const st = STAT_LINE.exec(t);
    if (st && st[1] === 'hierarchical_memory_limit') {
      const v = parseSize(st[2] ?? '');
      if (v !== null) facts.push(num('cgroup-memory-limit', v, file, i + 1, { method: 'memory.stat hierarchical_memory_limit' }));
    }
  });
  return facts;
}

export const cgroupEvidence: EvidenceParserDef = {
  name: 'cgroup',
  kinds: ['cgroup'],
  description: 'a cgroup file',
  detect: (head, name) => (detectCgroup(head, name) ? 'cgroup' : null),
  detectBare: (value, name) => (detectCgroup([value], name) ? 'cgroup' : null),
  parse: (kind, file, lines) => factsOnly(kind, file, parseCgroup(file, lines), cgroupEvidence.description),
  facts: ['cgroup-memory-limit', 'cgroup-memory-usage', 'cgroup-memory-max-usage', 'cgroup-memory-failcnt', 'cgroup-oom-kills', 'cgroup-pids-max', 'cgroup-pids-current'],
  samples: [
    { name: 'sys/fs/cgroup/memory.max', lines: ['4294967296'], kind: 'cgroup', facts: { 'cgroup-memory-limit': 4294967296 } },
    { name: 'sys/fs/cgroup/pids.max', lines: ['max'], kind: 'cgroup', facts: {} },
  ],
};
