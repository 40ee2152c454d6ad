import { describe, expect, it } from 'vitest';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';

const MEMINFO = [
  'MemTotal:       16249788 kB',
  'MemFree:          243408 kB',
  'MemAvailable:    1203412 kB',
  'Buffers:           10240 kB',
  'Cached:           905132 kB',
  'SwapCached:            0 kB',
  'SwapTotal:       8388604 kB',
  'SwapFree:        8388604 kB',
  'CommitLimit:    16513496 kB',
  'Committed_AS:   21984000 kB',
  'HugePages_Total:       0',
  '',
].join('\n');

function value(facts: readonly { key: string; value: unknown }[], key: string): unknown {
  return facts.find((f) => f.key === key)?.value;
}

describe('meminfo', () => {
  it('reads /proc/meminfo in bytes with lines', () => {
    const lines = MEMINFO.split('\n');
    expect(detectEvidence(lines, 'meminfo')).toBe('meminfo');
    const { evidence, problems } = parseEvidence('meminfo', 'host/meminfo', lines);
    expect(problems).toEqual([]);
    expect(value(evidence.facts, 'mem-total')).toBe(16249788 * 1024);
    expect(value(evidence.facts, 'mem-free')).toBe(243408 * 1024);
    expect(value(evidence.facts, 'mem-available')).toBe(1203412 * 1024);
    expect(value(evidence.facts, 'swap-total')).toBe(8388604 * 1024);
    expect(value(evidence.facts, 'swap-free')).toBe(8388604 * 1024);
    expect(value(evidence.facts, 'commit-limit')).toBe(16513496 * 1024);
    expect(evidence.facts.find((f) => f.key === 'committed-as')).toMatchObject({ value: 21984000 * 1024, source: { file: 'host/meminfo', line: 10 } });
    expect(evidence.facts).toHaveLength(7);
  });

  it('reads free -b (new column layout)', () => {
    const text = [
      '               total        used        free      shared  buff/cache   available',
      'Mem:     16640598016  9870106624   480415744   356229120  6290075648  6066110464',
      'Swap:     8589930496   104857600  8485072896',
      '',
    ].join('\n');
    expect(detectEvidence(text.split('\n'), 'free.txt')).toBe('meminfo');
    const { evidence } = parseEvidence('meminfo', 'free.txt', text.split('\n'));
    expect(value(evidence.facts, 'mem-total')).toBe(16640598016);
    expect(value(evidence.facts, 'mem-available')).toBe(6066110464);
    expect(evidence.facts.find((f) => f.key === 'swap-free')).toMatchObject({ value: 8485072896, source: { line: 3 } });
  });

  it('reads free -m when the file name says so, and free (KiB) by default', () => {
    const m = [
      '              total        used        free      shared  buff/cache   available',
      'Mem:          15869        9413         458         339        5998        5785',
      'Swap:          8191         100        8091',
    ];
    const mm = parseEvidence('meminfo', 'free-m.txt', m);
    expect(value(mm.evidence.facts, 'mem-total')).toBe(15869 * 1024 ** 2);
    const k = [
      '              total        used        free      shared  buff/cache   available',
      'Mem:       16250584     9639124      469156      347880     6142304     5923884',
      'Swap:       8388604      102400     8286204',
    ];
    const kk = parseEvidence('meminfo', 'free.out', k);
    expect(value(kk.evidence.facts, 'mem-total')).toBe(16250584 * 1024);
    expect(value(kk.evidence.facts, 'swap-total')).toBe(8388604 * 1024);
  });

  it('reads free -h suffixes', () => {
    const h = [
      '               total        used        free      shared  buff/cache   available',
      'Mem:            15Gi       9.2Gi       458Mi       339Mi       5.9Gi       5.6Gi',
      'Swap:          8.0Gi       100Mi       7.9Gi',
    ];
    const { evidence } = parseEvidence('meminfo', 'free-h.txt', h);
    expect(value(evidence.facts, 'mem-total')).toBe(15 * 1024 ** 3);
    expect(value(evidence.facts, 'mem-free')).toBe(458 * 1024 ** 2);
  });

  it('reads CRLF free output', () => {
    const lines = [
      '              total        used        free      shared  buff/cache   available\r',
      'Mem:       16250584     9639124      469156      347880     6142304     5923884\r',
      'Swap:       8388604      102400     8286204\r',
    ];
    const { evidence } = parseEvidence('meminfo', 'free.out', lines);
    expect(value(evidence.facts, 'mem-available')).toBe(5923884 * 1024);
    expect(value(evidence.facts, 'swap-free')).toBe(8286204 * 1024);
  });
});
