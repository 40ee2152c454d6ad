// /proc/<pid>/status: process name, pid, thread count and virtual / resident size (kB → bytes).

import type { Fact } from '../core/index.js';
import { num, text } from './util.js';
import { factsOnly, type EvidenceParserDef } from './parser.js';

const ROW = /^([A-Za-z_]+):\s*(.*?)\s*$/;

export function detectStatus(head: readonly string[]): boolean {
  const keys = new Set<string>();
  for (const l of head) {
    const m = ROW.exec(l.trim());
    if (m) keys.add(m[1] ?? '');
  }
  return keys.has('Name') && (keys.has('Pid') || keys.has('Tgid') || keys.has('VmSize') || keys.has('Threads'));
}

export function parseStatus(file: string, lines: readonly string[]): Fact[] {
  const facts: Fact[] = [];
  const seen = new Set<string>();
  const method = '/proc/pid/status';
  lines.forEach((line, i) => {
    const m = ROW.exec(line.trim());
    if (!m) return;
    const key = m[1] ?? '';
    const value = m[2] ?? '';
    if (seen.has(key)) return;
    const ln = i + 1;
    const kb = /^(\d+)\s*kB$/.exec(value);
    switch (key) {
      case 'Name':
        if (value !== '') facts.push(text('process-name', value, file, ln));
        break;
      case 'Pid':
        if (/^\d+$/.test(value)) facts.push(num('pid', Number(value), file, ln, { method }));
        break;
      case 'Threads':
        if (/^\d+$/.test(value)) facts.push(num('threads', Number(value), file, ln, { method }));
        break;
      case 'VmSize':
        if (kb) facts.push(num('vm-size', Number(kb[1]) * 1024, file, ln, { method }));
        break;
      case 'VmRSS':
        if (kb) facts.push(num('vm-rss', Number(kb[1]) * 1024, file, ln, { method }));
        break;
      default:
        return;
    }
    seen.add(key);
  });
  return facts;
}

export const statusEvidence: EvidenceParserDef = {
  name: 'status',
  kinds: ['status'],
  description: '/proc/<pid>/status',
  detect: (head) => (detectStatus(head) ? 'status' : null),
  parse: (kind, file, lines) => factsOnly(kind, file, parseStatus(file, lines), statusEvidence.description),
  facts: ['pid', 'process-name', 'threads', 'vm-size', 'vm-rss'],
  samples: [
    {
      name: 'proc/4242/status',
      lines: ['Name:\tjava', 'State:\tS (sleeping)', 'Pid:\t4242', 'VmSize:\t 8388608 kB', 'VmRSS:\t 1048576 kB', 'Threads:\t312'],
      kind: 'status',
      facts: { pid: 4242, threads: 312, 'process-name': 'java' },
    },
  ],
};
