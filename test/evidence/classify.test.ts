import { describe, expect, it } from 'vitest';
import { classifyRegion, groupKey } from '../../src/evidence/classify.js';
import type { MapRegion } from '../../src/evidence/maps.js';
import { summarizeRegions } from '../../src/evidence/maps.js';

let line = 0;
function region(start: bigint, end: bigint, perms: string, path = ''): MapRegion {
  line++;
  return { start, end, perms, offset: 0n, dev: path === '' ? '00:00' : '08:11', inode: path === '' ? '0' : '42', path, lineNo: line };
}
function file(path: string, perms = 'rw-s'): MapRegion {
  return region(0x7f0000000000n, 0x7f0000001000n, perms, path);
}
const cls = (path: string): string => classifyRegion(file(path));

describe('classifyRegion: files', () => {
  it('tells Kafka index and log segments from other files', () => {
    expect(cls('/var/lib/kafka/data/orders-3/00000000000000123456.index')).toBe('kafka-index');
    expect(cls('/var/lib/kafka/data/orders-3/00000000000000123456.timeindex')).toBe('kafka-index');
    expect(cls('/var/lib/kafka/data/orders-3/00000000000000123456.log')).toBe('kafka-log');
    expect(cls('/var/lib/kafka/data/orders-3/00000000000000123456.txnindex')).toBe('other-file');
    expect(cls('/var/lib/kafka/data/orders-3/00000000000000123456.index.deleted')).toBe('other-file');
    expect(cls('/var/lib/kafka/data/snapshots/00000000000000123456.index')).toBe('other-file');
    expect(cls('00000000000000123456.index')).toBe('kafka-index');
  });

  it('tells TSDB blocks (Prometheus and Cortex/Mimir) and head chunks', () => {
    expect(cls('/prometheus/01HQK3ZJ5V2Y8X0M4N6P7R9S1T/index')).toBe('tsdb-block');
    expect(cls('/prometheus/01HQK3ZJ5V2Y8X0M4N6P7R9S1T/chunks/000001')).toBe('tsdb-block');
    expect(cls('/data/tsdb/tenant-a/01HQK3ZJ5V2Y8X0M4N6P7R9S1T/chunks/000002')).toBe('tsdb-block');
    expect(cls('/prometheus/chunks_head/000123')).toBe('tsdb-head-chunk');
    expect(cls('/prometheus/not-a-ulid/index')).toBe('other-file');
  });

  it('tells Lucene, shared libraries, deleted and special mappings', () => {
    expect(cls('/usr/share/elasticsearch/data/indices/aB3/0/index/_0.cfs')).toBe('lucene-index');
    expect(cls('/var/solr/data/core1/data/index/_1a_Lucene90_0.doc')).toBe('lucene-index');
    expect(cls('/home/u/notes.doc')).toBe('other-file');
    expect(cls('/usr/lib/x86_64-linux-gnu/libc.so.6')).toBe('shared-library');
    expect(cls('/usr/lib/jvm/java-17/lib/server/libjvm.so')).toBe('shared-library');
    expect(cls('/usr/lib64/libc-2.28.so')).toBe('shared-library');
    expect(cls('/opt/kafka/libs/kafka_2.13-3.7.0.jar')).toBe('other-file');
    expect(cls('/var/lib/kafka/data/orders-3/00000000000000000000.index (deleted)')).toBe('deleted-file');
    expect(cls('[vdso]')).toBe('special');
    expect(cls('[vsyscall]')).toBe('special');
    expect(cls('[stack]')).toBe('thread-stack');
    expect(cls('[heap]')).toBe('malloc-arena');
  });
});

describe('classifyRegion: anonymous memory by shape', () => {
  it('sees a guard page directly below a thread stack, and the stack above it', () => {
    const glibcGuard = region(0x7fa374038000n, 0x7fa374039000n, '---p');
    const jvmGuard = region(0x7fa374039000n, 0x7fa37403d000n, '---p');
    const stack = region(0x7fa37403d000n, 0x7fa374139000n, 'rw-p');
    expect(classifyRegion(glibcGuard, undefined, jvmGuard)).toBe('guard-page');
    expect(classifyRegion(jvmGuard, glibcGuard, stack)).toBe('guard-page');
    expect(classifyRegion(stack, jvmGuard, undefined)).toBe('thread-stack');
    const gap = region(0x7fa374139000n + 0x1000n, 0x7fa374139000n + 0x101000n, 'rw-p');
    const lone = region(0x7fa374138000n, 0x7fa374139000n, '---p');
    expect(classifyRegion(gap, lone, undefined)).toBe('anonymous');
    const big = region(0x7fa374038000n, 0x7fa374038000n + 0x100000n, '---p');
    expect(classifyRegion(big, undefined, stack)).toBe('anonymous');
  });

  it('sees the 64 MiB aligned glibc arena pair', () => {
    const head = region(0x7fa31c000000n, 0x7fa31c02e000n, 'rw-p');
    const tail = region(0x7fa31c02e000n, 0x7fa320000000n, '---p');
    expect(classifyRegion(head, undefined, tail)).toBe('malloc-arena');
    expect(classifyRegion(tail, head, undefined)).toBe('malloc-arena');
    const off = region(0x7fa31c001000n, 0x7fa31c02e000n, 'rw-p');
    expect(classifyRegion(off, undefined, tail)).toBe('anonymous');
  });

  it('sees a large Java heap reservation', () => {
    expect(classifyRegion(region(0x600000000n, 0x640000000n, 'rw-p'))).toBe('java-heap');
    const committed = region(0x8b200000n, 0x92800000n, 'rw-p');
    const reserved = region(0x92800000n, 0xffe00000n, '---p');
    expect(classifyRegion(committed, undefined, reserved)).toBe('java-heap');
    expect(classifyRegion(reserved, committed, undefined)).toBe('java-heap');
    expect(classifyRegion(region(0x25050000n, 0x65000000n, '---p'))).toBe('anonymous');
  });
});

