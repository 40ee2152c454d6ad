// Data directories whose files a server memory-maps: Kafka log dirs (offset + time index per
// segment) and Prometheus / Cortex / Mimir TSDB dirs (block index, chunk segments, head
// chunks). Read from a real directory (bounded walk, no symlink following) or from a
// `find` / `ls -R` listing, counted into facts and a plan of the maps the server needs.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { EvidenceFile, Fact, NumericFactKey, Problem, SourceRef } from '../core/index.js';
import { patterns } from './classify.js';
import type { EvidenceParserDef } from './parser.js';

export type DataDirKind = 'kafka-log-dir' | 'tsdb-dir';

export interface DataDirPlan {
  kind: DataDirKind;
  partitions?: number;
  segments?: number;
  indexFiles: number;
  blocks?: number;
  tenants?: number;
  mmapFiles: number;
  /** Per partition (Kafka), per tenant (Cortex/Mimir) or per block (Prometheus), most files first. */
  perUnit: { unit: string; files: number }[];
  source: SourceRef;
}

/** The evidence of a data dir, carrying its plan so planFromEvidence keeps the per-unit list. */
export interface DataDirEvidence extends EvidenceFile {
  readonly kind: DataDirKind;
  readonly dataDir: DataDirPlan;
}

export interface WalkLimits {
  /** Deepest directory level read below the root (root = 0). Default 6. */
  maxDepth?: number;
  /** Directory entries looked at before the walk stops. Default 2 million. */
  maxEntries?: number;
}

const { KAFKA_SEGMENT, TOPIC_PARTITION, ULID, CHUNK_FILE } = patterns;
const KAFKA_FILE = /^(\d{20})\.(log|index|timeindex|txnindex)(\.deleted|\.cleaned|\.swap)?$/;
const KAFKA_TOP = /^(meta\.properties|recovery-point-offset-checkpoint|log-start-offset-checkpoint|replication-offset-checkpoint|cleaner-offset-checkpoint)$/;
const KAFKA_MARK = /\d{20}\.(log|index|timeindex)\b|(^|[/\s])(meta\.properties|recovery-point-offset-checkpoint|log-start-offset-checkpoint)\s*$/;
const TSDB_MARK = /(^|[/\s])[0-9A-HJKMNP-TV-Z]{26}(\/|:|\s*$)|(^|[/\s])chunks_head(\/|:|\s*$)/;
const LS_HEADER = /^(.+):$/;
const LS_LONG = /^[-dlcbpsD][-rwxsStTlL]{9}[.+@]?\s+\d+\s+\S+\s+\S+\s+[\d,]+\s+\S+\s+\S+\s+\S+\s+(.+)$/;
const LS_TOTAL = /^total\s+\d+/;
const MAPS_LIKE = /^[0-9a-fA-F]+-[0-9a-fA-F]+\s/;
/** Parent dirs never taken for a tenant: the data dir of a single Prometheus. */
const NOT_TENANT = new Set(['data', 'prometheus', 'metrics']);

interface Partition {
  unit: string;
  /** Segments by their .log files; a listing of only index files (find -name '*index') has none. */
  segments: number;
  /** Segments by their .index files. */
  offsetIndexes: number;
  index: number;
}

/** Counts files by path as they come (walk or listing); memory stays per unit, not per file. */
class Tally {
  readonly partitions = new Map<string, Partition>();
  readonly blocks = new Map<string, { unit: string; index: number; chunks: number }>();
  readonly heads = new Map<string, { unit: string; files: number }>();
  kafkaMarks = 0;

  constructor(private readonly root: string[]) {}

  private rel(segs: readonly string[]): string {
    return segs.slice(this.root.length).join('/');
  }

  /** The tenant that owns a dir whose path segments end at index `at` (exclusive). */
  private tenant(segs: readonly string[], at: number): string {
    const parent = segs[at - 1];
    if (parent === undefined) return '';
    if (segs[at - 2] === 'tsdb') return parent;
    return at - 1 >= this.root.length ? parent : '';
  }

