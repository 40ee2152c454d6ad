import { describe, expect, it } from 'vitest';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';

describe('prometheus-startup', () => {
  it('reads vm_limits (RLIMIT_AS) and fd_limits (RLIMIT_NOFILE), soft values', () => {
    const lines = [
      'level=info ts=2024-03-01T10:00:00.000Z caller=main.go:585 msg="Starting Prometheus" version="(version=2.45.0)"',
      'level=info ts=2024-03-01T10:00:00.001Z caller=main.go:591 host_details="(Linux 5.15.0 x86_64 prom-0)"',
      'level=info ts=2024-03-01T10:00:00.001Z caller=main.go:592 fd_limits="(soft=1048576, hard=1048576)"',
      'level=info ts=2024-03-01T10:00:00.001Z caller=main.go:593 vm_limits="(soft=unlimited, hard=unlimited)"',
    ];
    expect(detectEvidence(lines, 'prometheus.log')).toBe('prometheus-startup');
    const { evidence } = parseEvidence('prometheus-startup', 'prometheus.log', lines);
    expect(evidence.facts.map((f) => [f.key, f.value, f.source.line])).toEqual([
      ['rlimit-nofile', 1048576, 3],
      ['rlimit-as', Infinity, 4],
    ]);
  });

  it('keeps a numeric soft address-space limit', () => {
    const { evidence } = parseEvidence('prometheus-startup', 'p.log', ['ts=x vm_limits="(soft=8589934592, hard=unlimited)"']);
    expect(evidence.facts).toMatchObject([{ key: 'rlimit-as', value: 8589934592 }]);
  });
});