describe('groupKey', () => {
  it('groups Kafka files by topic-partition and TSDB files by block or tenant', () => {
    const k = file('/var/lib/kafka/data/orders-3/00000000000000123456.index');
    expect(groupKey(k, 'kafka-index')).toBe('orders-3');
    const p = file('/prometheus/01HQK3ZJ5V2Y8X0M4N6P7R9S1T/chunks/000001');
    expect(groupKey(p, 'tsdb-block')).toBe('01HQK3ZJ5V2Y8X0M4N6P7R9S1T');
    const c = file('/data/tsdb/tenant-a/01HQK3ZJ5V2Y8X0M4N6P7R9S1T/index');
    expect(groupKey(c, 'tsdb-block')).toBe('tenant/tenant-a');
    expect(groupKey(file('/data/tsdb/tenant-b/chunks_head/000004'), 'tsdb-head-chunk')).toBe('tenant/tenant-b');
    expect(groupKey(file('/prometheus/chunks_head/000004'), 'tsdb-head-chunk')).toBe('prometheus/chunks_head');
    const d = file('/tmp/x.bin (deleted)');
    expect(groupKey(d, 'deleted-file')).toBe('/tmp/x.bin');
    expect(groupKey(file('/var/lib/es/indices/Xq1/0/index/_a.cfs'), 'lucene-index')).toBe('/var/lib/es/indices/Xq1/0/index/');
    expect(groupKey(file('/usr/lib/libz.so.1'), 'shared-library')).toBe('/usr/lib/libz.so.1');
    expect(groupKey(region(1n, 2n, 'rw-p'), 'anonymous')).toBe('(anonymous)');
  });
});

describe('summarizeRegions', () => {
  it('shows a file mapped many times even inside a bigger group', () => {
    const regions: MapRegion[] = [];
    let at = 0x7f0000000000n;
    const add = (path: string): void => {
      regions.push({ start: at, end: at + 0x1000n, perms: 'r--s', offset: 0n, dev: '08:11', inode: '9', path, lineNo: regions.length + 1 });
      at += 0x2000n;
    };
    for (let i = 0; i < 6; i++) add('/k/orders-0/00000000000000000000.index');
    for (let p = 1; p <= 12; p++) add(`/k/orders-${p}/00000000000000000000.index`);
    for (let i = 0; i < 3; i++) add('/opt/app/data.bin');
    const b = summarizeRegions('maps', 'maps', regions, true, 0);
    expect(b.regions).toBe(21);
    expect(b.classes).toEqual([
      { class: 'kafka-index', count: 18, bytes: 18 * 4096 },
      { class: 'other-file', count: 3, bytes: 3 * 4096 },
    ]);
    expect(b.top).toHaveLength(10);
    expect(b.top[0]).toEqual({ name: '/k/orders-0/00000000000000000000.index', class: 'kafka-index', count: 6, bytes: 6 * 4096 });
    expect(b.top[1]).toEqual({ name: 'orders-0', class: 'kafka-index', count: 6, bytes: 6 * 4096 });
    expect(b.top[2]).toMatchObject({ name: '/opt/app/data.bin', count: 3 });
    expect(b.top.slice(3).map((t) => t.name)).toEqual(['orders-1', 'orders-10', 'orders-11', 'orders-12', 'orders-2', 'orders-3', 'orders-4']);
  });
});

describe('classifyRegion: named anonymous memory', () => {
  it('classifies [anon:…] regions by shape like unnamed ones', () => {
    const guard = region(0x7fa374039000n, 0x7fa37403d000n, '---p', '[anon:stack_guard]');
    const stack = region(0x7fa37403d000n, 0x7fa374139000n, 'rw-p', '[anon:thread stack]');
    expect(classifyRegion(guard, undefined, stack)).toBe('guard-page');
    expect(classifyRegion(stack, guard, undefined)).toBe('thread-stack');
    expect(classifyRegion(region(1n, 0x1001n, 'rw-p', '[anon:glibc malloc]'))).toBe('anonymous');
    expect(groupKey(region(1n, 0x1001n, 'rw-p', '[anon:glibc malloc]'), 'anonymous')).toBe('[anon:glibc malloc]');
  });
});
