import { describe, expect, it } from 'vitest';
import type { EvidenceFile, Fact, Finding, FailureSignal, Operation, CauseHint } from '../../src/core/index.js';
import { indexFacts } from '../../src/diagnose/facts.js';
import { decide } from '../../src/diagnose/verdict.js';
import { recommendMaxMapCount, remediate } from '../../src/diagnose/remediation.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function finding(failure: FailureSignal, operation: Operation, hint: CauseHint, captures: Record<string, number | string> = {}, line = 10): Finding {
  return {
    ruleId: `test-${operation}`,
    message: `test ${operation} failure`,
    severity: 'critical',
    systems: ['jvm'],
    signals: { failure, operation, hint },
    file: 'app.log',
    line,
    recordStartLine: line,
    format: 'plain',
    wrapper: 'none',
    text: 'x',
    recordLines: [],
    contextBefore: [],
    contextAfter: [],
    captures,
  };
}

function ev(file: string, facts: [string, number | true][]): EvidenceFile {
  return {
    file,
    kind: 'sysctl',
    facts: facts.map(([key, value], i) => ({ key, value, source: { file, line: i + 1 } }) as Fact),
  };
}

const mmapFail = finding('enomem', 'mmap', 'map-count', { size: 12288 });

describe('decide', () => {
  it('calls map-count exhaustion when the count is within 1% of the limit, with the trail naming both sources', () => {
    const facts = indexFacts([
      { file: 'maps.txt', kind: 'maps', facts: [{ key: 'map-count', value: 65524, complete: true, source: { file: 'maps.txt', line: 0 } }] },
      ev('sysctl.txt', [['max-map-count', 65530]]),
      ev('meminfo.txt', [
        ['mem-total', 64 * GiB],
        ['mem-available', 41 * GiB],
        ['swap-free', 0],
        ['swap-total', 0],
      ]),
    ]);
    const d = decide({ findings: [mmapFail], facts });
    expect(d.cause).toBe('map-count-exhaustion');
    expect(d.confidence).toBe('high');
    const step = d.trail.find((t) => t.step === 'map count vs limit')!;
    expect(step.fact).toContain('65,524');
    expect(step.sources).toEqual([
      { file: 'maps.txt', line: 0 },
      { file: 'sysctl.txt', line: 1 },
    ]);
  });

  it('does not call map-count exhaustion at 90% of the limit', () => {
    const facts = indexFacts([
      { file: 'maps.txt', kind: 'maps', facts: [{ key: 'map-count', value: 59000, complete: true, source: { file: 'maps.txt', line: 0 } }] },
      ev('sysctl.txt', [['max-map-count', 65530]]),
    ]);
    expect(decide({ findings: [mmapFail], facts }).cause).toBe('unknown');
  });

  it('says the default limit is assumed when vm.max_map_count is missing', () => {
    const facts = indexFacts([{ file: 'maps.txt', kind: 'maps', facts: [{ key: 'map-count', value: 65530, complete: true, source: { file: 'maps.txt', line: 0 } }] }]);
    const d = decide({ findings: [mmapFail], facts });
    expect(d.cause).toBe('map-count-exhaustion');
    expect(d.confidence).toBe('medium');
    expect(d.caveats.join(' ')).toContain('65,530 is assumed');
  });

  it('calls memory exhaustion when the commit limit is reached under overcommit_memory=2', () => {
    const facts = indexFacts([
      ev('sysctl.txt', [['overcommit-memory', 2]]),
      ev('meminfo.txt', [
        ['commit-limit', 20 * GiB],
        ['committed-as', 20 * GiB - 10 * MiB],
        ['mem-available', 6 * GiB],
        ['swap-free', 0],
      ]),
    ]);
    const d = decide({ findings: [finding('enomem', 'mmap', 'none', { size: 64 * MiB })], facts });
    expect(d.cause).toBe('memory-exhaustion');
    expect(d.confidence).toBe('high');
    expect(d.because).toContain('overcommit_memory=2');
  });

  it('calls memory exhaustion when the request exceeds available memory plus free swap', () => {
    const facts = indexFacts([
      ev('meminfo.txt', [
        ['mem-total', 16 * GiB],
        ['mem-available', 1 * GiB],
        ['swap-free', 0],
        ['swap-total', 0],
      ]),
    ]);
    const d = decide({ findings: [finding('enomem', 'commit', 'none', { size: 4 * GiB })], facts });
    expect(d.cause).toBe('memory-exhaustion');
  });

  it('calls address-space limit when VmSize is at RLIMIT_AS', () => {
    const facts = indexFacts([
      ev('limits.txt', [['rlimit-as', 8 * GiB]]),
      ev('status.txt', [['vm-size', 8 * GiB - 100 * MiB]]),
      ev('meminfo.txt', [
        ['mem-total', 64 * GiB],
        ['mem-available', 40 * GiB],
        ['swap-free', 0],
        ['swap-total', 0],
      ]),
    ]);
    const d = decide({ findings: [finding('enomem', 'mmap', 'none', { size: 128 * MiB })], facts });
    expect(d.cause).toBe('address-space-limit');
    expect(d.confidence).toBe('high');
  });

  it('calls cgroup limit when usage sits at the cgroup limit', () => {
    const facts = indexFacts([
      ev('memory.max', [
        ['cgroup-memory-limit', 4 * GiB],
        ['cgroup-memory-usage', 4 * GiB - MiB],
      ]),
    ]);
    expect(decide({ findings: [finding('enomem', 'runtime', 'none')], facts }).cause).toBe('cgroup-memory-limit');
  });

  it('calls thread limit when threads sit at RLIMIT_NPROC', () => {
    const facts = indexFacts([
      ev('limits.txt', [['rlimit-nproc', 4096]]),
      ev('status.txt', [['threads', 4093]]),
      ev('meminfo.txt', [
        ['mem-available', 20 * GiB],
        ['swap-free', 0],
      ]),
    ]);
    const d = decide({ findings: [finding('enomem', 'thread-create', 'thread')], facts });
    expect(d.cause).toBe('thread-limit');
    expect(d.confidence).toBe('high');
  });

  it('prefers memory over threads when commit headroom is gone (krashpad dataset 66 shape)', () => {
    const facts = indexFacts([
      ev('limits.txt', [['rlimit-nproc', 4096]]),
      ev('meminfo.txt', [
        ['commit-limit', 32 * GiB],
        ['committed-as', 32 * GiB - 28 * MiB],
        ['mem-available', 10 * GiB],
        ['swap-free', 1 * GiB],
      ]),
    ]);
    expect(decide({ findings: [finding('enomem', 'thread-create', 'thread')], facts }).cause).toBe('memory-exhaustion');
  });

  it('stays unknown with low confidence from log text alone, leaning to map count', () => {
    const d = decide({ findings: [mmapFail], facts: indexFacts([]) });
    expect(d.cause).toBe('unknown');
    expect(d.confidence).toBe('low');
    expect(d.because).toContain('map-count');
  });

  it('flags a limit that is too low for a data directory without any failure', () => {
    const facts = indexFacts([ev('listing.txt', [['kafka-index-files', 90000]]), ev('sysctl.txt', [['max-map-count', 65530]])]);
    const d = decide({ findings: [], facts });
    expect(d.cause).toBe('map-count-limit-low');
    expect(d.needed?.value).toBe(90000);
  });

  it('reports a non-ENOMEM mmap failure as other-mmap-error', () => {
    const d = decide({ findings: [finding('non-enomem', 'mmap', 'none', { errno: 22 })], facts: indexFacts([]) });
    expect(d.cause).toBe('other-mmap-error');
  });

  it('calls map-count exhaustion from threads × 2 (stack + guard page) reaching the limit', () => {
    const facts = indexFacts([ev('status.txt', [['threads', 32765]]), ev('sysctl.txt', [['max-map-count', 65530]])]);
    const d = decide({ findings: [finding('enomem', 'thread-create', 'thread')], facts });
    expect(d.cause).toBe('map-count-exhaustion');
    expect(d.confidence).toBe('medium');
    expect(d.because).toContain('32,765 threads × 2');
  });

  it('calls a cgroup limit from memory.events oom_kill, and from the kernel cgroup OOM line', () => {
    const facts = indexFacts([
      ev('memory.events', [
        ['cgroup-memory-limit', 4 * GiB],
        ['cgroup-oom-kills', 3],
      ]),
    ]);
    const d = decide({ findings: [finding('enomem', 'runtime', 'none')], facts });
    expect(d.cause).toBe('cgroup-memory-limit');
    expect(d.because).toContain('killed 3 processes');
    const kernel = decide({ findings: [finding('oom-kill', 'kill', 'cgroup')], facts: indexFacts([]) });
    expect(kernel.cause).toBe('cgroup-memory-limit');
  });

  it('calls memory exhaustion from the system OOM killer', () => {
    const d = decide({ findings: [finding('oom-kill', 'kill', 'memory')], facts: indexFacts([]) });
    expect(d.cause).toBe('memory-exhaustion');
    expect(d.confidence).toBe('high');
  });

  it('calls address-space limit for a 32-bit JVM, and for a native heap grown up to the compressed-oops heap base', () => {
    const bit32 = decide({ findings: [mmapFail], facts: indexFacts([ev('hs_err.log', [['jvm-32bit', true]])]) });
    expect(bit32.cause).toBe('address-space-limit');
    expect(bit32.confidence).toBe('high');
    const near = indexFacts([
      ev('hs_err.log', [
        ['heap-base', 0x1c0000000],
        ['native-heap-top', 0x1b6787000],
        ['mem-total', 80 * GiB],
        ['mem-free', 25 * GiB],
        ['swap-free', 0],
        ['swap-total', 0],
      ]),
    ]);
    expect(decide({ findings: [mmapFail], facts: near }).cause).toBe('address-space-limit');
    const far = indexFacts([
      ev('hs_err.log', [
        ['heap-base', 0x300000000],
        ['native-heap-top', 0x1237ae000],
        ['mem-total', 80 * GiB],
        ['mem-free', 30 * GiB],
        ['swap-free', 0],
        ['swap-total', 0],
      ]),
    ]);
    expect(decide({ findings: [mmapFail], facts: far }).cause).not.toBe('address-space-limit');
  });

  it('calls address-space limit with medium confidence when RLIMIT_AS is finite but VmSize was not captured', () => {
    const d = decide({ findings: [mmapFail], facts: indexFacts([ev('limits.txt', [['rlimit-as', 8 * GiB]])]) });
    expect(d.cause).toBe('address-space-limit');
    expect(d.confidence).toBe('medium');
  });

  it('calls thread limit when the cgroup pids.current sits at pids.max', () => {
    const facts = indexFacts([
      ev('pids.max', [
        ['cgroup-pids-max', 1024],
        ['cgroup-pids-current', 1024],
      ]),
    ]);
    const d = decide({ findings: [finding('enomem', 'thread-create', 'thread')], facts });
    expect(d.cause).toBe('thread-limit');
    expect(d.because).toContain('pids.max');
  });

  it('says the snapshot missed the failure when map count and memory were both fine', () => {
    const facts = indexFacts([
      { file: 'maps.txt', kind: 'maps', facts: [{ key: 'map-count', value: 900, complete: true, source: { file: 'maps.txt', line: 0 } }] },
      ev('meminfo.txt', [
        ['mem-total', 64 * GiB],
        ['mem-available', 40 * GiB],
        ['swap-free', 0],
        ['swap-total', 0],
      ]),
    ]);
    const d = decide({ findings: [mmapFail], facts });
    expect(d.cause).toBe('unknown');
    expect(d.because).toContain('taken after a restart');
  });
});

describe('remediation', () => {
  it('recommends needed + 30%, at least 262144, rounded to a power of two', () => {
    expect(recommendMaxMapCount(65530)).toBe(262144);
    expect(recommendMaxMapCount(250000)).toBe(524288);
    expect(recommendMaxMapCount(900000)).toBe(2097152);
  });

  it('gives copy-ready sysctl commands for map-count exhaustion', () => {
    const facts = indexFacts([ev('listing.txt', [['kafka-index-files', 300000]]), ev('sysctl.txt', [['max-map-count', 65530]])]);
    const d = decide({ findings: [mmapFail], facts });
    const r = remediate(d, 'kafka');
    expect(r.recommendedMaxMapCount).toBe(524288);
    const cmds = r.steps.flatMap((s) => s.commands);
    expect(cmds).toContain('sudo sysctl -w vm.max_map_count=524288');
    expect(cmds.some((c) => c.includes('/etc/sysctl.d/'))).toBe(true);
    expect(r.steps.some((s) => s.title.includes('Kubernetes'))).toBe(true);
  });
});
