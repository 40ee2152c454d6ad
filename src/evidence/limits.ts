// Resource limits: the /proc/<pid>/limits table (the soft limit is the one that applies) and
// `ulimit -a` output (bash and dash/busybox layouts). 'unlimited' → Infinity; sizes in bytes.
// Yields rlimit-as, rlimit-data, rlimit-nproc, rlimit-nofile.

import type { Fact, NumericFactKey } from '../core/index.js';
import { num, parseSize } from './util.js';
import { factsOnly, type EvidenceParserDef } from './parser.js';

const TABLE_HEADER = /^Limit\s+Soft Limit\s+Hard Limit/;
const TABLE_ROW = /^(Max [A-Za-z ]+?)\s{2,}(\S+)\s+(\S+)(?:\s+(\S+))?\s*$/;

const TABLE_KEYS: Record<string, NumericFactKey> = {
  'Max address space': 'rlimit-as',
  'Max data size': 'rlimit-data',
  'Max processes': 'rlimit-nproc',
  'Max open files': 'rlimit-nofile',
};

/** bash: `virtual memory          (kbytes, -v) unlimited`. */
const BASH_ROW = /^(.+?)\s+\((?:([^,()]+),\s*)?-(\w)\)\s+(\S+)\s*$/;
/** dash / busybox: `-v: address space (kb)   unlimited`. */
const DASH_ROW = /^-(\w):\s+(.+?)\s+(\S+)\s*$/;

/** dash: `vmemory(kb)          unlimited`. */
const DASH_WORD_ROW = /^(time|file|data|stack|coredump|memory|locked memory|process|nofiles|vmemory|locks|rtprio)(\((?:kb|blocks|seconds)\))?\s+(\S+)\s*$/;
const DASH_WORD_LETTER: Record<string, string> = { data: 'd', process: 'u', nofiles: 'n', vmemory: 'v' };

const LETTER_KEYS: Record<string, NumericFactKey> = { v: 'rlimit-as', d: 'rlimit-data', u: 'rlimit-nproc', p: 'rlimit-nproc', n: 'rlimit-nofile' };

export function detectLimits(head: readonly string[]): boolean {
  if (head.some((l) => TABLE_HEADER.test(l.trim()))) return true;
  let rows = 0;
  for (const l of head) {
    const t = l.trim();
    if (BASH_ROW.test(t) || DASH_ROW.test(t) || DASH_WORD_ROW.test(t)) rows++;
  }
  return rows >= 3;
}

function sizeMult(desc: string, letter: string): number {
  if (/\bkbytes\b|\(kb\)|\bkb\b|\bkib\b/i.test(desc)) return 1024;
  if (/\bblocks\b/i.test(desc)) return 512;
  // bash prints -v and -d in kbytes even when the description is terse.
  return letter === 'v' || letter === 'd' ? 1024 : 1;
}

export function parseLimits(file: string, lines: readonly string[]): Fact[] {
  const facts = new Map<NumericFactKey, Fact>();
  const table = lines.some((l) => TABLE_HEADER.test(l.trim()));
  lines.forEach((line, i) => {
    const t = line.trim();
    if (table) {
      const m = TABLE_ROW.exec(t);
      const key = m ? TABLE_KEYS[m[1] ?? ''] : undefined;
      if (!m || key === undefined || facts.has(key)) return;
      const v = parseSize(m[2] ?? '');
      if (v !== null) facts.set(key, num(key, v, file, i + 1, { method: '/proc/pid/limits soft limit' }));
      return;
    }
    const b = BASH_ROW.exec(t);
    const d = b ? null : DASH_ROW.exec(t);
    const w = b || d ? null : DASH_WORD_ROW.exec(t);
    const letter = b ? b[3] : d ? d[1] : w ? DASH_WORD_LETTER[w[1] ?? ''] : undefined;
    const raw = b ? b[4] : d ? d[3] : w?.[3];
    const desc = b ? `${b[1] ?? ''} ${b[2] ?? ''}` : d ? (d[2] ?? '') : (w?.[2] ?? '');
    if (letter === undefined || raw === undefined) return;
    // -p is the pipe size in bash; only dash/busybox use it for processes.
    if (b && letter === 'p') return;
    const key = LETTER_KEYS[letter];
    if (key === undefined || facts.has(key)) return;
    const v = parseSize(raw, sizeMult(desc, letter));
    if (v !== null) facts.set(key, num(key, v, file, i + 1, { method: 'ulimit -a' }));
  });
  return [...facts.values()].sort((a, b) => a.source.line - b.source.line);
}

export const limitsEvidence: EvidenceParserDef = {
  name: 'limits',
  kinds: ['limits'],
  description: '/proc/<pid>/limits or ulimit -a output',
  detect: (head) => (detectLimits(head) ? 'limits' : null),
  parse: (kind, file, lines) => factsOnly(kind, file, parseLimits(file, lines), limitsEvidence.description),
  facts: ['rlimit-as', 'rlimit-data', 'rlimit-nproc', 'rlimit-nofile'],
  samples: [
    {
      name: 'proc/4242/limits',
      lines: [
        'Limit                     Soft Limit           Hard Limit           Units',
        'Max processes             4096                 4096                 processes',
        'Max open files            1048576              1048576              files',
        'Max address space         unlimited            unlimited            bytes',
      ],
      kind: 'limits',
      facts: { 'rlimit-nproc': 4096, 'rlimit-nofile': 1048576 },
    },
  ],
};