  add(p: string): void {
    const segs = p.split('/').filter((s) => s !== '' && s !== '.');
    const n = segs.length;
    const file = segs[n - 1];
    if (file === undefined) return;
    const parent = segs[n - 2];
    if (KAFKA_TOP.test(file)) this.kafkaMarks++;
    const k = KAFKA_FILE.exec(file);
    if (k && parent !== undefined && TOPIC_PARTITION.test(parent)) {
      const key = segs.slice(0, -1).join('/');
      const part = this.partitions.get(key) ?? { unit: this.rel(segs.slice(0, -1)) || parent, segments: 0, offsetIndexes: 0, index: 0 };
      if (k[3] === undefined && KAFKA_SEGMENT.test(file)) {
        if (k[2] === 'log') part.segments++;
        else {
          part.index++;
          if (k[2] === 'index') part.offsetIndexes++;
        }
      }
      this.partitions.set(key, part);
      return;
    }
    if (parent === 'chunks_head' && CHUNK_FILE.test(file)) {
      const key = segs.slice(0, -1).join('/');
      const h = this.heads.get(key) ?? { unit: this.tenant(segs, n - 2), files: 0 };
      h.files++;
      this.heads.set(key, h);
      return;
    }
    let at = -1;
    if (parent !== undefined && ULID.test(parent) && (file === 'index' || file === 'meta.json')) at = n - 2;
    else if (parent === 'chunks' && CHUNK_FILE.test(file) && ULID.test(segs[n - 3] ?? '')) at = n - 3;
    if (at < 0) return;
    const key = segs.slice(0, at + 1).join('/');
    const b = this.blocks.get(key) ?? { unit: this.tenant(segs, at), index: 0, chunks: 0 };
    if (file === 'index') b.index++;
    else if (file !== 'meta.json') b.chunks++;
    this.blocks.set(key, b);
  }

  kind(): DataDirKind | null {
    const kafka = this.partitions.size + this.kafkaMarks;
    const tsdb = this.blocks.size + this.heads.size;
    if (kafka === 0 && tsdb === 0) return null;
    return kafka >= tsdb ? 'kafka-log-dir' : 'tsdb-dir';
  }

  plan(kind: DataDirKind, source: SourceRef): DataDirPlan {
    const sortUnits = (m: Map<string, number>): { unit: string; files: number }[] =>
      [...m.entries()].map(([unit, files]) => ({ unit, files })).sort((a, b) => b.files - a.files || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
    if (kind === 'kafka-log-dir') {
      const per = new Map<string, number>();
      let segments = 0;
      let index = 0;
      for (const p of this.partitions.values()) {
        segments += Math.max(p.segments, p.offsetIndexes);
        index += p.index;
        per.set(p.unit, (per.get(p.unit) ?? 0) + p.index);
      }
      return {
        kind,
        partitions: this.partitions.size,
        segments,
        indexFiles: index,
        mmapFiles: index,
        perUnit: sortUnits(per),
        source,
      };
    }
    const tenants = new Set<string>();
    for (const b of this.blocks.values()) tenants.add(b.unit);
    for (const h of this.heads.values()) tenants.add(h.unit);
    const [only] = [...tenants];
    const multi = !(tenants.size === 1 && (only === '' || NOT_TENANT.has(only ?? '')));
    const per = new Map<string, number>();
    let index = 0;
    let files = 0;
    const blockUnit = (key: string, unit: string): string => (multi ? unit : (key.split('/').pop() ?? key));
    for (const [key, b] of this.blocks) {
      index += b.index;
      files += b.index + b.chunks;
      const u = blockUnit(key, b.unit);
      per.set(u, (per.get(u) ?? 0) + b.index + b.chunks);
    }
    for (const h of this.heads.values()) {
      files += h.files;
      const u = multi ? h.unit : 'chunks_head';
      per.set(u, (per.get(u) ?? 0) + h.files);
    }
    return {
      kind,
      blocks: this.blocks.size,
      ...(multi ? { tenants: [...tenants].filter((t) => t !== '').length } : {}),
      indexFiles: index,
      mmapFiles: files,
      perUnit: sortUnits(per),
      source,
    };
  }
}

function evidenceOf(plan: DataDirPlan, file: string, method: string, complete: boolean): DataDirEvidence {
  const facts: Fact[] = [];
  const add = (key: NumericFactKey, value: number | undefined): void => {
    if (value !== undefined) facts.push({ key, value, source: plan.source, complete, method });
  };
  if (plan.kind === 'kafka-log-dir') {
    add('kafka-partitions', plan.partitions);
    add('kafka-segments', plan.segments);
    add('kafka-index-files', plan.indexFiles);
  } else {
    add('tsdb-blocks', plan.blocks);
    add('tsdb-mmap-files', plan.mmapFiles);
    add('tsdb-tenants', plan.tenants);
  }
  return { file, kind: plan.kind, facts, dataDir: plan };
}

function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s !== '' && s !== '.');
}

/** `find` output or `ls -R` (also `ls -lR`) output given as a text file, by content. */
export function detectListing(head: readonly string[]): DataDirKind | null {
  const lines = head.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  const first = lines[0];
  if (first === undefined) return null;
  if (lines.some((l) => MAPS_LIKE.test(l))) return null;
  const isLs = LS_HEADER.test(first) && (first.includes('/') || first === '.:');
  const pathLike = lines.filter((l) => l.startsWith('/') || l.startsWith('./') || l === '.').length;
  const isFind = pathLike >= Math.max(1, Math.ceil(lines.length * 0.8));
  if (!isLs && !isFind) return null;
  let kafka = 0;
  let tsdb = 0;
  for (const l of lines) {
    if (KAFKA_MARK.test(l)) kafka++;
    if (TSDB_MARK.test(l)) tsdb++;
  }
  if (kafka === 0 && tsdb === 0) return null;
  return kafka >= tsdb ? 'kafka-log-dir' : 'tsdb-dir';
}

