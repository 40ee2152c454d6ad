import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NumericFact, TextFact } from '../../src/core/index.js';
import { detectMaps, parseMaps } from '../../src/evidence/maps.js';

const JAVA = '/usr/lib/jvm/java-17-openjdk-amd64';
const K = '/var/lib/kafka/data';

/** A Kafka broker JVM: binary, heap, arena, 2 Java threads, 3 partitions of index files. */
export const jvmMaps = [
  `555555554000-555555555000 r--p 00000000 08:01 1048602                    ${JAVA}/bin/java`,
  `555555555000-555555556000 r-xp 00001000 08:01 1048602                    ${JAVA}/bin/java`,
  '555555557000-555555578000 rw-p 00000000 00:00 0                          [heap]',
  '600000000-640000000 rw-p 00000000 00:00 0 ',
  '7f4e00000000-7f4e00021000 rw-p 00000000 00:00 0 ',
  '7f4e00021000-7f4e04000000 ---p 00000000 00:00 0 ',
  '7f4e0ff1a000-7f4e0ff1b000 ---p 00000000 00:00 0 ',
  '7f4e0ff1b000-7f4e0ff1f000 ---p 00000000 00:00 0 ',
  '7f4e0ff1f000-7f4e1001b000 rw-p 00000000 00:00 0 ',
  '7f4e1001b000-7f4e1001c000 ---p 00000000 00:00 0 ',
  '7f4e1001c000-7f4e1011c000 rw-p 00000000 00:00 0 ',
  `7f4e20000000-7f4e20a00000 rw-s 00000000 08:11 131073                     ${K}/orders-0/00000000000000000000.index`,
  `7f4e20a00000-7f4e21000000 rw-s 00000000 08:11 131074                     ${K}/orders-0/00000000000000000000.timeindex`,
  `7f4e21000000-7f4e21a00000 rw-s 00000000 08:11 131075                     ${K}/orders-1/00000000000000000000.index`,
  `7f4e21a00000-7f4e22000000 rw-s 00000000 08:11 131076                     ${K}/orders-1/00000000000000000000.timeindex`,
  `7f4e22000000-7f4e22a00000 rw-s 00000000 08:11 131077                     ${K}/orders-2/00000000000000000000.index`,
  `7f4e22a00000-7f4e23000000 rw-s 00000000 08:11 131078                     ${K}/orders-2/00000000000000000000.timeindex`,
  `7f4e23000000-7f4e23a00000 rw-s 00000000 08:11 131079                     ${K}/orders-2/00000000000000004096.index`,
  `7f4e23a00000-7f4e24000000 rw-s 00000000 08:11 131080                     ${K}/orders-2/00000000000000004096.timeindex`,
  '7f4e24000000-7f4e24008000 rw-s 00000000 08:01 393220                     /tmp/hsperfdata_kafka/2423 (deleted)',
  `7f4e30000000-7f4e30100000 r--p 00000000 08:01 1048700                    ${JAVA}/lib/server/libjvm.so`,
  `7f4e30100000-7f4e30f00000 r-xp 00100000 08:01 1048700                    ${JAVA}/lib/server/libjvm.so`,
  `7f4e30f00000-7f4e30f80000 r--p 00f00000 08:01 1048700                    ${JAVA}/lib/server/libjvm.so`,
  `7f4e30f80000-7f4e30fb0000 rw-p 00f80000 08:01 1048700                    ${JAVA}/lib/server/libjvm.so`,
  '7f4e31000000-7f4e31195000 r-xp 00000000 08:01 1048800                    /usr/lib/x86_64-linux-gnu/libc.so.6',
  `7f4e32000000-7f4e38000000 r--s 00000000 08:01 1048900                    ${JAVA}/lib/modules`,
  '7ffc0c1a3000-7ffc0c1c4000 rw-p 00000000 00:00 0                          [stack]',
  '7ffc0c1f0000-7ffc0c1f4000 r--p 00000000 00:00 0                          [vvar]',
  '7ffc0c1f4000-7ffc0c1f6000 r-xp 00000000 00:00 0                          [vdso]',
  'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
];

function count(facts: readonly unknown[]): NumericFact | undefined {
  return (facts as NumericFact[]).find((f) => f.key === 'map-count');
}

function klass(r: ReturnType<typeof parseMaps>, name: string): number {
  return r.breakdown.classes.find((c) => c.class === name)?.count ?? 0;
}

