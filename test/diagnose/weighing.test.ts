// The weighing rules of issue #10 through the verdict engine and the remediation, with evidence
// shapes from several systems: smallest request first, tiny failures, the heap commit at JVM
// start, a count at its limit without a failure, pids evidence, 32-bit markers next to a
// failure, the lean and when it is dropped, and fixes that use the captured numbers.

import { describe, expect, it } from 'vitest';
import type { EvidenceFile, Fact, Finding, FailureSignal, Operation, CauseHint } from '../../src/core/index.js';
import { indexFacts } from '../../src/diagnose/facts.js';
import { decide } from '../../src/diagnose/verdict.js';
import { remediate } from '../../src/diagnose/remediation.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function finding(failure: FailureSignal, operation: Operation, hint: CauseHint, captures: Record<string, number | string> = {}, line = 10, file = 'app.log'): Finding {
  return {
    ruleId: `test-${operation}`,
    message: `test ${operation} failure`,
    severity: 'critical',
    systems: ['jvm'],
    signals: { failure, operation, hint },
    file,
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

function ev(file: string, facts: [string, number | true, Partial<Fact>?][], kind: EvidenceFile['kind'] = 'sysctl'): EvidenceFile {
  return { file, kind, facts: facts.map(([key, value, extra], i) => ({ key, value, source: { file, line: i + 1 }, ...(extra ?? {}) }) as Fact) };
}

const roomy = ev(
  'meminfo',
  [
    ['mem-total', 64 * GiB],
    ['mem-available', 40 * GiB],
    ['swap-total', 0],
    ['swap-free', 0],
  ],
  'meminfo',
);

describe('weighing', () => {
  it('the smallest failed request drives the count-versus-memory step (Go 49-byte map beside a 2 MiB malloc)', () => {
    const d = decide({
      findings: [finding('enomem', 'malloc', 'none', { size: 2 * MiB }, 5), finding('enomem', 'mmap', 'none', { size: 49 }, 9)],
      facts: indexFacts([roomy]),
    });
    expect(d.requests.map((r) => r.bytes)).toEqual([49, 2 * MiB]);
    expect(d.trail.find((t) => t.step === 'request size')!.fact).toBe('smallest failed request 49 B (largest 2.00 MiB, 2 sizes captured)');
    expect(d.because).toContain('likeliest cause: map-count exhaustion');
  });

  it('tiny stack-guard / mprotect failures with memory not short: map-count-exhaustion at medium (JVM, glibc)', () => {
    const d = decide({ findings: [finding('enomem', 'stack-guard', 'map-count', {}, 3), finding('enomem', 'commit', 'none', { size: 12288 }, 6)], facts: indexFacts([roomy]) });
    expect(d.cause).toBe('map-count-exhaustion');
    expect(d.confidence).toBe('medium');
    expect(d.trail.map((t) => t.step)).toContain('tiny failures');
    // Without memory figures the same lines stay undecided.
    expect(decide({ findings: [finding('enomem', 'stack-guard', 'map-count', {}, 3)], facts: indexFacts([]) }).cause).toBe('unknown');
  });

  it('a whole-heap commit at the heap base during JVM start-up is memory-exhaustion at medium', () => {
    const hs = ev('hs_err_pid1.log', [['heap-base', 0x600000000]], 'hs-err');
    const d = decide({ findings: [finding('enomem', 'commit', 'none', { size: 8 * GiB, addr: '0x0000000600000000' })], facts: indexFacts([hs]) });
    expect(d.cause).toBe('memory-exhaustion');
    expect(d.confidence).toBe('medium');
    expect(d.because).toContain('8.00 GiB at its heap base');
  });

  it('a captured count at its limit is map-count-exhaustion even without a failure line (8,194 vs 8,192)', () => {
    const facts = indexFacts([ev('maps-count', [['map-count', 8194, { complete: true }]], 'maps-count'), ev('sysctl.txt', [['max-map-count', 8192]])]);
    const d = decide({ findings: [], facts });
    expect(d.cause).toBe('map-count-exhaustion');
    expect(d.because).toContain('8,194 map areas against vm.max_map_count 8,192');
    const below = decide({
      findings: [],
      facts: indexFacts([ev('maps-count', [['map-count', 7600, { complete: true }]], 'maps-count'), ev('sysctl.txt', [['max-map-count', 8192]])]),
    });
    expect(below.cause).toBe('map-count-limit-low');
  });

  it('prose numbers alone never make a no-failure incident (a guide saying "at least 262,144")', () => {
    const facts = indexFacts([ev('guide.txt', [['map-count', 262144, { origin: 'prose', complete: false }]], 'embedded')]);
    expect(decide({ findings: [], facts }).cause).toBe('unknown');
  });

  it('thread limits read pids.peak and pids.events; pids.current 0 after a crash says nothing', () => {
    const fail = finding('enomem', 'thread-create', 'thread');
    const peak = indexFacts([
      ev(
        'cg',
        [
          ['cgroup-pids-max', 4096],
          ['cgroup-pids-current', 0],
          ['cgroup-pids-peak', 4096],
        ],
        'cgroup',
      ),
    ]);
    const d = decide({ findings: [fail], facts: peak });
    expect(d.cause).toBe('thread-limit');
    expect(d.because).toContain('4,096 tasks at the peak (pids.peak) against pids.max 4,096');
    const r = remediate(d, 'go', { pid: 4242 });
    expect(r.summary).toContain('pids.max: 4,096 of 4,096');
    const refused = indexFacts([
      ev(
        'cg',
        [
          ['cgroup-pids-max', 512],
          ['cgroup-pids-events-max', 37],
        ],
        'cgroup',
      ),
    ]);
    expect(decide({ findings: [fail], facts: refused }).because).toContain('refused 37 fork/clone calls');
    const empty = indexFacts([
      ev(
        'cg',
        [
          ['cgroup-pids-max', 4096],
          ['cgroup-pids-current', 0],
        ],
        'cgroup',
      ),
    ]);
    expect(decide({ findings: [fail], facts: empty }).cause).toBe('unknown');
  });

  it('RLIMIT_NPROC hit: the fix names the limit and the numbers, with the pid in the commands', () => {
    const facts = indexFacts([ev('limits', [['rlimit-nproc', 4096]], 'limits'), ev('status', [['threads', 4093]], 'status')]);
    const d = decide({ findings: [finding('enomem', 'thread-create', 'thread')], facts });
    expect(d.cause).toBe('thread-limit');
    const r = remediate(d, 'jvm', { pid: 31877 });
    expect(r.summary).toContain('RLIMIT_NPROC (ulimit -u): 4,093 of 4,096');
    expect(r.steps[0]!.commands).toContain('grep "Max processes" /proc/31877/limits');
    expect(JSON.stringify(r.steps)).not.toContain('kernel.pid_max');
  });

  it('pthread_create EAGAIN without a task limit near stays undecided and says it is ambiguous', () => {
    const facts = indexFacts([ev('status', [['threads', 9000]], 'status'), roomy]);
    const d = decide({ findings: [finding('enomem', 'thread-create', 'thread')], facts });
    expect(d.cause).toBe('unknown');
    expect(d.trail.find((t) => t.step === 'threads')!.fact).toContain('EAGAIN is ambiguous');
  });

  it('32-bit markers count only next to an allocation failure', () => {
    const marker = ev('influxd.log', [['arch-32bit-marker', true, { method: '32-bit package or library path' }]], 'embedded');
    const near = decide({ findings: [finding('enomem', 'mmap', 'none', { size: 1 * GiB }, 5, 'influxd.log')], facts: indexFacts([marker]) });
    expect(near.cause).toBe('address-space-limit');
    const far = decide({ findings: [finding('enomem', 'mmap', 'none', { size: 1 * GiB }, 900, 'influxd.log')], facts: indexFacts([marker]) });
    expect(far.cause).toBe('unknown');
  });

  it('the map-count lean is dropped for a large request and when the limit was raised and the failure persists, saying which', () => {
    const big = decide({ findings: [finding('enomem', 'mmap', 'map-count', { size: 4 * GiB })], facts: indexFacts([]) });
    expect(big.because).toMatch(/^no lean to map count: the smallest failed request is large \(4\.00 GiB\)/);
    const raised = indexFacts([ev('ticket.txt', [['failure-persists-after-raise', true]], 'embedded')]);
    const again = decide({ findings: [finding('enomem', 'mmap', 'map-count', { size: 4096 })], facts: raised });
    expect(again.because).toContain('already raised and the failure persists');
  });

  it('map-count-limit-low uses the captured current and required values (a vendor demanding 524,288)', () => {
    const w = finding('limit-warning', 'check', 'map-count', { current: 262144, required: 524288 });
    const d = decide({ findings: [w], facts: indexFacts([]) });
    const r = remediate(d, 'generic');
    expect(r.summary).toMatch(/^Raise vm\.max_map_count from 262,144 to 524,288 \(the software demands at least 524,288\)/);
    expect(r.recommendedMaxMapCount).toBe(524288);
    expect(r.neededMapCount?.value).toBe(524288);
    expect(r.summary).not.toContain('≈ 0');
    expect(d.caveats.join(' ')).not.toContain('assumed');
  });

  it('remediation fits what was found: overcommit step only under mode 2, heap advice only for JVMs, InfluxDB .bad renames, unknown gets an interim action', () => {
    const memFacts = indexFacts([
      ev(
        'meminfo',
        [
          ['commit-limit', 20 * GiB],
          ['committed-as', 20 * GiB],
          ['overcommit-memory', 2],
        ],
        'meminfo',
      ),
    ]);
    const d = decide({ findings: [finding('enomem', 'mmap', 'none', { size: 64 * MiB })], facts: memFacts });
    expect(d.cause).toBe('memory-exhaustion');
    const jvm = remediate(d, 'jvm', { overcommitMode: 2 });
    expect(jvm.steps.map((s) => s.title)).toEqual(['Find who holds the memory', 'JVM: size the heap to the machine', 'Under vm.overcommit_memory=2']);
    const go = remediate(d, 'prometheus-tsdb', { overcommitMode: 0 });
    expect(go.steps.map((s) => s.title)).toEqual(['Find who holds the memory']);
    const u = decide({ findings: [finding('enomem', 'mmap', 'none', { size: 8 * MiB })], facts: indexFacts([]) });
    const influx = remediate(u, 'generic', {
      failureText: 'influxd.log [tsm1] cannot open /var/lib/influxdb/data/db/autogen/1/000000001-000000002.tsm: cannot allocate memory',
      pid: 77,
    });
    expect(influx.summary).toContain('raising vm.max_map_count to 262,144 is cheap and safe while you confirm');
    expect(influx.steps.map((s) => s.title)).toContain('InfluxDB: restore the TSM files it renamed to .bad');
    expect(influx.capture[0]).toContain('mapmortem capture --pid 77');
    expect(influx.capture[0]).toContain('mapmortem check');
  });
});
