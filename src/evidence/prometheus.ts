// Prometheus / Cortex / Thanos startup lines (logfmt): `vm_limits="(soft=unlimited, hard=unlimited)"`
// is RLIMIT_AS, `fd_limits="(soft=1048576, hard=1048576)"` is RLIMIT_NOFILE. The soft value applies.

import type { Fact, NumericFactKey } from '../core/index.js';
import { num, parseSize } from './util.js';
import { factsOnly, type EvidenceParserDef } from './parser.js';

const LIMIT = /\b(vm_limits|fd_limits)="?\(soft=([^,]+),\s*hard=([^)]+)\)"?/;

export function detectPrometheusStartup(head: readonly string[]): boolean {
  return head.some((l) => LIMIT.test(l));
}

export function parsePrometheusStartup(file: string, lines: readonly string[]): Fact[] {
  const facts = new Map<NumericFactKey, Fact>();
  lines.forEach((line, i) => {
    const m = LIMIT.exec(line);
    if (!m) return;
    const key: NumericFactKey = m[1] === 'vm_limits' ? 'rlimit-as' : 'rlimit-nofile';
    const v = parseSize(m[2] ?? '');
    // The last start in the log is the one that matters for the failure that follows it.
    if (v !== null) facts.set(key, num(key, v, file, i + 1, { method: `Prometheus startup ${m[1] ?? ''} soft limit` }));
  });
  return [...facts.values()].sort((a, b) => a.source.line - b.source.line);
}

export const prometheusStartupEvidence: EvidenceParserDef = {
  name: 'prometheus-startup',
  kinds: ['prometheus-startup'],
  description: 'a Prometheus startup log',
  detect: (head) => (detectPrometheusStartup(head) ? 'prometheus-startup' : null),
  parse: (kind, file, lines) => factsOnly(kind, file, parsePrometheusStartup(file, lines), prometheusStartupEvidence.description),
  facts: ['rlimit-as', 'rlimit-nofile'],
  samples: [
    {
      name: 'prometheus.log',
      lines: [
        'ts=2024-05-01T12:00:00.000Z caller=main.go:1 level=info msg="Starting Prometheus"',
        'ts=2024-05-01T12:00:00.001Z caller=main.go:2 level=info fd_limits="(soft=1048576, hard=1048576)"',
        'ts=2024-05-01T12:00:00.002Z caller=main.go:3 level=info vm_limits="(soft=unlimited, hard=unlimited)"',
      ],
      kind: 'prometheus-startup',
      facts: { 'rlimit-nofile': 1048576, 'rlimit-as': Infinity },
    },
  ],
};