describe('detectMaps', () => {
  it('tells every flavor apart', () => {
    expect(detectMaps(jvmMaps.slice(0, 10))).toBe('maps');
    expect(detectMaps([jvmMaps[0] ?? '', 'Size:                  4 kB', 'Rss:                   4 kB'])).toBe('smaps');
    expect(detectMaps(['2423:   /usr/bin/java -Xmx1g', '0000555555554000      4K r---- java'])).toBe('pmap');
    expect(detectMaps(['2423:   java', 'Address           Kbytes     RSS   Dirty Mode  Mapping'])).toBe('pmap-x');
    expect(detectMaps(['2423:   java', '         Address Perm   Offset Device  Inode  Size  Rss  Pss Mapping'])).toBe('pmap-X');
    expect(detectMaps(['65530 /proc/1234/maps'])).toBe('maps-count');
    expect(detectMaps(['Total number of mappings: 188'])).toBe('maps-count');
    expect(detectMaps(['vm.max_map_count = 65530'])).toBeNull();
    expect(detectMaps(['65530'])).toBeNull();
    const rollup = ['55d0c0a1b000-7ffc0c1f6000 ---p 00000000 00:00 0                          [rollup]', 'Rss:              812344 kB'];
    expect(detectMaps(rollup)).toBeNull();
  });
});

