import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvidenceFile } from '../../src/core/index.js';
import { detectListing, parseListing, planFromEvidence, readDataDir } from '../../src/evidence/datadir.js';

const ULID_A = '01HQK3ZJ5V2Y8X0M4N6P7R9S1T';
const ULID_B = '01HQM0B1C2D3E4F5G6H7J8K9MN';
const ULID_C = '01HQN7XYZ0123456789ABCDEFG';

const root = mkdtempSync(join(tmpdir(), 'mapmortem-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(base: string, files: readonly string[]): string {
  for (const f of files) {
    const abs = join(base, f);
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, '');
  }
  return base;
}

const seg = (n: number): string => String(n).padStart(20, '0');
function partition(name: string, segments: number[], extra: string[] = []): string[] {
  const out = [`${name}/leader-epoch-checkpoint`, `${name}/partition.metadata`, ...extra.map((e) => `${name}/${e}`)];
  for (const s of segments) {
    for (const ext of ['log', 'index', 'timeindex', 'txnindex']) out.push(`${name}/${seg(s)}.${ext}`);
  }
  return out;
}

/** 3 partitions: 2 + 1 + 3 segments (6 .log, 12 index files), plus files that must not count. */
const kafkaFiles = [
  'meta.properties',
  'recovery-point-offset-checkpoint',
  'log-start-offset-checkpoint',
  'cleaner-offset-checkpoint',
  ...partition('orders-0', [0, 5000]),
  ...partition('orders-1', [0], [`${seg(900)}.index.deleted`, `${seg(900)}.log.deleted`, `${seg(901)}.timeindex.cleaned`]),
  ...partition('payments-0', [0, 100, 200], [`${seg(300)}.index.swap`]),
];

const promFiles = [
  `${ULID_A}/meta.json`,
  `${ULID_A}/index`,
  `${ULID_A}/tombstones`,
  `${ULID_A}/chunks/000001`,
  `${ULID_A}/chunks/000002`,
  `${ULID_B}/meta.json`,
  `${ULID_B}/index`,
  `${ULID_B}/chunks/000001`,
  'chunks_head/000007',
  'chunks_head/000008',
  'chunks_head/000009',
  'wal/00000010',
  'wal/00000011',
  'wal/checkpoint.00000009/00000000',
  'lock',
  'queries.active',
];

const cortexFiles = [
  ...[ULID_A, ULID_B].flatMap((u) => [`tenant-a/${u}/meta.json`, `tenant-a/${u}/index`, `tenant-a/${u}/chunks/000001`]),
  'tenant-a/chunks_head/000003',
  'tenant-a/wal/00000004',
  `tenant-b/${ULID_C}/meta.json`,
  `tenant-b/${ULID_C}/index`,
  `tenant-b/${ULID_C}/chunks/000001`,
  `tenant-b/${ULID_C}/chunks/000002`,
  'tenant-b/chunks_head/000001',
  'tenant-b/chunks_head/000002',
  'tenant-b/wal/00000001',
];

function facts(e: EvidenceFile | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of e?.facts ?? []) if (typeof f.value === 'number') out[f.key] = f.value;
  return out;
}

describe('readDataDir: Kafka log dir', () => {
  const dir = tree(join(root, 'kafka'), kafkaFiles);

  it('counts partitions, segments and the index files Kafka maps', async () => {
    const e = (await readDataDir(dir, 'kafka')).evidence;
    expect(e?.kind).toBe('kafka-log-dir');
    expect(facts(e)).toEqual({ 'kafka-partitions': 3, 'kafka-segments': 6, 'kafka-index-files': 12 });
    expect(e?.facts[0]).toMatchObject({ source: { file: 'kafka', line: 0 }, complete: true, method: 'directory walk' });
    const plan = planFromEvidence(e as EvidenceFile);
    expect(plan).toMatchObject({ kind: 'kafka-log-dir', partitions: 3, segments: 6, indexFiles: 12, mmapFiles: 12 });
    expect(plan?.perUnit).toEqual([
      { unit: 'payments-0', files: 6 },
      { unit: 'orders-0', files: 4 },
      { unit: 'orders-1', files: 2 },
    ]);
  });

  it('does not follow symlinks', async () => {
    const linked = tree(join(root, 'kafka-linked'), partition('orders-0', [0]));
    symlinkSync(dir, join(linked, 'elsewhere-0'));
    const e = (await readDataDir(linked, 'kafka-linked')).evidence;
    expect(facts(e)).toEqual({ 'kafka-partitions': 1, 'kafka-segments': 1, 'kafka-index-files': 2 });
  });

  it('marks the counts as lower bounds when the entry cap stops the walk', async () => {
    const r = await readDataDir(dir, 'kafka', { maxEntries: 20 });
    expect(r.evidence?.facts.every((f) => 'complete' in f && f.complete === false)).toBe(true);
    expect(facts(r.evidence)['kafka-index-files']).toBeLessThan(12);
    expect(r.problems).toMatchObject([{ code: 'evidence-cut', file: 'kafka', args: { what: 'the data dir walk' } }]);
  });

  it('returns null for a dir that is neither Kafka nor TSDB', async () => {
    const other = tree(join(root, 'other'), ['src/main.ts', 'README.md', 'logs/app.log']);
    expect((await readDataDir(other, 'other')).evidence).toBeNull();
  });
});

