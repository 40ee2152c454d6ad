import { describe, expect, it } from 'vitest';
import type { Fact } from '../../src/core/index.js';
import { detectEvidence, parseEvidence } from '../../src/evidence/index.js';
import { hsErrTime } from '../../src/evidence/hserr.js';

function get(facts: readonly Fact[], key: string): Fact | undefined {
  return facts.find((f) => f.key === key);
}

const FULL_MAPS = [
  '00400000-00401000 r-xp 00000000 fd:02 50331756                           /opt/jdk/bin/java',
  '00601000-00602000 rw-p 00001000 fd:02 50331756                           /opt/jdk/bin/java',
  '01a55000-01a76000 rw-p 00000000 00:00 0                                  [heap]',
  '600000000-800000000 rw-p 00000000 00:00 0 ',
  '7f1770000000-7f1770021000 rw-p 00000000 00:00 0 ',
  '7f1770021000-7f1774000000 ---p 00000000 00:00 0 ',
  '7f1778675000-7f1779326000 r-xp 00000000 fd:02 152814                     /opt/jdk/lib/server/libjvm.so',
  '7fff0be5a000-7fff0be7c000 rw-p 00000000 00:00 0                          [stack]',
  '7fff0bf25000-7fff0bf27000 r-xp 00000000 00:00 0                          [vdso]',
];

/** A JDK 17-style native OOM file, small but with every section this parser reads. */
function jdk17(extra: { maps?: string[]; endInMaps?: boolean } = {}): string[] {
  const maps = extra.maps ?? FULL_MAPS;
  const head = [
    '#',
    '# There is insufficient memory for the Java Runtime Environment to continue.',
    '# Native memory allocation (mmap) failed to map 12288 bytes for committing reserved memory.',
    '# Possible reasons:',
    '#   The system is out of physical RAM or swap space',
    '#  Out of Memory Error (os_linux.cpp:2749), pid=4242, tid=4250',
    '#',
    '# JRE version: OpenJDK Runtime Environment (17.0.7+7) (build 17.0.7+7-LTS)',
    '# Java VM: OpenJDK 64-Bit Server VM (17.0.7+7-LTS, mixed mode, sharing, tiered, compressed oops, g1 gc, linux-amd64)',
    '#',
    '',
    '---------------  P R O C E S S  ---------------',
    '',
    'Threads class SMR info:',
    '_java_thread_list=0x00007f1770163400, length=3, elements={',
    '0x00007f1770028590, 0x00007f177013fcd0, 0x00007f1770141320',
    '}',
    '',
    'Java Threads: ( => current thread )',
    '=>0x00007f1770028590 JavaThread "main" [_thread_in_vm, id=4250, stack(0x00007fade9e4a000,0x00007fade9f4b000) (1028K)]',
    '  0x00007f177013fcd0 JavaThread "Reference Handler" daemon [_thread_blocked, id=4251, stack(0x1,0x2) (1028K)]',
    '  0x00007f1770141320 JavaThread "Finalizer" daemon [_thread_blocked, id=4252, stack(0x1,0x2) (1028K)]',
    'Total: 3',
    '',
    'Other Threads:',
    '  0x00007f1770135330 VMThread "VM Thread" [stack: 0x1,0x2] [id=4245]',
    '  0x00007f17700d0330 GCTaskThread "GC Thread#0" [stack: 0x1,0x2] [id=4246]',
    'Total: 2',
    '',
    'Heap address: 0x0000000600000000, size: 8192 MB, Compressed Oops mode: Zero based, Oop shift amount: 3',
    '',
    'Dynamic libraries:',
  ];
  const tail = [
    '',
    'Total number of mappings: 9',
    '',
    '---------------  S Y S T E M  ---------------',
    '',
    'OS:',
    'Red Hat Enterprise Linux release 8.9 (Ootpa)',
    'uname: Linux 4.18.0-513.5.1.el8_9.x86_64 #1 SMP x86_64',
    'rlimit (soft/hard): STACK 8192k/infinity , CORE 0k/infinity , NPROC 4096/127304 , NOFILE 1048576/1048576 , AS 16777216k/infinity , CPU infinity/infinity , DATA infinity/infinity , FSIZE infinity/infinity , MEMLOCK 64k/64k',
    '',
    '/proc/meminfo:',
    'MemTotal:       32653548 kB',
    'MemFree:         2100000 kB',
    'MemAvailable:   24392792 kB',
    'SwapTotal:      16412668 kB',
    'SwapFree:       16412668 kB',
    'CommitLimit:    32739440 kB',
    'Committed_AS:   18022940 kB',
    '',
    '/proc/sys/kernel/threads-max (system-wide limit on the number of threads): 254608',
    '/proc/sys/vm/max_map_count (maximum number of memory map areas a process may have): 65530',
    '/proc/sys/kernel/pid_max (system-wide limit on number of process identifiers): 4194304',
    '',
    'container (cgroup) information:',
    'container_type: cgroupv1',
    'memory_limit_in_bytes: 4194304 k',
    'memory_usage_in_bytes: 4190000 k',
    'memory_max_usage_in_bytes: 4194000 k',
    'maximum number of tasks: unlimited',
    'current number of tasks: 155',
    '',
    'Memory: 4k page, physical 32653548k(24392792k free), swap 16412668k(16412668k free)',
    '',
    'vm_info: OpenJDK 64-Bit Server VM (17.0.7+7-LTS) for linux-amd64 JRE (17.0.7+7-LTS), built on Apr 26 2023',
    '',
  ];
  return extra.endInMaps ? [...head, ...maps] : [...head, ...maps, ...tail];
}