describe('parseMaps: /proc/<pid>/maps', () => {
  const text = `${jvmMaps.join('\n')}\n`;
  const r = parseMaps('host/proc/2423/maps', text.split('\n'));

  it('counts one region per line, complete, from the whole file', () => {
    expect(r.regions).toHaveLength(jvmMaps.length);
    expect(count(r.facts)).toMatchObject({
      value: 30,
      complete: true,
      source: { file: 'host/proc/2423/maps', line: 0 },
      method: 'lines of /proc/<pid>/maps',
    });
    expect(r.facts.find((f) => f.key === 'pid')?.value).toBe(2423);
    expect(r.problems).toEqual([]);
    expect(r.breakdown).toMatchObject({ kind: 'maps', regions: 30, complete: true });
  });

  it('keeps addresses above 2^53 exact as bigint', () => {
    const vsyscall = r.regions[r.regions.length - 1];
    expect(vsyscall?.start).toBe(0xffffffffff600000n);
    expect(vsyscall?.start).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(vsyscall?.path).toBe('[vsyscall]');
    expect(vsyscall?.lineNo).toBe(30);
    expect(r.regions[3]?.path).toBe('');
  });

  it('breaks the regions down by class', () => {
    expect(klass(r, 'kafka-index')).toBe(8);
    expect(klass(r, 'thread-stack')).toBe(3);
    expect(klass(r, 'guard-page')).toBe(3);
    expect(klass(r, 'malloc-arena')).toBe(3);
    expect(klass(r, 'java-heap')).toBe(1);
    expect(klass(r, 'shared-library')).toBe(5);
    expect(klass(r, 'special')).toBe(3);
    expect(klass(r, 'deleted-file')).toBe(1);
    expect(klass(r, 'other-file')).toBe(3);
    expect(r.breakdown.classes[0]).toEqual({ class: 'kafka-index', count: 8, bytes: 0x4000000 });
    const counts = r.breakdown.classes.map((c) => c.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('lists the top groups, topic-partitions included', () => {
    expect(r.breakdown.top[0]).toEqual({ name: 'orders-2', class: 'kafka-index', count: 4, bytes: 0x2000000 });
    expect(r.breakdown.top.map((t) => t.name)).toContain(`${JAVA}/lib/server/libjvm.so`);
    expect(r.breakdown.top.length).toBeLessThanOrEqual(10);
  });

  it('rolls the regions up by topic-partition', () => {
    expect(r.breakdown.units).toEqual([{ unit: 'partition', count: 3, regions: 8, bytes: 0x4000000 }]);
  });

  it('groups a tenant TSDB by tenant and rolls it up by tenant and block (Cortex/Mimir), Lucene by index directory', () => {
    const line = (i: number, path: string): string => {
      const start = (0x7f0000000000 + i * 0x1000).toString(16);
      const end = (0x7f0000000000 + i * 0x1000 + 0x1000).toString(16);
      return `${start}-${end} r--s 00000000 08:11 ${1000 + i} ${path}`;
    };
    const lines: string[] = [];
    const ulid = (n: number): string => `01HQK3ZJ5V2Y8X0M4N6P7R9S${String(n).padStart(2, '0')}`;
    for (let t = 0; t < 4; t++) {
      for (let b = 0; b < 2; b++) {
        lines.push(line(lines.length, `/data/tsdb/tenant-${t}/${ulid(t * 2 + b)}/index`));
        lines.push(line(lines.length, `/data/tsdb/tenant-${t}/${ulid(t * 2 + b)}/chunks/000001`));
      }
      lines.push(line(lines.length, `/data/tsdb/tenant-${t}/chunks_head/000007`));
    }
    lines.push(line(lines.length, '/var/lib/es/indices/Xq1/0/index/_a.cfs'), line(lines.length + 1, '/var/lib/es/indices/Xq1/0/index/_b.cfs'));
    lines.push('7ffd00000000-7ffd00001000 rw-p 00000000 00:00 0');
    const b = parseMaps('maps', lines).breakdown;
    expect(b.units?.map((u) => [u.unit, u.count, u.regions])).toEqual([
      ['tenant', 4, 20],
      ['block', 8, 16],
      ['index', 1, 2],
    ]);
    expect(b.top.slice(0, 4).map((t) => [t.name, t.count])).toEqual([
      ['tenant/tenant-0', 5],
      ['tenant/tenant-1', 5],
      ['tenant/tenant-2', 5],
      ['tenant/tenant-3', 5],
    ]);
    expect(b.top.map((t) => t.name)).toContain('/var/lib/es/indices/Xq1/0/index/');
  });

  it('reads a section of a larger file with its own line numbers', () => {
    const s = parseMaps('hs_err_pid2423.log', jvmMaps.slice(0, 5), 546);
    expect(s.regions.map((x) => x.lineNo)).toEqual([546, 547, 548, 549, 550]);
    expect(count(s.facts)?.value).toBe(5);
  });

  it('accepts a complete last line without the final newline', () => {
    const s = parseMaps('maps', jvmMaps.join('\n').split('\n'));
    expect(count(s.facts)).toMatchObject({ value: 30, complete: true });
    expect(s.problems).toEqual([]);
  });
});

describe('parseMaps: cut snapshots', () => {
  it('marks a maps file cut mid-line as incomplete and drops the partial line', () => {
    const cut = `${jvmMaps.slice(0, 20).join('\n')}\n7f4e30000000-7f4e301`;
    const r = parseMaps('proc/2423/maps', cut.split('\n'));
    expect(count(r.facts)).toMatchObject({ value: 20, complete: false });
    expect(r.breakdown.complete).toBe(false);
    expect(r.problems).toEqual([
      {
        code: 'evidence-cut',
        file: 'proc/2423/maps',
        line: 21,
        args: { what: '/proc/<pid>/maps', reason: 'the last line is cut mid-line' },
      },
    ]);
  });

  it('reports malformed lines in the middle without calling the snapshot cut', () => {
    const lines = [...jvmMaps.slice(0, 3), 'garbage here', ...jvmMaps.slice(3), ''];
    const r = parseMaps('maps', lines);
    expect(count(r.facts)).toMatchObject({ value: 30, complete: true });
    expect(r.problems).toMatchObject([{ code: 'evidence-unparsed', line: 4 }]);
  });
});

function smapsOf(maps: readonly string[], attrs = true): string[] {
  const out: string[] = [];
  for (const l of maps) {
    out.push(l);
    if (!attrs) continue;
    out.push('Size:                  4 kB', 'KernelPageSize:        4 kB', 'Rss:                   4 kB');
    out.push('Pss:                   4 kB', 'Private_Dirty:         0 kB', 'Swap:                  0 kB');
    out.push('THPeligible:    0', 'VmFlags: rd wr mr mw me ac sd');
  }
  return out;
}

describe('parseMaps: /proc/<pid>/smaps', () => {
  it('counts mapping header lines, not attribute lines', () => {
    const lines = [...smapsOf(jvmMaps), ''];
    expect(lines.length).toBeGreaterThan(240);
    const r = parseMaps('proc/2423/smaps', lines);
    expect(count(r.facts)).toMatchObject({ value: 30, complete: true, method: 'header lines of /proc/<pid>/smaps' });
    expect(r.breakdown.kind).toBe('smaps');
    expect(r.problems).toEqual([]);
    expect(r.regions[1]?.lineNo).toBe(10);
  });

  it('sees a cut inside the last attribute block', () => {
    const lines = [...smapsOf(jvmMaps.slice(0, 4)), jvmMaps[4] ?? '', 'Size:                132 kB', ''];
    const r = parseMaps('smaps', lines);
    expect(count(r.facts)).toMatchObject({ value: 5, complete: false });
    expect(r.problems).toMatchObject([{ code: 'evidence-cut', line: 37, args: { reason: 'the last mapping lost its attribute lines' } }]);
  });

  it('sees a cut in the middle of an attribute line', () => {
    const lines = [...smapsOf(jvmMaps.slice(0, 4)), jvmMaps[4] ?? '', 'Size:  '];
    const r = parseMaps('smaps', lines);
    expect(count(r.facts)).toMatchObject({ value: 5, complete: false });
    expect(r.problems[0]?.code).toBe('evidence-cut');
  });
});

const PMAP = [
  '2423:   /usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xmx1g -server kafka.Kafka config/server.properties',
  '0000555555554000      4K r---- java',
  '0000555555555000      4K r-x-- java',
  '0000555555557000    132K rw---   [ anon ]',
  '00007f4e0ff1b000     16K -----   [ anon ]',
  '00007f4e0ff1f000   1008K rw---   [ anon ]',
  '00007f4e20000000  10240K rw-s- 00000000000000000000.index',
  '00007f4e20a00000   6144K rw-s- 00000000000000000000.timeindex',
  '00007f4e30000000   1024K r---- libjvm.so',
  '00007ffc0c1a3000    132K rw---   [ stack ]',
  'ffffffffff600000      4K --x--   [ anon ]',
  ' total          18712K',
  '',
];

describe('parseMaps: pmap', () => {
  it('counts mapping lines, takes pid and name from the header and the total line as source', () => {
    const r = parseMaps('pmap-2423.txt', PMAP);
    expect(count(r.facts)).toMatchObject({
      value: 10,
      complete: true,
      source: { file: 'pmap-2423.txt', line: 12 },
      method: 'mapping lines of pmap <pid>',
    });
    expect(r.facts.find((f) => f.key === 'pid')).toMatchObject({ value: 2423, source: { line: 1 } });
    expect((r.facts.find((f) => f.key === 'process-name') as TextFact).value).toBe('java');
    expect(r.breakdown).toMatchObject({ kind: 'pmap', regions: 10, source: { line: 12 } });
    expect(r.regions[3]).toMatchObject({ perms: '---p', path: '' });
    expect(r.regions[3]?.start).toBe(0x7f4e0ff1b000n);
    expect(r.regions[3]?.end).toBe(0x7f4e0ff1f000n);
    expect(r.regions[5]?.perms).toBe('rw-s');
    expect(r.regions[8]?.path).toBe('[stack]');
    expect(r.regions[9]?.start).toBe(0xffffffffff600000n);
    expect(klass(r, 'kafka-index')).toBe(2);
    expect(klass(r, 'guard-page')).toBe(1);
    expect(klass(r, 'thread-stack')).toBe(2);
  });

  it('treats pmap output without its total footer as cut', () => {
    const r = parseMaps('pmap.txt', [...PMAP.slice(0, 8), '']);
    expect(count(r.facts)).toMatchObject({ value: 7, complete: false, source: { line: 0 } });
    expect(r.problems).toMatchObject([{ code: 'evidence-cut', args: { what: 'pmap output (pmap)', reason: 'the total footer is missing' } }]);
  });

  it('takes quiet output (no header, no footer) as complete', () => {
    const r = parseMaps('pmap-q.txt', [...PMAP.slice(1, 11), '']);
    expect(count(r.facts)).toMatchObject({ value: 10, complete: true });
  });

  it('reads pmap -x', () => {
    const lines = [
      '2423:   java',
      'Address           Kbytes     RSS   Dirty Mode  Mapping',
      '0000555555554000       4       4       0 r---- java',
      '0000555555557000     132      12      12 rw---   [ anon ]',
      '00007f4e20000000   10240    1024       0 rw-s- 00000000000000000000.index',
      '00007f4e31000000    1620    1200       0 r-x-- libc.so.6',
      'ffffffffff600000       4       0       0 --x--   [ anon ]',
      '---------------- ------- ------- -------',
      'total kB           12000    2240      12',
      '',
    ];
    const r = parseMaps('pmap-x.txt', lines);
    expect(count(r.facts)).toMatchObject({ value: 5, complete: true, source: { line: 9 }, method: 'mapping lines of pmap -x <pid>' });
    expect(r.regions[2]).toMatchObject({ perms: 'rw-s', path: '00000000000000000000.index' });
    expect(r.regions[2]?.end).toBe(0x7f4e20000000n + 10240n * 1024n);
    expect(klass(r, 'shared-library')).toBe(1);
    const cut = parseMaps('pmap-x.txt', lines.slice(0, 6));
    expect(count(cut.facts)).toMatchObject({ value: 4, complete: false });
  });

  it('reads pmap -X with its column header and KB totals', () => {
    const lines = [
      '2423:   /usr/bin/java -Xmx1g',
      '         Address Perm   Offset Device   Inode  Size  Rss  Pss Referenced Anonymous LazyFree ShmemPmdMapped FilePmdMapped Shared_Hugetlb Private_Hugetlb Swap SwapPss Locked THPeligible Mapping',
      '    555555554000 r--p 00000000  08:01 1048602     4    4    4          4         0        0              0             0              0               0    0       0      0           0 java',
      '    7f4e0ff1b000 ---p 00000000  00:00       0    16    0    0          0         0        0              0             0              0               0    0       0      0           0 ',
      '    7f4e0ff1f000 rw-p 00000000  00:00       0  1008   12   12         12        12        0              0             0              0               0    0       0      0           0 ',
      '    7f4e20000000 rw-s 00000000  08:11  131073 10240 1024 1024       1024         0        0              0             0              0               0    0       0      0           0 00000000000000000000.index',
      '    7ffc0c1a3000 rw-p 00000000  00:00       0   132   12   12         12        12        0              0             0              0               0    0       0      0           0 [stack]',
      'ffffffffff600000 --xp 00000000  00:00       0     4    0    0          0         0        0              0             0              0               0    0       0      0           0 [vsyscall]',
      '                                              ===== ==== ==== ========== ========= ======== ============== ============= ============== =============== ==== ======= ====== =========== ',
      '                                              11404 1052 1052       1052        24        0              0             0              0               0    0       0      0           0 KB ',
      '',
    ];
    const r = parseMaps('pmap-X.txt', lines);
    expect(count(r.facts)).toMatchObject({ value: 6, complete: true, source: { line: 10 }, method: 'mapping lines of pmap -X <pid>' });
    expect(r.regions[1]).toMatchObject({ perms: '---p', path: '', dev: '00:00', inode: '0' });
    expect(r.regions[3]).toMatchObject({ path: '00000000000000000000.index', inode: '131073' });
    expect(r.regions[5]?.start).toBe(0xffffffffff600000n);
    expect(klass(r, 'guard-page')).toBe(1);
    expect(klass(r, 'special')).toBe(1);
    const cut = parseMaps('pmap-X.txt', lines.slice(0, 6));
    expect(count(cut.facts)).toMatchObject({ value: 4, complete: false });
    expect(cut.problems[0]?.code).toBe('evidence-cut');
  });
});

describe('parseMaps: bare counts', () => {
  it('reads wc -l output with the pid', () => {
    const r = parseMaps('maps-wc.txt', ['65530 /proc/1234/maps', '']);
    expect(r.regions).toEqual([]);
    expect(count(r.facts)).toMatchObject({ value: 65530, complete: true, source: { line: 1 }, method: 'wc -l /proc/1234/maps' });
    expect(r.facts.find((f) => f.key === 'pid')?.value).toBe(1234);
    expect(r.breakdown.regions).toBe(65530);
  });

  it('reads a bare number only from a file named like a map count', () => {
    expect(count(parseMaps('capture/maps-count', ['65529', '']).facts)?.value).toBe(65529);
    expect(count(parseMaps('capture/map_count.txt', ['  262100  ']).facts)?.value).toBe(262100);
    const other = parseMaps('capture/max_map_count', ['65530', '']);
    expect(count(other.facts)).toBeUndefined();
    expect(other.problems[0]?.code).toBe('evidence-unparsed');
  });

  it('reads the hs_err total line', () => {
    const r = parseMaps('hs_err_pid9.log', ['Total number of mappings: 188'], 733);
    expect(count(r.facts)).toMatchObject({ value: 188, source: { line: 733 }, method: 'hs_err Total number of mappings' });
  });
});

describe('parseMaps: a real hs_err Dynamic libraries section (JDK 25)', () => {
  const file = '/work/shared/corpus/krashpad/dataset95.txt';
  const all = readFileSync(file, 'utf8').split('\n');
  const start = all.findIndex((l) => l.startsWith('Dynamic libraries:')) + 1;
  const end = all.findIndex((l) => l.startsWith('Total number of mappings'));
  const r = parseMaps('dataset95.txt', all.slice(start, end), start + 1);

  it('counts every mapping line and sees the JVM thread stacks and arenas', () => {
    expect(count(r.facts)?.value).toBe(end - start);
    expect(r.regions[0]?.lineNo).toBe(start + 1);
    expect(klass(r, 'thread-stack')).toBeGreaterThanOrEqual(10);
    expect(klass(r, 'guard-page')).toBeGreaterThanOrEqual(klass(r, 'thread-stack') - 1);
    expect(klass(r, 'malloc-arena')).toBeGreaterThanOrEqual(20);
    expect(klass(r, 'java-heap')).toBe(2);
    expect(r.problems).toEqual([]);
  });
});
