// Region classification for memory-map snapshots: which class a mapping belongs to (thread
// stack, guard page, malloc arena, Kafka index, TSDB block…) from its path, permissions, size
// and its neighbours, and the group it is counted under in a breakdown's top list.

import type { MapsUnitKind, RegionClass } from '../core/index.js';

/** One mapping of a snapshot, as maps.ts parses it. */
export interface MapRegion {
  start: bigint;
  end: bigint;
  perms: string;
  offset: bigint;
  dev: string;
  inode: string;
  path: string;
  lineNo: number;
}

const KIB = 1024n;
const MIB = 1024n * KIB;
/** glibc HEAP_MAX_SIZE on 64-bit: every non-main arena is a 64 MiB aligned reservation. */
const ARENA = 64n * MIB;
const GUARD_MIN = 4n * KIB;
const GUARD_MAX = 64n * KIB;
const STACK_MIN = 16n * KIB;
const STACK_MAX = 16n * MIB + GUARD_MAX;
const HEAP_MIN = 128n * MIB;
const HEAP_COMMIT_MIN = 32n * MIB;

const SPECIAL = /^\[(vdso|vvar|vvar_vclock|vsyscall|vectors|sigpage|uprobes)\]$/;
const DELETED = ' (deleted)';
const KAFKA_SEGMENT = /^(\d{20})\.(log|index|timeindex)$/;
const TOPIC_PARTITION = /^(.+)-(\d+)$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const CHUNK_FILE = /^\d{6,}$/;
const LUCENE_EXT = /\.(cfs|cfe|si|liv|doc|pos|pay|tim|tip|tmd|dvd|dvm|nvd|nvm|fdt|fdx|fdm|kdd|kdi|kdm|vec|vem|vex|tvd|tvx|tvm|psm)$/;
const LUCENE_NAME = /^_[0-9a-z]+(_.+)?\.[a-z]+$/;
const SHARED_LIB = /\.so(\.[0-9A-Za-z_]+)*$/;

/** Names of groups that are not files (anonymous memory counted as a whole). */
const ANON_GROUPS: Partial<Record<RegionClass, string>> = {
  'thread-stack': '(thread stacks)',
  'guard-page': '(guard pages)',
  'java-heap': '(java heap)',
  'malloc-arena': '(malloc arenas)',
  anonymous: '(anonymous)',
};

function size(r: MapRegion): bigint {
  return r.end - r.start;
}

