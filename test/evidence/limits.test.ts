import { describe, expect, it } from 'vitest';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';

const LIMITS = [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max cpu time              unlimited            unlimited            seconds   ',
  'Max file size             unlimited            unlimited            bytes     ',
  'Max data size             unlimited            unlimited            bytes     ',
  'Max stack size            8388608              unlimited            bytes     ',
  'Max core file size        0                    unlimited            bytes     ',
  'Max resident set          unlimited            unlimited            bytes     ',
  'Max processes             4096                 127431               processes ',
  'Max open files            65536                1048576              files     ',
  'Max locked memory         65536                65536                bytes     ',
  'Max address space         8589934592           unlimited            bytes     ',
  'Max file locks            unlimited            unlimited            locks     ',
  '',
];

describe('limits', () => {
  it('reads /proc/pid/limits: the soft limit applies, unlimited is Infinity', () => {
    expect(detectEvidence(LIMITS, 'limits')).toBe('limits');
    const { evidence, problems } = parseEvidence('limits', 'proc/4242/limits', LIMITS);
    expect(problems).toEqual([]);
    const by = Object.fromEntries(evidence.facts.map((f) => [f.key, f]));
    expect(by['rlimit-as']).toMatchObject({ value: 8589934592, source: { file: 'proc/4242/limits', line: 11 } });
    expect(by['rlimit-data']).toMatchObject({ value: Infinity, source: { line: 4 } });
    expect(by['rlimit-nproc']).toMatchObject({ value: 4096, source: { line: 8 } });
    expect(by['rlimit-nofile']).toMatchObject({ value: 65536, source: { line: 9 } });
  });

  it('reads bash ulimit -a (kbytes → bytes)', () => {
    const text = [
      'core file size          (blocks, -c) 0',
      'data seg size           (kbytes, -d) unlimited',
      'scheduling priority             (-e) 0',
      'file size               (blocks, -f) unlimited',
      'max locked memory       (kbytes, -l) 64',
      'open files                      (-n) 1024',
      'pipe size            (512 bytes, -p) 8',
      'stack size              (kbytes, -s) 8192',
      'max user processes              (-u) 4096',
      'virtual memory          (kbytes, -v) 4194304',
    ];
    expect(detectEvidence(text, 'ulimit.txt')).toBe('limits');
    const { evidence } = parseEvidence('limits', 'ulimit.txt', text);
    expect(evidence.facts.map((f) => [f.key, f.value, f.source.line])).toEqual([
      ['rlimit-data', Infinity, 2],
      ['rlimit-nofile', 1024, 6],
      ['rlimit-nproc', 4096, 9],
      ['rlimit-as', 4194304 * 1024, 10],
    ]);
  });

  it('reads dash/zsh-style -v: rows', () => {
    const text = [
      '-t: cpu time (seconds)              unlimited',
      '-d: data seg size (kbytes)          unlimited',
      '-u: processes                       63449',
      '-n: file descriptors                1024',
      '-v: address space (kbytes)          unlimited',
    ];
    expect(detectEvidence(text, 'u')).toBe('limits');
    const { evidence } = parseEvidence('limits', 'u', text);
    expect(evidence.facts.map((f) => [f.key, f.value])).toEqual([
      ['rlimit-data', Infinity],
      ['rlimit-nproc', 63449],
      ['rlimit-nofile', 1024],
      ['rlimit-as', Infinity],
    ]);
  });
});