describe('readDataDir: TSDB dirs', () => {
  it('counts a Prometheus data dir: block index + chunk segments + head chunks', async () => {
    const dir = tree(join(root, 'prometheus'), promFiles);
    const e = (await readDataDir(dir, 'prometheus')).evidence;
    expect(e?.kind).toBe('tsdb-dir');
    expect(facts(e)).toEqual({ 'tsdb-blocks': 2, 'tsdb-mmap-files': 8 });
    const plan = planFromEvidence(e as EvidenceFile);
    expect(plan).toMatchObject({ kind: 'tsdb-dir', blocks: 2, indexFiles: 2, mmapFiles: 8 });
    expect(plan?.tenants).toBeUndefined();
    expect(plan?.perUnit).toEqual([
      { unit: ULID_A, files: 3 },
      { unit: 'chunks_head', files: 3 },
      { unit: ULID_B, files: 2 },
    ]);
  });

  it('counts a Cortex ingester dir per tenant', async () => {
    const dir = tree(join(root, 'cortex', 'tsdb'), cortexFiles);
    const e = (await readDataDir(dir, 'cortex/tsdb')).evidence;
    expect(facts(e)).toEqual({ 'tsdb-blocks': 3, 'tsdb-mmap-files': 10, 'tsdb-tenants': 2 });
    expect(planFromEvidence(e as EvidenceFile)?.perUnit).toEqual([
      { unit: 'tenant-a', files: 5 },
      { unit: 'tenant-b', files: 5 },
    ]);
  });

  it('reports directories below the depth cap', async () => {
    const dir = join(root, 'cortex', 'tsdb');
    const r = await readDataDir(dir, 'cortex/tsdb', { maxDepth: 2 });
    expect(facts(r.evidence)).toEqual({ 'tsdb-blocks': 3, 'tsdb-mmap-files': 6, 'tsdb-tenants': 2 });
    expect(r.evidence?.facts[0]).toMatchObject({ complete: false });
    expect(r.problems[0]).toMatchObject({ code: 'evidence-cut', args: { reason: 'directories deeper than 2 levels were not read' } });
  });
});

function findOutput(base: string, files: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [base, ...[...dirs, ...files].sort().map((p) => `${base}/${p}`), ''];
}

function lsROutput(base: string, files: readonly string[]): string[] {
  const children = new Map<string, Set<string>>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const set = children.get(dir) ?? new Set<string>();
      set.add(parts[i] ?? '');
      children.set(dir, set);
    }
  }
  const out: string[] = [];
  for (const dir of [...children.keys()].sort()) {
    if (out.length > 0) out.push('');
    out.push(`${dir === '' ? base : `${base}/${dir}`}:`);
    out.push(...[...(children.get(dir) ?? [])].sort());
  }
  out.push('');
  return out;
}

