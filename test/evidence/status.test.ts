import { describe, expect, it } from 'vitest';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';

const STATUS = [
  'Name:\tjava',
  'Umask:\t0022',
  'State:\tS (sleeping)',
  'Tgid:\t23171',
  'Ngid:\t0',
  'Pid:\t23171',
  'PPid:\t1',
  'VmPeak:\t 9878664 kB',
  'VmSize:\t 9812344 kB',
  'VmRSS:\t 4123456 kB',
  'Threads:\t312',
  '',
];

describe('status', () => {
  it('reads name, pid, threads and sizes', () => {
    expect(detectEvidence(STATUS, 'status')).toBe('status');
    const { evidence, problems } = parseEvidence('status', 'proc/23171/status', STATUS);
    expect(problems).toEqual([]);
    expect(evidence.facts.map((f) => [f.key, f.value, f.source.line])).toEqual([
      ['process-name', 'java', 1],
      ['pid', 23171, 6],
      ['vm-size', 9812344 * 1024, 9],
      ['vm-rss', 4123456 * 1024, 10],
      ['threads', 312, 11],
    ]);
  });
});