/** The listed paths of a `find` or `ls -R` listing, and its root. */
function listedPaths(lines: readonly string[]): { root: string[]; paths: string[]; method: string } {
  const rows = lines.map((l) => l.replace(/\r$/, ''));
  const firstRow = rows.find((l) => l.trim() !== '') ?? '';
  const lsHead = LS_HEADER.exec(firstRow);
  if (lsHead) {
    const paths: string[] = [];
    let dir = lsHead[1] ?? '.';
    for (const row of rows) {
      if (row.trim() === '' || LS_TOTAL.test(row)) continue;
      const h = LS_HEADER.exec(row);
      if (h && !row.includes(' -> ')) {
        dir = h[1] ?? dir;
        continue;
      }
      const long = LS_LONG.exec(row);
      const name = long ? ((long[1] ?? '').split(' -> ')[0] ?? '') : row.trim();
      if (name === '.' || name === '..') continue;
      paths.push(`${dir}/${name}`);
    }
    return { root: splitPath(lsHead[1] ?? '.'), paths, method: 'ls -R listing' };
  }
  const paths = rows.filter((l) => l.trim() !== '');
  const first = splitPath(paths[0] ?? '');
  const all = paths.map(splitPath);
  const isPrefix = (p: string[]): boolean => all.every((q) => p.every((s, i) => q[i] === s));
  let root = first;
  if (!isPrefix(first)) {
    root = [];
    const dirs = all.map((q) => q.slice(0, -1));
    const base = dirs[0] ?? [];
    for (let i = 0; i < base.length && dirs.every((d) => d[i] === base[i]); i++) root.push(base[i] ?? '');
  }
  return { root, paths, method: 'find listing' };
}

/** Count a `find` / `ls -R` listing. With no Kafka or TSDB file in it, the facts are empty. */
export function parseListing(file: string, lines: readonly string[]): EvidenceFile {
  const { root, paths, method } = listedPaths(lines);
  const tally = new Tally(root);
  for (const p of paths) tally.add(p);
  const kind = tally.kind() ?? detectListing(lines.slice(0, 200));
  if (kind === null) return { file, kind: 'kafka-log-dir', facts: [] };
  return evidenceOf(tally.plan(kind, { file, line: 0 }), file, method, true);
}

/** The plan of a data-dir evidence file: its per-unit list when it has one, else from facts. */
export function planFromEvidence(e: EvidenceFile): DataDirPlan | null {
  if (e.kind !== 'kafka-log-dir' && e.kind !== 'tsdb-dir') return null;
  if ('dataDir' in e) {
    const d = (e as DataDirEvidence).dataDir;
    if (d && typeof d === 'object') return d;
  }
  const num = (key: NumericFactKey): number | undefined => {
    for (const f of e.facts) if (f.key === key && typeof f.value === 'number') return f.value;
    return undefined;
  };
  const source = e.facts[0]?.source ?? { file: e.file, line: 0 };
  if (e.kind === 'kafka-log-dir') {
    const index = num('kafka-index-files');
    if (index === undefined) return null;
    const partitions = num('kafka-partitions');
    const segments = num('kafka-segments');
    return {
      kind: e.kind,
      ...(partitions === undefined ? {} : { partitions }),
      ...(segments === undefined ? {} : { segments }),
      indexFiles: index,
      mmapFiles: index,
      perUnit: [],
      source,
    };
  }
  const files = num('tsdb-mmap-files');
  if (files === undefined) return null;
  const blocks = num('tsdb-blocks');
  const tenants = num('tsdb-tenants');
  return {
    kind: e.kind,
    ...(blocks === undefined ? {} : { blocks }),
    ...(tenants === undefined ? {} : { tenants }),
    indexFiles: blocks ?? 0,
    mmapFiles: files,
    perUnit: [],
    source,
  };
}