describe('listings', () => {
  it('detects find and ls -R listings of both kinds by content', () => {
    expect(detectListing(findOutput('/var/lib/kafka/data', kafkaFiles).slice(0, 30))).toBe('kafka-log-dir');
    expect(detectListing(lsROutput('/var/lib/kafka/data', kafkaFiles).slice(0, 30))).toBe('kafka-log-dir');
    expect(detectListing(findOutput('/prometheus', promFiles))).toBe('tsdb-dir');
    expect(detectListing(lsROutput('/data/tsdb', cortexFiles).slice(0, 30))).toBe('tsdb-dir');
    expect(detectListing(['/etc/passwd', '/etc/hosts'])).toBeNull();
    expect(detectListing(['7f4e20000000-7f4e20a00000 rw-s 00000000 08:11 131073 /k/orders-0/00000000000000000000.index'])).toBeNull();
    expect(detectListing(['vm.max_map_count = 65530'])).toBeNull();
  });

  it('counts a Kafka find listing like the real dir', () => {
    const e = parseListing('kafka-find.txt', findOutput('/var/lib/kafka/data', kafkaFiles));
    expect(e.kind).toBe('kafka-log-dir');
    expect(facts(e)).toEqual({ 'kafka-partitions': 3, 'kafka-segments': 6, 'kafka-index-files': 12 });
    expect(e.facts[0]).toMatchObject({ source: { file: 'kafka-find.txt', line: 0 }, method: 'find listing' });
    expect(planFromEvidence(e)?.perUnit[0]).toEqual({ unit: 'payments-0', files: 6 });
  });

  it('counts a Kafka ls -R listing, and ls -lR', () => {
    const e = parseListing('kafka-ls.txt', lsROutput('/var/lib/kafka/data', kafkaFiles));
    expect(facts(e)).toEqual({ 'kafka-partitions': 3, 'kafka-segments': 6, 'kafka-index-files': 12 });
    expect(e.facts[0]).toMatchObject({ method: 'ls -R listing' });
    const long = [
      '/var/lib/kafka/data:',
      'total 8',
      'drwxr-xr-x 2 kafka kafka 4096 Mar  3 10:00 orders-0',
      '-rw-r--r-- 1 kafka kafka   88 Mar  3 10:00 meta.properties',
      '',
      '/var/lib/kafka/data/orders-0:',
      'total 12',
      `-rw-r--r-- 1 kafka kafka 10485760 Mar  3 10:00 ${seg(0)}.index`,
      `-rw-r--r-- 1 kafka kafka     1234 Mar  3 10:00 ${seg(0)}.log`,
      `-rw-r--r-- 1 kafka kafka 10485756 Mar  3 10:00 ${seg(0)}.timeindex`,
      '',
    ];
    expect(facts(parseListing('ls-lR.txt', long))).toEqual({ 'kafka-partitions': 1, 'kafka-segments': 1, 'kafka-index-files': 2 });
  });

  it('counts Prometheus and Cortex listings', () => {
    expect(facts(parseListing('prom-find.txt', findOutput('/prometheus', promFiles)))).toEqual({ 'tsdb-blocks': 2, 'tsdb-mmap-files': 8 });
    expect(facts(parseListing('prom-ls.txt', lsROutput('/var/lib/prometheus/data', promFiles)))).toEqual({
      'tsdb-blocks': 2,
      'tsdb-mmap-files': 8,
    });
    const cortex = parseListing('cortex-find.txt', findOutput('/data/tsdb', cortexFiles));
    expect(facts(cortex)).toEqual({ 'tsdb-blocks': 3, 'tsdb-mmap-files': 10, 'tsdb-tenants': 2 });
    expect(facts(parseListing('cortex-ls.txt', lsROutput('.', cortexFiles)))).toEqual({
      'tsdb-blocks': 3,
      'tsdb-mmap-files': 10,
      'tsdb-tenants': 2,
    });
    const filesOnly = cortexFiles.map((f) => `/data/tsdb/${f}`);
    expect(facts(parseListing('cortex-find-type-f.txt', filesOnly))).toEqual({ 'tsdb-blocks': 3, 'tsdb-mmap-files': 10, 'tsdb-tenants': 2 });
  });

  it('rebuilds a plan from facts alone when the per-unit list is gone', () => {
    const e = parseListing('kafka-find.txt', findOutput('/var/lib/kafka/data', kafkaFiles));
    const bare: EvidenceFile = { file: e.file, kind: e.kind, facts: e.facts };
    expect(planFromEvidence(bare)).toEqual({
      kind: 'kafka-log-dir',
      partitions: 3,
      segments: 6,
      indexFiles: 12,
      mmapFiles: 12,
      perUnit: [],
      source: { file: 'kafka-find.txt', line: 0 },
    });
    expect(planFromEvidence({ file: 'x', kind: 'meminfo', facts: [] })).toBeNull();
  });
});
