// Evidence embedded in logs and pasted text: each block shape gives its facts with the right
// line and origin; wc -l of /proc/self/maps is never the server's count; elided maps excerpts
// are lower bounds; prose counts are facts of origin 'prose'; 32-bit markers are flagged.

import { describe, expect, it } from 'vitest';
import type { Fact } from '../../src/core/index.js';
import { harvestEmbedded } from '../../src/evidence/embedded.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function get(facts: readonly Fact[], key: string): Fact | undefined {
  return facts.find((f) => f.key === key);
}

function harvest(text: string): Fact[] {
  return harvestEmbedded('t.log', text.split('\n'));
}

describe('harvestEmbedded', () => {
  it('reads a meminfo block inside a journald log, with prefixes, as transcript facts on their lines', () => {
    const facts = harvest(
      [
        'May 01 10:00:00 db1 kafka-start[99]: starting',
        'May 01 10:00:00 db1 kafka-start[99]: MemTotal:       65843212 kB',
        'May 01 10:00:00 db1 kafka-start[99]: MemFree:         1203000 kB',
        'May 01 10:00:00 db1 kafka-start[99]: MemAvailable:   43622400 kB',
      ].join('\n'),
    );
    expect(get(facts, 'mem-total')).toMatchObject({ value: 65843212 * 1024, source: { line: 2 }, origin: 'transcript' });
    expect(get(facts, 'mem-available')).toMatchObject({ value: 43622400 * 1024, source: { line: 4 } });
  });

  it('reads free -m in the current layout and the old -/+ buffers/cache layout', () => {
    const now = harvest(
      [
        '$ free -m',
        '              total        used        free      shared  buff/cache   available',
        'Mem:          64298       21018        1203          12       42076       42600',
        'Swap:          2047           0        2047',
      ].join('\n'),
    );
    expect(get(now, 'mem-available')).toMatchObject({ value: 42600 * MiB, source: { line: 3 } });
    expect(get(now, 'swap-free')).toMatchObject({ value: 2047 * MiB, source: { line: 4 } });
    const old = harvest(
      [
        'root@es1:~# free -m',
        '             total       used       free     shared    buffers     cached',
        'Mem:         32176      31950        226          0        120      20100',
        '-/+ buffers/cache:      11730      20446',
        'Swap:            0          0          0',
      ].join('\n'),
    );
    expect(get(old, 'mem-free')).toMatchObject({ value: 226 * MiB });
    expect(get(old, 'mem-available')).toMatchObject({ value: 20446 * MiB, source: { line: 4 } });
  });

  it('reads ulimit -a at start-up and a /proc/<pid>/limits table pasted into a ticket', () => {
    const u = harvest(
      [
        'INFO starting broker; limits follow',
        'core file size          (blocks, -c) 0',
        'data seg size           (kbytes, -d) unlimited',
        'max user processes              (-u) 4096',
        'open files                      (-n) 1024',
        'virtual memory          (kbytes, -v) 8388608',
      ].join('\n'),
    );
    expect(get(u, 'rlimit-nproc')).toMatchObject({ value: 4096, source: { line: 4 }, origin: 'transcript' });
    expect(get(u, 'rlimit-as')).toMatchObject({ value: 8 * GiB, source: { line: 6 } });
    const t = harvest(
      [
        'cat /proc/31877/limits',
        'Limit                     Soft Limit           Hard Limit           Units',
        'Max processes             4096                 4096                 processes',
        'Max address space         unlimited            unlimited            bytes',
      ].join('\n'),
    );
    expect(get(t, 'rlimit-nproc')).toMatchObject({ value: 4096, source: { line: 3 } });
    expect(get(t, 'rlimit-as')?.value).toBe(Infinity);
  });

  it('reads sysctl output and cat /proc/sys/vm/max_map_count, and marks sysctl -w as configuration', () => {
    const facts = harvest(
      ['$ sysctl vm.max_map_count', 'vm.max_map_count = 65530', '$ cat /proc/sys/vm/overcommit_memory', '2', '$ sudo sysctl -w vm.max_map_count=262144'].join('\n'),
    );
    const limits = facts.filter((f) => f.key === 'max-map-count');
    expect(limits).toEqual([
      expect.objectContaining({ value: 65530, source: { file: 't.log', line: 2 }, origin: 'transcript' }),
      expect.objectContaining({ value: 262144, source: { file: 't.log', line: 5 }, origin: 'config' }),
    ]);
    expect(get(facts, 'overcommit-memory')).toMatchObject({ value: 2, source: { line: 4 } });
  });

  it('counts wc -l of a process maps file but never of /proc/self/maps (that counts wc itself)', () => {
    const self = harvest(['$ wc -l /proc/self/maps', '23 /proc/self/maps', '$ cat /proc/self/maps | wc -l', '25'].join('\n'));
    expect(get(self, 'map-count')).toBeUndefined();
    const pid = harvest(['$ wc -l /proc/4242/maps', '65526 /proc/4242/maps', '$ wc -l < /proc/$(pgrep -f kafka)/maps', '65529'].join('\n'));
    expect(pid.filter((f) => f.key === 'map-count').map((f) => [f.value, f.source.line])).toEqual([
      [65526, 2],
      [65529, 4],
    ]);
  });

  it('reads areas of deleted files from grep over maps and from prose, and never takes a filtered count as the map count', () => {
    const facts = harvest(
      [
        '$ grep -c deleted /proc/1822/maps',
        '41230',
        "$ grep -v '(deleted)' /proc/1822/maps | wc -l",
        '24282',
        'About 30k mappings point to deleted segment files.',
        'Out of the 65,512 maps, 41,230 are (deleted) — and 12 deleted maps is normal.',
      ].join('\n'),
    );
    const deleted = facts.filter((f) => f.key === 'deleted-maps');
    expect(deleted.map((f) => [f.value, f.source.line, f.origin])).toEqual([
      [41230, 2, 'transcript'],
      [30000, 5, 'prose'],
    ]);
    expect(facts.filter((f) => f.key === 'map-count').map((f) => [f.value, f.source.line])).toEqual([[65512, 6]]);
    expect(harvest('grep -c deleted /proc/self/maps\n3\n').filter((f) => f.key === 'deleted-maps')).toEqual([]);
  });

  it('reads ps -eLf | wc -l as the host thread count (minus the header) and a status block Threads:', () => {
    const facts = harvest(['$ ps -eLf | wc -l', '32769', 'Name:\tjava', 'Pid:\t4242', 'Threads:\t4090', 'VmSize:\t 8123456 kB'].join('\n'));
    expect(get(facts, 'host-threads')).toMatchObject({ value: 32768, source: { line: 2 } });
    expect(get(facts, 'threads')).toMatchObject({ value: 4090, source: { line: 5 } });
    expect(get(facts, 'vm-size')).toMatchObject({ value: 8123456 * 1024 });
    expect(get(harvest('Threads: 12 of the pool are busy'), 'threads')).toBeUndefined();
  });

  it('counts a maps excerpt and calls it a lower bound when it was elided', () => {
    const lines = [
      '7f0000000000-7f0000001000 r--p 00000000 fd:01 1234 /data/kafka/orders-0/00000000000000000000.index',
      '7f0000001000-7f0000002000 r--p 00000000 fd:01 1235 /data/kafka/orders-0/00000000000000001000.index',
      '... 65000 more lines ...',
      '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]',
    ];
    const f = get(harvest(lines.join('\n')), 'map-count') as Fact & { complete?: boolean; method?: string };
    expect(f).toMatchObject({ value: 3, complete: false, source: { line: 1 } });
    expect(f.method).toContain('at least');
  });

  it('reads counts and limits from prose at lower weight, cited to their sentence', () => {
    const facts = harvest(
      ['We looked at the broker.', 'The process had 252K maps against the 262144 limit when it died.', 'It runs 3,900 threads; ulimit -v unlimited.'].join('\n'),
    );
    expect(get(facts, 'map-count')).toMatchObject({ value: 252000, origin: 'prose', source: { line: 2 } });
    expect(get(facts, 'max-map-count')).toMatchObject({ value: 262144, origin: 'prose', source: { line: 2 } });
    expect(get(facts, 'threads')).toMatchObject({ value: 3900, origin: 'prose', source: { line: 3 } });
    expect(get(facts, 'rlimit-as')).toMatchObject({ value: Infinity, origin: 'prose' });
    const raised = harvest('We already raised vm.max_map_count to 262144 and it still crashes with the same error.');
    expect(get(raised, 'max-map-count')).toMatchObject({ value: 262144, origin: 'prose' });
    expect(get(raised, 'map-limit-raised')).toBeDefined();
    expect(get(raised, 'failure-persists-after-raise')).toBeDefined();
  });

  it('flags 32-bit markers: uname -m, armhf packages, the text, Go frame pointers; not a 64-bit kernel or oops mode', () => {
    expect(get(harvest('$ uname -m\narmv7l'), 'arch-32bit-marker')).toMatchObject({ source: { line: 2 } });
    expect(get(harvest('$ uname -m\nx86_64'), 'arch-32bit-marker')).toBeUndefined();
    expect(get(harvest('ii  influxdb:armhf  1.8.10-1  armhf  time series db'), 'arch-32bit-marker')).toBeDefined();
    expect(get(harvest('this is a 32-bit userland on a 64-bit kernel'), 'arch-32bit-marker')).toBeDefined();
    expect(get(harvest('heap address: 0x0000000080000000, size: 2048 MB, Compressed Oops mode: 32-bit'), 'arch-32bit-marker')).toBeUndefined();
    const go = [
      'runtime.throw(...)',
      '\t/usr/lib/go/src/runtime/panic.go:1 +0x1f fp=0x18c3ff84 sp=0x18c3ff70 pc=0x43c0c5',
      'x fp=0x18c3ffa0 sp=0x18c3ff88',
      'y fp=0x18c3ffc0 sp=0x18c3ffa8',
    ];
    expect(get(harvest(go.join('\n')), 'arch-32bit-marker')).toBeDefined();
    expect(get(harvest(go.join('\n').replace(/0x18c3/g, '0xc00018c3')), 'arch-32bit-marker')).toBeUndefined();
  });

  it('reads container memory limits as configuration: docker run --memory, compose mem_limit, a pod spec', () => {
    expect(get(harvest('docker run -d --name prom --memory=2g prom/prometheus'), 'cgroup-memory-limit')).toMatchObject({ value: 2 * GiB, origin: 'config' });
    const pod = harvest(['    resources:', '      requests:', '        memory: 1Gi', '      limits:', '        memory: "4Gi"'].join('\n'));
    expect(pod.filter((f) => f.key === 'cgroup-memory-limit')).toEqual([expect.objectContaining({ value: 4 * GiB, source: { file: 't.log', line: 5 } })]);
    expect(get(harvest('{"resources":{"limits":{"memory":"512M"}}}'), 'cgroup-memory-limit')).toMatchObject({ value: 512e6 });
  });
});