async function entries(dir: string): Promise<import('node:fs').Dirent[] | Error> {
  try {
    const list = await fsp.readdir(dir, { withFileTypes: true });
    return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Cheap look at the first two levels: does this dir look like a Kafka or TSDB data dir? */
export async function looksLikeDataDir(absDir: string): Promise<boolean> {
  const top = await entries(absDir);
  if (top instanceof Error) return false;
  for (const e of top) {
    if (KAFKA_TOP.test(e.name) || e.name === 'chunks_head') return true;
    if (e.isDirectory() && (ULID.test(e.name) || TOPIC_PARTITION.test(e.name))) {
      const inner = await entries(path.join(absDir, e.name));
      if (inner instanceof Error) continue;
      if (inner.some((x) => KAFKA_FILE.test(x.name) || x.name === 'meta.json' || x.name === 'index')) return true;
    }
    if (e.isDirectory() && !e.name.startsWith('.')) {
      const inner = await entries(path.join(absDir, e.name));
      if (inner instanceof Error) continue;
      if (inner.some((x) => x.isDirectory() && (ULID.test(x.name) || x.name === 'chunks_head'))) return true;
      if (inner.some((x) => KAFKA_TOP.test(x.name))) return true;
    }
  }
  return false;
}

/**
 * Walk a data directory (readdir withFileTypes, symlinks never followed, bounded depth and
 * entry count) and count it. `evidence` is null when the dir is neither a Kafka log dir nor a
 * TSDB dir. A cap that stops the walk gives a Problem 'evidence-cut' and facts with
 * complete=false (the counts are lower bounds); an unreadable subdir gives 'unreadable'.
 */
export async function readDataDir(absDir: string, display: string, limits: WalkLimits = {}): Promise<{ evidence: EvidenceFile | null; problems: Problem[] }> {
  const maxDepth = limits.maxDepth ?? 6;
  const maxEntries = limits.maxEntries ?? 2_000_000;
  const problems: Problem[] = [];
  if (!(await looksLikeDataDir(absDir))) return { evidence: null, problems };
  const tally = new Tally([]);
  const stack: { abs: string; rel: string; depth: number }[] = [{ abs: absDir, rel: '', depth: 0 }];
  let seen = 0;
  let cut: string | null = null;
  while (stack.length > 0 && cut === null) {
    const dir = stack.pop();
    if (dir === undefined) break;
    const list = await entries(dir.abs);
    if (list instanceof Error) {
      const code = (list as NodeJS.ErrnoException).code ?? list.message;
      problems.push({ code: 'unreadable', file: path.posix.join(display, dir.rel), args: { reason: code } });
      continue;
    }
    const subdirs: { abs: string; rel: string; depth: number }[] = [];
    for (const e of list) {
      if (++seen > maxEntries) {
        cut = `more than ${maxEntries} entries; the walk stopped`;
        break;
      }
      const rel = dir.rel === '' ? e.name : `${dir.rel}/${e.name}`;
      if (e.isDirectory()) {
        if (dir.depth + 1 > maxDepth) {
          if (!problems.some((p) => p.code === 'evidence-cut')) {
            problems.push({
              code: 'evidence-cut',
              file: display,
              args: { what: 'the data dir walk', reason: `directories deeper than ${maxDepth} levels were not read` },
            });
          }
          continue;
        }
        subdirs.push({ abs: path.join(dir.abs, e.name), rel, depth: dir.depth + 1 });
      } else if (e.isFile() || e.isSymbolicLink()) {
        tally.add(rel);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) {
      const s = subdirs[i];
      if (s) stack.push(s);
    }
  }
  if (cut !== null) problems.push({ code: 'evidence-cut', file: display, args: { what: 'the data dir walk', reason: cut } });
  const kind = tally.kind();
  if (kind === null) return { evidence: null, problems };
  const complete = !problems.some((p) => p.code === 'evidence-cut');
  return { evidence: evidenceOf(tally.plan(kind, { file: display, line: 0 }), display, 'directory walk', complete), problems };
}

export const listingEvidence: EvidenceParserDef = {
  name: 'data-dir-listing',
  kinds: ['kafka-log-dir', 'tsdb-dir'],
  description: 'a `find` or `ls -R` listing of a Kafka log dir or a TSDB data dir',
  detect: detectListing,
  parse: (_kind, file, lines) => ({ evidence: parseListing(file, lines), problems: [] }),
  facts: ['kafka-partitions', 'kafka-segments', 'kafka-index-files', 'tsdb-blocks', 'tsdb-mmap-files', 'tsdb-tenants'],
  samples: [
    {
      name: 'kafka-logs.find.txt',
      lines: [
        '/var/lib/kafka/orders-0/00000000000000000000.log',
        '/var/lib/kafka/orders-0/00000000000000000000.index',
        '/var/lib/kafka/orders-0/00000000000000000000.timeindex',
        '/var/lib/kafka/orders-1/00000000000000000000.log',
        '/var/lib/kafka/orders-1/00000000000000000000.index',
        '/var/lib/kafka/orders-1/00000000000000000000.timeindex',
      ],
      kind: 'kafka-log-dir',
      facts: { 'kafka-partitions': 2 },
    },
  ],
};
