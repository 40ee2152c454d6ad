// Kernel settings: `sysctl -a` / `sysctl vm.max_map_count` output, /etc/sysctl.conf style files,
// `grep . /proc/sys/vm/*` output and bare /proc/sys files (a number; the file name says which).
// Yields max-map-count, overcommit-memory, overcommit-ratio, threads-max and pid-max.

import type { Fact, NumericFactKey } from '../core/index.js';
import { baseName, num } from './util.js';
import { factsOnly, type EvidenceParserDef } from './parser.js';

const KEYS: Record<string, NumericFactKey> = {
  'vm.max_map_count': 'max-map-count',
  'vm.overcommit_memory': 'overcommit-memory',
  'vm.overcommit_ratio': 'overcommit-ratio',
  'kernel.threads-max': 'threads-max',
  'kernel.pid_max': 'pid-max',
};

/** Bare /proc/sys file names and the fact each holds. */
const BARE: Record<string, NumericFactKey> = {
  max_map_count: 'max-map-count',
  overcommit_memory: 'overcommit-memory',
  overcommit_ratio: 'overcommit-ratio',
  'threads-max': 'threads-max',
  pid_max: 'pid-max',
};

const SETTING = /^\s*(?:\/proc\/sys\/)?([a-z][\w-]*(?:[./][\w-]+)+)\s*[=:]\s*(.*?)\s*$/;

function settingKey(raw: string): string {
  return raw.replace(/\//g, '.');
}

/** The fact a bare /proc/sys file name holds, or undefined. */
export function bareSysctlKey(name: string): NumericFactKey | undefined {
  return BARE[baseName(name)];
}

export function detectSysctl(head: readonly string[], name: string): boolean {
  const lines = head.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';'));
  if (lines.length === 0) return false;
  const first = lines[0] ?? '';
  if (bareSysctlKey(name) !== undefined && /^\d+$/.test(first)) return true;
  let settings = 0;
  let known = 0;
  for (const l of lines) {
    const m = SETTING.exec(l);
    if (!m) continue;
    const key = settingKey(m[1] ?? '');
    if (!/^(vm|kernel|fs|net|dev|user|abi|debug|crypto|sunrpc)\./.test(key)) continue;
    settings++;
    if (KEYS[key] !== undefined) known++;
  }
  // `sysctl -a` is sorted: its head may end before any vm.* key, so many settings also count.
  return (known > 0 || settings >= 3) && settings * 2 >= lines.length;
}

/** sysctl.conf, /etc/sysctl.d/*.conf: what is configured, which may not be what the kernel runs with. */
const CONFIG_FILE = /(?:^|[\\/])(?:sysctl\.d[\\/][^\\/]+|[^\\/]*\.conf)$/;

export function parseSysctl(file: string, lines: readonly string[]): Fact[] {
  const bare = bareSysctlKey(file);
  const config = CONFIG_FILE.test(file);
  const found = new Map<NumericFactKey, Fact>();
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) return;
    if (bare !== undefined && /^\d+$/.test(t)) {
      if (!found.has(bare)) found.set(bare, num(bare, Number(t), file, i + 1, { method: `/proc/sys file ${baseName(file)}` }));
      return;
    }
    const m = SETTING.exec(t);
    if (!m) return;
    const key = KEYS[settingKey(m[1] ?? '')];
    const value = (m[2] ?? '').replace(/^["']|["']$/g, '');
    if (key === undefined || !/^\d+$/.test(value)) return;
    // sysctl.conf semantics: a later line overrides an earlier one.
    found.set(key, num(key, Number(value), file, i + 1, config ? { method: 'sysctl configuration file', origin: 'config' } : { method: 'sysctl setting' }));
  });
  return [...found.values()].sort((a, b) => a.source.line - b.source.line);
}

export const sysctlEvidence: EvidenceParserDef = {
  name: 'sysctl',
  kinds: ['sysctl'],
  description: 'sysctl settings',
  detect: (head, name) => (detectSysctl(head, name) ? 'sysctl' : null),
  detectBare: (value, name) => (detectSysctl([value], name) ? 'sysctl' : null),
  parse: (kind, file, lines) => factsOnly(kind, file, parseSysctl(file, lines), sysctlEvidence.description),
  facts: ['max-map-count', 'overcommit-memory', 'overcommit-ratio', 'threads-max', 'pid-max'],
  samples: [
    { name: 'sysctl.txt', lines: ['vm.max_map_count = 65530', 'vm.overcommit_memory = 0'], kind: 'sysctl', facts: { 'max-map-count': 65530, 'overcommit-memory': 0 } },
    { name: 'proc/sys/vm/max_map_count', lines: ['262144'], kind: 'sysctl', facts: { 'max-map-count': 262144 } },
  ],
};
