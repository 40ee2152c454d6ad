import { describe, expect, it } from 'vitest';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';

describe('detectEvidence', () => {
  it('tells kinds apart by content', () => {
    expect(detectEvidence(['7f1778675000-7f1779326000 r-xp 00000000 fd:02 152814   /opt/jdk/lib/server/libjvm.so'], 'whatever')).toBe('maps');
    expect(detectEvidence(['Name:\tjava', 'Pid:\t1', 'Threads:\t3'], 'x')).toBe('status');
    expect(detectEvidence(['MemTotal:       16249788 kB', 'MemFree:          243408 kB'], 'x')).toBe('meminfo');
    expect(detectEvidence(['low 0', 'high 0', 'max 3', 'oom 1', 'oom_kill 1'], 'x')).toBe('cgroup');
    expect(detectEvidence(['vm.max_map_count = 65530'], 'x')).toBe('sysctl');
  });

  it('uses the name only for bare values', () => {
    expect(detectEvidence(['65530'], 'proc/sys/vm/max_map_count')).toBe('sysctl');
    expect(detectEvidence(['max'], 'pids.max')).toBe('cgroup');
    expect(detectEvidence(['65530'], 'notes.txt')).toBeNull();
    // A file called max_map_count that holds a maps snapshot is a maps snapshot.
    expect(detectEvidence(['00400000-00401000 r-xp 00000000 fd:02 5 /bin/java'], 'max_map_count')).toBe('maps');
  });

  it('returns null for empty input and plain logs', () => {
    expect(detectEvidence([], 'x')).toBeNull();
    expect(detectEvidence(['', '  '], 'x')).toBeNull();
    expect(detectEvidence(['2024-01-01 INFO started', '2024-01-01 WARN slow'], 'app.log')).toBeNull();
  });

  it('parses a maps snapshot through parseMaps with its breakdown', () => {
    const lines = [
      '00400000-00401000 r-xp 00000000 fd:02 5                          /bin/java',
      '01a55000-01a76000 rw-p 00000000 00:00 0                          [heap]',
      '7fff0be5a000-7fff0be7c000 rw-p 00000000 00:00 0                  [stack]',
      '',
    ];
    const { evidence } = parseEvidence('maps', 'proc/42/maps', lines);
    expect(evidence.kind).toBe('maps');
    expect(evidence.facts.find((f) => f.key === 'map-count')).toMatchObject({ value: 3, complete: true });
    expect(evidence.maps?.regions).toBe(3);
  });

  it('reports a recognised but empty file as unparsed, without throwing', () => {
    const r = parseEvidence('limits', 'limits', ['Limit                     Soft Limit           Hard Limit           Units']);
    expect(r.evidence.facts).toEqual([]);
    expect(r.problems).toMatchObject([{ code: 'evidence-unparsed', file: 'limits' }]);
  });
});