describe('hs_err', () => {
  it('is detected by content, whatever the name', () => {
    expect(detectEvidence(jdk17().slice(0, 20), 'crash.txt')).toBe('hs-err');
  });

  it('reads the header, memory, limits, sysctls, cgroup, threads and the heap mode', () => {
    const lines = jdk17();
    const { evidence, problems } = parseEvidence('hs-err', 'hs_err_pid4242.log', lines);
    expect(problems).toEqual([]);
    const f = evidence.facts;
    const at = (key: string) => {
      const x = get(f, key);
      return x === undefined ? undefined : [x.value, x.source.line];
    };
    const line = (s: string) => lines.findIndex((l) => l.startsWith(s)) + 1;
    expect(at('failed-request-bytes')).toEqual([12288, 3]);
    expect(at('pid')).toEqual([4242, 6]);
    expect(at('jvm-version')).toEqual(['17.0.7+7-LTS', 8]);
    expect(get(f, 'thread-creation-failed')).toBeUndefined();
    expect(get(f, 'jvm-32bit')).toBeUndefined();
    expect(at('java-threads')).toEqual([3, line('_java_thread_list')]);
    expect(get(f, 'threads')).toMatchObject({ value: 5, complete: true });
    expect(at('heap-base')).toEqual([0x600000000, line('Heap address')]);
    expect(at('compressed-oops-mode')).toEqual(['Zero based', line('Heap address')]);
    expect(get(f, 'compressed-oops-heap-base-limit')).toBeUndefined();
    // Total number of mappings wins over the Dynamic libraries count.
    expect(get(f, 'map-count')).toMatchObject({ value: 9, complete: true, source: { line: line('Total number') } });
    expect(at('os')).toEqual(['Red Hat Enterprise Linux release 8.9 (Ootpa)', line('OS:') + 1]);
    expect(at('rlimit-nproc')).toEqual([4096, line('rlimit')]);
    expect(at('rlimit-nofile')).toEqual([1048576, line('rlimit')]);
    expect(at('rlimit-as')).toEqual([16777216 * 1024, line('rlimit')]);
    expect(at('rlimit-data')).toEqual([Infinity, line('rlimit')]);
    // meminfo beats the Memory: line for the same key.
    expect(at('mem-total')).toEqual([32653548 * 1024, line('MemTotal')]);
    expect(at('mem-available')).toEqual([24392792 * 1024, line('MemAvailable')]);
    expect(at('commit-limit')).toEqual([32739440 * 1024, line('CommitLimit')]);
    expect(at('committed-as')).toEqual([18022940 * 1024, line('Committed_AS')]);
    expect(at('max-map-count')).toEqual([65530, line('/proc/sys/vm/max_map_count')]);
    expect(at('threads-max')).toEqual([254608, line('/proc/sys/kernel/threads-max')]);
    expect(at('pid-max')).toEqual([4194304, line('/proc/sys/kernel/pid_max')]);
    expect(at('cgroup-memory-limit')).toEqual([4194304 * 1024, line('memory_limit_in_bytes')]);
    expect(at('cgroup-pids-max')).toEqual([Infinity, line('maximum number of tasks')]);
    expect(at('cgroup-pids-current')).toEqual([155, line('current number of tasks')]);
    expect(evidence.maps).toMatchObject({ kind: 'hs-err', regions: 9, complete: true, source: { line: line('Dynamic libraries') } });
  });

  it('counts a whole Dynamic libraries section when no total is printed', () => {
    const lines = jdk17().filter((l) => !l.startsWith('Total number of mappings'));
    const { evidence } = parseEvidence('hs-err', 'h.log', lines);
    expect(get(evidence.facts, 'map-count')).toMatchObject({ value: 9, complete: true, method: 'hs_err Dynamic libraries (lines of /proc/self/maps)' });
  });

  it('marks a trimmed Dynamic libraries section as cut', () => {
    const maps = [FULL_MAPS[6] ?? ''];
    const lines = jdk17({ maps }).filter((l) => !l.startsWith('Total number of mappings'));
    const { evidence, problems } = parseEvidence('hs-err', 'h.log', lines);
    const dyn = lines.indexOf('Dynamic libraries:') + 1;
    expect(get(evidence.facts, 'map-count')).toMatchObject({ value: 1, complete: false, source: { line: dyn } });
    expect(evidence.maps?.complete).toBe(false);
    expect(problems).toMatchObject([{ code: 'evidence-cut', line: dyn }]);
  });

  it('marks a file that ends inside Dynamic libraries as cut', () => {
    const lines = jdk17({ endInMaps: true, maps: FULL_MAPS.slice(0, 5) });
    const { evidence, problems } = parseEvidence('hs-err', 'h.log', lines);
    expect(get(evidence.facts, 'map-count')).toMatchObject({ value: 5, complete: false });
    expect(problems.some((p) => p.code === 'evidence-cut' && String(p.args['reason']).includes('ends inside'))).toBe(true);
  });

  it('flags a 32-bit JVM, its process size limit hint and a thread creation failure', () => {
    const lines = [
      '#',
      '# There is insufficient memory for the Java Runtime Environment to continue.',
      '# Cannot create GC thread. Out of system resources.',
      '# Possible reasons:',
      '#   The system is out of physical RAM or swap space',
      '#   In 32 bit mode, the process size limit was hit',
      '#  Out of Memory Error (gcTaskThread.cpp:48), pid=777, tid=0xb7a4cb70',
      '#',
      '# JRE version:  (8.0_181-b13) (build )',
      '# Java VM: Java HotSpot(TM) Server VM (25.181-b13 mixed mode linux-x86 )',
      '',
      'rlimit: STACK 8192k, CORE 0k, NPROC 1024, NOFILE 4096, AS 3145728k',
      'Memory: 4k page, physical 4048036k(81236k free), swap 2097148k(1024k free)',
    ];
    const { evidence } = parseEvidence('hs-err', 'h.log', lines);
    const keys = evidence.facts.map((f) => f.key);
    expect(keys).toContain('jvm-32bit');
    expect(get(evidence.facts, 'process-size-limit-hit')?.source.line).toBe(6);
    expect(get(evidence.facts, 'thread-creation-failed')?.source.line).toBe(3);
    expect(get(evidence.facts, 'jvm-version')?.value).toBe('8.0_181-b13');
    expect(get(evidence.facts, 'rlimit-as')?.value).toBe(3145728 * 1024);
    expect(get(evidence.facts, 'rlimit-nproc')?.value).toBe(1024);
    expect(get(evidence.facts, 'swap-free')).toMatchObject({ value: 1024 * 1024, source: { line: 13 } });
    expect(get(evidence.facts, 'mem-free')?.value).toBe(81236 * 1024);
  });

  it('reads the JDK 17 Windows memory lines as physical memory and commit limit', () => {
    const lines = [
      '#',
      '# There is insufficient memory for the Java Runtime Environment to continue.',
      '# Native memory allocation (malloc) failed to allocate 663376 bytes for Chunk::new',
      '# Java VM: OpenJDK 64-Bit Server VM (17.0.2+8, mixed mode, g1 gc, windows-amd64)',
      '',
      'Memory: 4k page, system-wide physical 16383M (203M free)',
      'TotalPageFile size 18943M (AvailPageFile size 1M)',
    ];
    const { evidence } = parseEvidence('hs-err', 'h.log', lines);
    expect(get(evidence.facts, 'os-windows')).toBeDefined();
    expect(get(evidence.facts, 'mem-total')?.value).toBe(16383 * 1024 ** 2);
    expect(get(evidence.facts, 'mem-free')?.value).toBe(203 * 1024 ** 2);
    expect(get(evidence.facts, 'commit-limit')).toMatchObject({ value: 18943 * 1024 ** 2, source: { line: 7 } });
    expect(get(evidence.facts, 'committed-as')?.value).toBe((18943 - 1) * 1024 ** 2);
  });

  it('reads CRLF files the same way', () => {
    const lf = parseEvidence('hs-err', 'h.log', jdk17());
    const crlf = parseEvidence(
      'hs-err',
      'h.log',
      jdk17().map((l) => `${l}\r`),
    );
    expect(crlf.evidence.facts.map((f) => [f.key, f.value, f.source.line])).toEqual(lf.evidence.facts.map((f) => [f.key, f.value, f.source.line]));
    expect(crlf.evidence.maps?.regions).toBe(9);
  });
});

describe('hs_err Time: line', () => {
  it('reads JDK 9+ and JDK 8 wordings; a zone other than UTC/GMT stays without an offset', () => {
    expect(hsErrTime('Time: Tue Jun  3 14:07:42 2025 UTC elapsed time: 7235.228405 seconds (0d 2h 0m 35s)')).toEqual({ iso: '2025-06-03T14:07:42Z', hasOffset: true });
    expect(hsErrTime('time: Mon Mar 11 04:15:31 2019')).toEqual({ iso: '2019-03-11T04:15:31', hasOffset: false });
    expect(hsErrTime('Time: Mon Mar 11 04:15:31 2024 CET elapsed time: 12 seconds')).toEqual({ iso: '2024-03-11T04:15:31', hasOffset: false });
    // A numeric zone makes it UTC, as every log line's time is, so crash and log times sort together.
    expect(hsErrTime('Time: Mon Mar 11 04:15:31 2024 +0100 elapsed')).toEqual({ iso: '2024-03-11T03:15:31Z', hasOffset: true });
    expect(hsErrTime('Time: Mon Mar 32 04:15:31 2024 UTC')).toBeNull();
    expect(hsErrTime('Time spent in GC: 12 ms')).toBeNull();
  });
});