describe('harvestEmbedded: a program on its own maps, ulimit -u, 32-bit targets', () => {
  it("takes a program's sentence about its /proc/self/maps as its count, never a shell's wc of /proc/self/maps", () => {
    for (const [line, value] of [
      ['eat: made 65,000 mappings; /proc/self/maps now has 65,494 lines', 65494],
      ['65532 lines in /proc/self/maps', 65532],
      ['[alloc] /proc/self/maps contains 40112 entries', 40112],
    ] as const) {
      expect(get(harvest(line), 'map-count'), line).toMatchObject({ value, origin: 'transcript', complete: true });
    }
    expect(get(harvest('$ wc -l /proc/self/maps | tee out # 23 lines in /proc/self/maps'), 'map-count')).toBeUndefined();
  });

  it('reads ulimit -u written in a step list as RLIMIT_NPROC', () => {
    expect(get(harvest('steps:\n1. ulimit -u 100\n2. start the server'), 'rlimit-nproc')).toMatchObject({ value: 100, source: { line: 2 }, origin: 'prose' });
    expect(get(harvest('ulimit -u unlimited'), 'rlimit-nproc')).toMatchObject({ value: Infinity });
  });

  it('flags GOARCH=386 and an strace mmap2 line as 32-bit markers, not GOARCH=amd64 or mmap', () => {
    expect(get(harvest('GOARCH=386 GOCACHE=off go test -v ./test'), 'arch-32bit-marker')).toBeDefined();
    expect(get(harvest('mmap2(0xbe950000, 1597440, PROT_READ|PROT_WRITE, MAP_SHARED, 6, 0x14e14000) = -1 ENOMEM (Cannot allocate memory)'), 'arch-32bit-marker')).toBeDefined();
    expect(get(harvest('GOARCH=amd64 go test ./...'), 'arch-32bit-marker')).toBeUndefined();
    expect(get(harvest('mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f0000000000'), 'arch-32bit-marker')).toBeUndefined();
  });

  it('reads the map count of `cat /proc/`pgrep x`/maps | wc -l` on the next line', () => {
    expect(get(harvest('# cat /proc/`pgrep memcached`/maps | wc -l\n65532'), 'map-count')).toMatchObject({ value: 65532, source: { line: 2 } });
  });
});
