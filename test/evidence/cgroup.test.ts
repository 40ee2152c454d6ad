import { describe, expect, it } from 'vitest';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';

function one(file: string, text: string) {
  const lines = text.split('\n');
  const kind = detectEvidence(lines, file);
  expect(kind).toBe('cgroup');
  return parseEvidence('cgroup', file, lines);
}

describe('cgroup', () => {
  it('reads v2 bare files by name; max is unlimited', () => {
    expect(one('sys/fs/cgroup/memory.max', '4294967296\n').evidence.facts).toMatchObject([{ key: 'cgroup-memory-limit', value: 4294967296, source: { line: 1 } }]);
    expect(one('memory.max', 'max\n').evidence.facts).toMatchObject([{ key: 'cgroup-memory-limit', value: Infinity }]);
    expect(one('memory.current', '4293001216\n').evidence.facts).toMatchObject([{ key: 'cgroup-memory-usage', value: 4293001216 }]);
    expect(one('memory.peak', '4294967296\n').evidence.facts).toMatchObject([{ key: 'cgroup-memory-max-usage', value: 4294967296 }]);
    expect(one('pids.max', '1024\n').evidence.facts).toMatchObject([{ key: 'cgroup-pids-max', value: 1024 }]);
    expect(one('pids.current', '1019\n').evidence.facts).toMatchObject([{ key: 'cgroup-pids-current', value: 1019 }]);
  });

  it('reads v1 files; the no-limit sentinel is Infinity', () => {
    expect(one('memory.limit_in_bytes', '9223372036854771712\n').evidence.facts).toMatchObject([{ key: 'cgroup-memory-limit', value: Infinity }]);
    expect(one('memory.usage_in_bytes', '1073741824\n').evidence.facts).toMatchObject([{ key: 'cgroup-memory-usage', value: 1073741824 }]);
    expect(one('memory.max_usage_in_bytes', '2147483648\n').evidence.facts).toMatchObject([{ key: 'cgroup-memory-max-usage', value: 2147483648 }]);
    expect(one('memory.failcnt', '17\n').evidence.facts).toMatchObject([{ key: 'cgroup-memory-failcnt', value: 17 }]);
  });

  it('reads memory.events: max count as the failcnt, oom_kill as the cgroup OOM kills', () => {
    const { evidence } = one('memory.events', 'low 0\nhigh 0\nmax 42\noom 3\noom_kill 3\n');
    expect(evidence.facts).toMatchObject([
      { key: 'cgroup-memory-failcnt', value: 42, source: { line: 3 } },
      { key: 'cgroup-oom-kills', value: 3, source: { line: 5 } },
    ]);
  });

  it('reads a v1 memory.stat limit', () => {
    const { evidence } = one('memory.stat', 'cache 1000\nrss 2000\nmapped_file 30\nhierarchical_memory_limit 4294967296\n');
    expect(evidence.facts).toMatchObject([{ key: 'cgroup-memory-limit', value: 4294967296, source: { line: 4 } }]);
  });

  it('reads a saved hs_err container section (k units, unlimited)', () => {
    const text = [
      'container (cgroup) information:',
      'container_type: cgroupv2',
      'memory_limit_in_bytes: 4194304 k',
      'memory_and_swap_limit_in_bytes: unlimited',
      'memory_usage_in_bytes: 4190000 k',
      'memory_max_usage_in_bytes: not supported',
      'maximum number of tasks: unlimited',
      'current number of tasks: 88',
      '',
    ].join('\n');
    const { evidence } = one('container.txt', text);
    expect(evidence.facts.map((f) => [f.key, f.value, f.source.line])).toEqual([
      ['cgroup-memory-limit', 4194304 * 1024, 3],
      ['cgroup-memory-usage', 4190000 * 1024, 5],
      ['cgroup-pids-max', Infinity, 7],
      ['cgroup-pids-current', 88, 8],
    ]);
  });

  it('does not take a bare number with an unknown name for a cgroup file', () => {
    expect(detectEvidence(['4294967296'], 'limit.txt')).toBeNull();
  });
});
