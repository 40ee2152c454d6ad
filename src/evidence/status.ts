// /proc/<pid>/status: process name, pid, thread count and virtual / resident size (kB → bytes).

import type { Fact } from '../core/index.js';
import { num, text } from './util.js';

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