/** Anonymous: no path, or a name given with PR_SET_VMA_ANON_NAME (`[anon:glibc malloc]`). */
function isAnon(r: MapRegion): boolean {
  return r.path === '' || r.path.startsWith('[anon:');
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function basename(path: string): string {
  const s = segments(path);
  return s[s.length - 1] ?? path;
}

function isSmallNone(r: MapRegion): boolean {
  const n = size(r);
  return isAnon(r) && r.perms === '---p' && n >= GUARD_MIN && n <= GUARD_MAX;
}

/**
 * A PROT_NONE page run directly below an rw region (glibc stack guard, JVM guard zones); the
 * glibc guard sits right below the JVM zone, so a small `---p` below another counts too.
 */
function isGuard(r: MapRegion, next: MapRegion | undefined): boolean {
  if (!isSmallNone(r) || next === undefined || !isAnon(next) || next.start !== r.end) return false;
  return next.perms.startsWith('rw') || isSmallNone(next);
}

function isArenaHead(r: MapRegion, next: MapRegion | undefined): boolean {
  if (!isAnon(r) || r.perms !== 'rw-p' || r.start % ARENA !== 0n) return false;
  if (size(r) === ARENA) return true;
  return next !== undefined && isAnon(next) && next.perms === '---p' && next.start === r.end && next.end - r.start === ARENA;
}

function isArenaTail(r: MapRegion, prev: MapRegion | undefined): boolean {
  return (
    prev !== undefined &&
    isAnon(r) &&
    r.perms === '---p' &&
    isAnon(prev) &&
    prev.perms === 'rw-p' &&
    prev.end === r.start &&
    prev.start % ARENA === 0n &&
    r.end - prev.start === ARENA
  );
}

/** Committed rw part of a Java heap followed by its PROT_NONE reserved rest. */
function isHeapPair(rw: MapRegion, none: MapRegion | undefined): boolean {
  return (
    none !== undefined &&
    isAnon(rw) &&
    isAnon(none) &&
    rw.perms === 'rw-p' &&
    none.perms === '---p' &&
    rw.end === none.start &&
    size(rw) >= HEAP_COMMIT_MIN &&
    none.end - rw.start >= HEAP_MIN
  );
}

function classifyAnon(r: MapRegion, prev?: MapRegion, next?: MapRegion): RegionClass {
  if (isArenaHead(r, next) || isArenaTail(r, prev)) return 'malloc-arena';
  if (isGuard(r, next)) return 'guard-page';
  const n = size(r);
  if (r.perms.startsWith('rw') && prev !== undefined && prev.end === r.start && n >= STACK_MIN && n <= STACK_MAX && isGuard(prev, r)) {
    return 'thread-stack';
  }
  if (r.perms === 'rw-p' && n >= HEAP_MIN) return 'java-heap';
  if (isHeapPair(r, next) || (prev !== undefined && isHeapPair(prev, r))) return 'java-heap';
  return 'anonymous';
}

interface TsdbPlace {
  tenant?: string;
  block?: string;
  head?: string;
}

/** Where a path sits in a TSDB layout: block ULID (and tenant), or a chunks_head dir. */
function tsdbPlace(path: string): TsdbPlace | null {
  const s = segments(path);
  const file = s[s.length - 1];
  if (file === undefined) return null;
  const tenantOf = (i: number): string | undefined => (i >= 2 && s[i - 2] === 'tsdb' ? s[i - 1] : undefined);
  const parent = s[s.length - 2];
  if (parent === 'chunks_head' && CHUNK_FILE.test(file)) {
    const t = tenantOf(s.length - 2);
    return { head: s.slice(0, -1).join('/'), ...(t === undefined ? {} : { tenant: t }) };
  }
  let blockAt = -1;
  if (file === 'index' && parent !== undefined && ULID.test(parent)) blockAt = s.length - 2;
  else if (parent === 'chunks' && CHUNK_FILE.test(file) && ULID.test(s[s.length - 3] ?? '')) {
    blockAt = s.length - 3;
  }
  if (blockAt < 0) return null;
  const t = tenantOf(blockAt);
  return { block: s[blockAt] ?? '', ...(t === undefined ? {} : { tenant: t }) };
}

function classifyFile(path: string): RegionClass {
  const s = segments(path);
  const file = s[s.length - 1] ?? path;
  const kafka = KAFKA_SEGMENT.exec(file);
  if (kafka) {
    const parent = s[s.length - 2];
    if (parent === undefined || TOPIC_PARTITION.test(parent)) {
      return kafka[2] === 'log' ? 'kafka-log' : 'kafka-index';
    }
  }
  const tsdb = tsdbPlace(path);
  if (tsdb) return tsdb.head !== undefined ? 'tsdb-head-chunk' : 'tsdb-block';
  if (LUCENE_EXT.test(file) && (LUCENE_NAME.test(file) || s.includes('indices') || s.includes('index'))) {
    return 'lucene-index';
  }
  if (SHARED_LIB.test(file)) return 'shared-library';
  return 'other-file';
}

/** A mapping of a file that was deleted after it was mapped (the kernel's ` (deleted)` suffix). */
export function isDeletedPath(path: string): boolean {
  return path.endsWith(DELETED);
}

/** The class of one mapping; prev/next are its neighbours in address order, when known. */
export function classifyRegion(r: MapRegion, prev?: MapRegion, next?: MapRegion): RegionClass {
  const path = r.path;
  if (isDeletedPath(path)) return 'deleted-file';
  if (SPECIAL.test(path)) return 'special';
  if (path === '[stack]' || path.startsWith('[stack:')) return 'thread-stack';
  if (path === '[heap]') return 'malloc-arena';
  if (isAnon(r)) return classifyAnon(r, prev, next);
  if (path.startsWith('[')) return 'anonymous';
  return classifyFile(path);
}

/**
 * The group a mapping is counted under, by what the user controls: topic-partition for Kafka
 * files, `tenant/<id>` for a tenant's TSDB blocks and head chunks (the block ULID, or the
 * chunks_head dir, without tenants), the index directory for Lucene files, a fixed name for
 * anonymous classes, the file path otherwise.
 */
export function groupKey(r: MapRegion, cls: RegionClass): string {
  const anon = ANON_GROUPS[cls];
  if (anon !== undefined && (r.path === '' || r.path === '[heap]' || r.path.startsWith('[stack'))) {
    return anon;
  }
  switch (cls) {
    case 'deleted-file':
      return r.path.slice(0, -DELETED.length);
    case 'kafka-index':
    case 'kafka-log': {
      const s = segments(r.path);
      const parent = s[s.length - 2];
      return parent !== undefined && TOPIC_PARTITION.test(parent) ? parent : r.path;
    }
    case 'tsdb-block':
    case 'tsdb-head-chunk': {
      const p = tsdbPlace(r.path);
      if (p === null) return r.path;
      if (p.tenant !== undefined) return `tenant/${p.tenant}`;
      return p.block ?? p.head ?? r.path;
    }
    case 'lucene-index':
      return segments(r.path).length > 1 ? `/${segments(r.path).slice(0, -1).join('/')}/` : r.path;
    default:
      return r.path === '' ? '(anonymous)' : r.path;
  }
}

/**
 * The units a mapping counts under in a breakdown's rollup, each with a key naming one unit:
 * its tenant and block for a TSDB block file, its tenant for a head chunk, its topic-partition
 * directory for Kafka files, its directory for Lucene index files. None for other classes.
 */
export function unitKeys(r: MapRegion, cls: RegionClass): [MapsUnitKind, string][] {
  const dir = segments(r.path).slice(0, -1).join('/');
  switch (cls) {
    case 'tsdb-block':
    case 'tsdb-head-chunk': {
      const p = tsdbPlace(r.path);
      if (p === null) return [];
      const keys: [MapsUnitKind, string][] = p.tenant === undefined ? [] : [['tenant', p.tenant]];
      if (p.block !== undefined) keys.push(['block', `${p.tenant ?? ''}/${p.block}`]);
      return keys;
    }
    case 'kafka-index':
    case 'kafka-log':
      return TOPIC_PARTITION.test(segments(r.path).slice(-2)[0] ?? '') ? [['partition', dir]] : [];
    case 'lucene-index':
      return [['index', dir]];
    default:
      return [];
  }
}

/** Kafka and TSDB file-name patterns, shared with the data-dir reader. */
export const patterns = { KAFKA_SEGMENT, TOPIC_PARTITION, ULID, CHUNK_FILE, basename } as const;
