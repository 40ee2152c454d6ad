import { describe, expect, it } from 'vitest';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';

function facts(kind: Parameters<typeof parseEvidence>[0], file: string, text: string) {
  return parseEvidence(kind, file, text.split('\n'));
}

describe('sysctl', () => {
  it('reads sysctl -a output with line numbers', () => {
    const text = [
      'kernel.panic = 0',
      'kernel.pid_max = 4194304',
      'kernel.threads-max = 254608',
      'vm.max_map_count = 65530',
      'vm.overcommit_memory = 2',
      'vm.overcommit_ratio = 80',
      'vm.swappiness = 60',
      '',
    ].join('\n');
    expect(detectEvidence(text.split('\n'), 'sysctl-a.txt')).toBe('sysctl');
    const { evidence, problems } = facts('sysctl', 'host/sysctl-a.txt', text);
    expect(problems).toEqual([]);
    const byKey = Object.fromEntries(evidence.facts.map((f) => [f.key, f]));
    expect(byKey['max-map-count']).toMatchObject({ value: 65530, source: { file: 'host/sysctl-a.txt', line: 4 } });
    expect(byKey['pid-max']).toMatchObject({ value: 4194304, source: { line: 2 } });
    expect(byKey['threads-max']).toMatchObject({ value: 254608, source: { line: 3 } });
    expect(byKey['overcommit-memory']).toMatchObject({ value: 2, source: { line: 5 } });
    expect(byKey['overcommit-ratio']).toMatchObject({ value: 80, source: { line: 6 } });
  });

  it('detects a sorted sysctl -a head that has no vm.* key yet', () => {
    const head = ['abi.vsyscall32 = 1', 'debug.exception-trace = 1', 'dev.cdrom.autoclose = 1', 'fs.file-max = 9223372036854775807'];
    expect(detectEvidence(head, 'x.txt')).toBe('sysctl');
  });

  it('reads a single sysctl query', () => {
    const { evidence } = facts('sysctl', 's.txt', 'vm.max_map_count = 262144\n');
    expect(evidence.facts).toEqual([{ key: 'max-map-count', value: 262144, source: { file: 's.txt', line: 1 }, method: 'sysctl setting' }]);
  });

  it('applies sysctl.conf semantics: comments skipped, the last setting wins', () => {
    const text = '# tuned for kafka\nvm.max_map_count=65530\n; old\nvm.max_map_count = 262144\nkernel.pid_max=32768\n';
    expect(detectEvidence(text.split('\n'), 'sysctl.conf')).toBe('sysctl');
    const { evidence } = facts('sysctl', 'etc/sysctl.conf', text);
    const mmc = evidence.facts.find((f) => f.key === 'max-map-count');
    expect(mmc).toMatchObject({ value: 262144, source: { line: 4 } });
  });

  it('reads a bare /proc/sys file by its name', () => {
    expect(detectEvidence(['65530', ''], 'bundle/proc/sys/vm/max_map_count')).toBe('sysctl');
    expect(detectEvidence(['4194304'], 'pid_max')).toBe('sysctl');
    expect(detectEvidence(['65530'], 'random.txt')).toBeNull();
    const { evidence } = facts('sysctl', 'bundle/proc/sys/vm/max_map_count', '65530\n');
    expect(evidence.facts).toMatchObject([{ key: 'max-map-count', value: 65530, source: { line: 1 } }]);
    const t = facts('sysctl', 'proc/sys/kernel/threads-max', '\n127431\n');
    expect(t.evidence.facts).toMatchObject([{ key: 'threads-max', value: 127431, source: { line: 2 } }]);
  });

  it('reads grep . /proc/sys/vm/* output', () => {
    const { evidence } = facts('sysctl', 'g.txt', '/proc/sys/vm/max_map_count:65530\n/proc/sys/vm/overcommit_memory:0\n');
    expect(evidence.facts.map((f) => [f.key, f.value])).toEqual([
      ['max-map-count', 65530],
      ['overcommit-memory', 0],
    ]);
  });

  it('reports a sysctl file without any known value as unparsed', () => {
    const { evidence, problems } = facts('sysctl', 's.txt', 'vm.swappiness = 60\n');
    expect(evidence.facts).toEqual([]);
    expect(problems).toMatchObject([{ code: 'evidence-unparsed', file: 's.txt' }]);
  });
});
