// Memory-map snapshots: /proc/<pid>/maps, /proc/<pid>/smaps, `pmap`, `pmap -x`, `pmap -X`
// (and `pmap -d`), and bare map counts (`wc -l /proc/<pid>/maps`, a maps-count file, hs_err
// `Total number of mappings:`). Yields regions, the 'map-count' fact and a class breakdown.
// `lines` is the text split on '\n': a final '' element means the file ended with a newline.

import type { Fact, MapsBreakdown, MapsUnitKind, MapsUnitRollup, Problem, RegionClass, TopEntry } from '../core/index.js';
import { classifyRegion, groupKey, isDeletedPath, unitKeys, type MapRegion } from './classify.js';
import type { EvidenceParserDef } from './parser.js';

export type { MapRegion } from './classify.js';

export type MapsFlavor = 'maps' | 'smaps' | 'pmap' | 'pmap-x' | 'pmap-X' | 'maps-count';

export interface ParsedMaps {
  regions: MapRegion[];
  facts: Fact[];
  breakdown: MapsBreakdown;
  problems: Problem[];
}

const MAPS_LINE = /^([0-9a-fA-F]+)-([0-9a-fA-F]+)\s+([r-][w-][x-][psS-])\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]+:[0-9a-fA-F]+)\s+(\d+)(?:\s+(.*))?$/;
const SMAPS_ATTR = /^[A-Za-z_][A-Za-z0-9_]*:\s+\S/;
const PMAP_HEADER = /^(\d+):\s+(.*)$/;
const PMAP_LINE = /^([0-9a-fA-F]+)\s+(\d+)K\s+([r-][w-][x-][s-][R-])\s+(.*)$/;
const PMAP_D_LINE = /^([0-9a-fA-F]+)\s+(\d+)\s+([r-][w-][x-][s-][R-])\s+([0-9a-fA-F]+)\s+(\S+:\S+)\s+(.*)$/;
const PMAP_X_LINE = /^([0-9a-fA-F]+)\s+(\d+)\s+(\d+|-)\s+(\d+|-)\s+([r-][w-][x-][s-][R-])\s+(.*)$/;
const PMAP_X_HEAD = /^\s*Address\s+Kbytes\s+RSS\s+Dirty\s+Mode\s+Mapping\s*$/;
const PMAP_BIGX_HEAD = /^\s*Address\s+Perm\s+Offset\s+Device\s+Inode\s+Size\b.*\bMapping\s*$/;
const PMAP_D_HEAD = /^\s*Address\s+Kbytes\s+Mode\s+Offset\s+Device\s+Mapping\s*$/;
const PMAP_TOTAL = /^\s*total\s+(\d+)K\s*$/;
const PMAP_X_TOTAL = /^\s*total\s+kB\s+\d+/;
const PMAP_D_TOTAL = /^\s*mapped:\s+\d+K\s+writeable\/private:/;
const PMAP_BIGX_TOTAL = /^\s*\d+(\s+\d+)*\s+KB\s*$/;
const WC_LINE = /^\s*(\d+)\s+(\S*\/proc\/(\d+|self)\/maps)\s*$/;
const HSERR_TOTAL = /^\s*Total number of mappings:\s*(\d+)\s*$/;
const BARE_NUMBER = /^\s*(\d+)\s*$/;
const PROC_PATH = /(?:^|\/)proc\/(\d+)\/(?:s?maps|task\/\d+\/s?maps)\b/;
const COUNT_NAME = /maps?[-_. ]?counts?|maps?[-_. ]wc|wc[-_. ]?l?[-_. ]?maps?/i;

/** Whether a file name says it holds a bare map count (`maps-count`, `map_count.txt`…). */
export function isMapsCountName(file: string): boolean {
  const base = file.split('/').pop() ?? file;
  return COUNT_NAME.test(base) && !/max[-_.]?map/i.test(base);
}

function clean(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Which maps-like format the first lines of a file are in, or null. */
export function detectMaps(head: readonly string[]): MapsFlavor | null {
  const lines = head.map(clean).filter((l) => l.trim() !== '');
  const probe = lines.slice(0, 6);
  for (let i = 0; i < probe.length; i++) {
    const l = probe[i] ?? '';
    if (MAPS_LINE.test(l)) {
      if (/\s\[rollup\]\s*$/.test(l)) return null;
      const rest = lines.slice(i + 1, i + 40);
      return rest.some((x) => SMAPS_ATTR.test(x) && !MAPS_LINE.test(x)) ? 'smaps' : 'maps';
    }
    if (WC_LINE.test(l) || HSERR_TOTAL.test(l)) return 'maps-count';
    if (PMAP_X_HEAD.test(l) || PMAP_X_LINE.test(l)) return 'pmap-x';
    if (PMAP_BIGX_HEAD.test(l)) return 'pmap-X';
    if (PMAP_D_HEAD.test(l) || PMAP_LINE.test(l) || PMAP_D_LINE.test(l)) return 'pmap';
    if (PMAP_HEADER.test(l)) {
      const next = probe[i + 1] ?? '';
      if (PMAP_X_HEAD.test(next) || PMAP_X_LINE.test(next)) return 'pmap-x';
      if (PMAP_BIGX_HEAD.test(next)) return 'pmap-X';
      if (PMAP_D_HEAD.test(next) || PMAP_LINE.test(next) || PMAP_D_LINE.test(next)) return 'pmap';
    }
  }
  return null;
}

function parseMapsLine(line: string, lineNo: number): MapRegion | null {
  const m = MAPS_LINE.exec(line);
  if (!m) return null;
  return {
    start: BigInt(`0x${m[1] ?? ''}`),
    end: BigInt(`0x${m[2] ?? ''}`),
    perms: m[3] ?? '',
    offset: BigInt(`0x${m[4] ?? ''}`),
    dev: m[5] ?? '',
    inode: m[6] ?? '',
    path: (m[7] ?? '').trim(),
    lineNo,
  };
}

/** pmap Mode (`r-x--`, `rw-s-`) to maps permissions (`r-xp`, `rw-s`). */
function pmapPerms(mode: string): string {
  return `${mode.slice(0, 3)}${mode[3] === 's' ? 's' : 'p'}`;
}

/** pmap mapping names to maps paths: `[ anon ]` → '', `[ stack ]` → `[stack]`. */
function pmapPath(mapping: string): string {
  const t = mapping.trim();
  if (t === '[ anon ]' || t === '[anon]') return '';
  const b = /^\[\s*(\S+)\s*\]$/.exec(t);
  return b ? `[${b[1] ?? ''}]` : t;
}

function pmapRegion(addr: string, kb: string, perms: string, offset: string, dev: string, inode: string, path: string, lineNo: number): MapRegion {
  const start = BigInt(`0x${addr}`);
  return { start, end: start + BigInt(kb) * 1024n, perms, offset: BigInt(`0x${offset}`), dev, inode, path, lineNo };
}

interface Scan {
  regions: MapRegion[];
  /** Line number of the footer with the total, when seen. */
  totalLine?: number;
  pid?: { value: number; line: number };
  command?: { value: string; line: number };
  /** Line of the last non-empty line when it is malformed and the text has no final newline. */
  cutLine?: number;
  /** Malformed lines after the first region (not counting a cut last line). */
  badLines: number[];
  /** smaps: the last header lost its attribute block. */
  smapsBlockCut?: number;
  headerSeen: boolean;
}

function endsWithNewline(lines: readonly string[]): boolean {
  return lines.length > 0 && lines[lines.length - 1] === '';
}

function lastNonEmpty(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (clean(lines[i] ?? '').trim() !== '') return i;
  return -1;
}

function scanMaps(lines: readonly string[], first: number, smaps: boolean): Scan {
  const s: Scan = { regions: [], badLines: [], headerSeen: false };
  const last = lastNonEmpty(lines);
  const open = !endsWithNewline(lines);
  let attrsSinceHeader = 0;
  let sawVmFlags = false;
  let lastHeaderHadVmFlags = true;
  for (let i = 0; i <= last; i++) {
    const line = clean(lines[i] ?? '');
    if (line.trim() === '') continue;
    const r = parseMapsLine(line, first + i);
    if (r) {
      s.regions.push(r);
      attrsSinceHeader = 0;
      lastHeaderHadVmFlags = false;
      continue;
    }
    if (smaps && SMAPS_ATTR.test(line) && s.regions.length > 0) {
      attrsSinceHeader++;
      if (line.startsWith('VmFlags:')) {
        sawVmFlags = true;
        lastHeaderHadVmFlags = true;
      }
      continue;
    }
    if (s.regions.length === 0) continue;
    if (i === last && open) s.cutLine = first + i;
    else s.badLines.push(first + i);
  }
  if (smaps && s.regions.length > 0 && s.cutLine === undefined) {
    const lastRegion = s.regions[s.regions.length - 1];
    if (lastRegion && (attrsSinceHeader === 0 || (sawVmFlags && !lastHeaderHadVmFlags))) {
      s.smapsBlockCut = lastRegion.lineNo;
    }
  }
  return s;
}

function scanPmap(lines: readonly string[], first: number, flavor: 'pmap' | 'pmap-x' | 'pmap-X'): Scan {
  const s: Scan = { regions: [], badLines: [], headerSeen: false };
  const last = lastNonEmpty(lines);
  const open = !endsWithNewline(lines);
  let cols: string[] | null = null;
  for (let i = 0; i <= last; i++) {
    const line = clean(lines[i] ?? '');
    const lineNo = first + i;
    if (line.trim() === '') continue;
    if (s.totalLine !== undefined) break;
    const h = PMAP_HEADER.exec(line);
    if (h && s.regions.length === 0 && !s.headerSeen) {
      s.headerSeen = true;
      s.pid = { value: Number(h[1]), line: lineNo };
      s.command = { value: (h[2] ?? '').trim(), line: lineNo };
      continue;
    }
    if (PMAP_X_HEAD.test(line) || PMAP_D_HEAD.test(line)) continue;
    if (PMAP_BIGX_HEAD.test(line)) {
      cols = line.trim().split(/\s+/);
      continue;
    }
    if (PMAP_TOTAL.test(line) || PMAP_X_TOTAL.test(line) || PMAP_D_TOTAL.test(line)) {
      s.totalLine = lineNo;
      continue;
    }
    if (flavor === 'pmap-X' && PMAP_BIGX_TOTAL.test(line)) {
      s.totalLine = lineNo;
      continue;
    }
    if (/^[-=\s]+$/.test(line)) continue;
    const r = parsePmapLine(line, lineNo, flavor, cols);
    if (r) {
      s.regions.push(r);
      continue;
    }
    if (s.regions.length === 0 && !s.headerSeen) continue;
    if (i === last && open) s.cutLine = lineNo;
    else s.badLines.push(lineNo);
  }
  return s;
}

const XX_FLAG = /^[a-z][a-z0-9]$/;

function parsePmapLine(line: string, lineNo: number, flavor: MapsFlavor, cols: string[] | null): MapRegion | null {
  if (flavor === 'pmap-X') return parseBigX(line, lineNo, cols);
  let m = PMAP_X_LINE.exec(line);
  if (m) {
    return pmapRegion(m[1] ?? '', m[2] ?? '0', pmapPerms(m[5] ?? ''), '0', '', '', pmapPath(m[6] ?? ''), lineNo);
  }
  m = PMAP_LINE.exec(line);
  if (m) return pmapRegion(m[1] ?? '', m[2] ?? '0', pmapPerms(m[3] ?? ''), '0', '', '', pmapPath(m[4] ?? ''), lineNo);
  m = PMAP_D_LINE.exec(line);
  if (m) {
    return pmapRegion(m[1] ?? '', m[2] ?? '0', pmapPerms(m[3] ?? ''), m[4] ?? '0', m[5] ?? '', '', pmapPath(m[6] ?? ''), lineNo);
  }
  return null;
}

/** One `pmap -X`/`-XX` line: fixed columns from the header, then (VmFlags and) Mapping. */
function parseBigX(line: string, lineNo: number, cols: string[] | null): MapRegion | null {
  const names = cols ?? ['Address', 'Perm', 'Offset', 'Device', 'Inode', 'Size', 'Mapping'];
  const mapAt = names.indexOf('Mapping');
  const flagsAt = names.indexOf('VmFlags');
  const fixed = flagsAt >= 0 ? flagsAt : mapAt;
  const re = new RegExp(`^\\s*${Array.from({ length: fixed }, () => '(\\S+)').join('\\s+')}(?:\\s+(.*))?$`);
  const m = re.exec(line);
  if (!m) return null;
  const get = (name: string): string => m[names.indexOf(name) + 1] ?? '';
  const addr = get('Address');
  const perms = get('Perm');
  const kb = get('Size');
  if (!/^[0-9a-fA-F]+$/.test(addr) || !/^[r-][w-][x-][psS-]$/.test(perms) || !/^\d+$/.test(kb)) return null;
  let rest = (m[fixed + 1] ?? '').trim();
  if (flagsAt >= 0) {
    const toks = rest.split(/\s+/);
    let k = 0;
    while (k < toks.length && XX_FLAG.test(toks[k] ?? '')) k++;
    rest = toks.slice(k).join(' ');
  }
  const offset = get('Offset');
  return pmapRegion(addr, kb, perms, /^[0-9a-fA-F]+$/.test(offset) ? offset : '0', get('Device'), get('Inode'), rest, lineNo);
}

function procPid(file: string): number | undefined {
  const m = PROC_PATH.exec(file);
  return m ? Number(m[1]) : undefined;
}

function methodFor(flavor: MapsFlavor): string {
  switch (flavor) {
    case 'maps':
      return 'lines of /proc/<pid>/maps';
    case 'smaps':
      return 'header lines of /proc/<pid>/smaps';
    case 'pmap':
      return 'mapping lines of pmap <pid>';
    case 'pmap-x':
      return 'mapping lines of pmap -x <pid>';
    case 'pmap-X':
      return 'mapping lines of pmap -X <pid>';
    case 'maps-count':
      return 'map count';
  }
}

function breakdownKind(flavor: MapsFlavor): MapsBreakdown['kind'] {
  if (flavor === 'smaps') return 'smaps';
  if (flavor === 'pmap' || flavor === 'pmap-x' || flavor === 'pmap-X') return 'pmap';
  return 'maps';
}

function emptyBreakdown(file: string, kind: MapsBreakdown['kind'], regions: number, complete: boolean, line: number): MapsBreakdown {
  return { source: { file, line }, kind, regions, complete, classes: [], top: [] };
}

function parseCount(file: string, lines: readonly string[], first: number): ParsedMaps {
  const facts: Fact[] = [];
  const problems: Problem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = clean(lines[i] ?? '');
    const lineNo = first + i;
    const wc = WC_LINE.exec(line);
    const hs = HSERR_TOTAL.exec(line);
    const bare = isMapsCountName(file) ? BARE_NUMBER.exec(line) : null;
    const m = wc ?? hs ?? bare;
    if (!m) continue;
    const value = Number(m[1]);
    const method = wc ? `wc -l ${wc[2] ?? '/proc/<pid>/maps'}` : hs ? 'hs_err Total number of mappings' : 'count in a maps-count file';
    facts.push({ key: 'map-count', value, source: { file, line: lineNo }, complete: true, method });
    const pid = wc && wc[3] !== 'self' ? Number(wc[3]) : undefined;
    if (pid !== undefined) facts.push({ key: 'pid', value: pid, source: { file, line: lineNo } });
    return { regions: [], facts, breakdown: emptyBreakdown(file, 'maps', value, true, lineNo), problems };
  }
  problems.push({ code: 'evidence-unparsed', file, args: { what: 'a map count', reason: 'no count line found' } });
  return { regions: [], facts, breakdown: emptyBreakdown(file, 'maps', 0, false, 0), problems };
}

/**
 * Parse a maps-like snapshot. `lines` is the text split on '\n' (keep the final '' when the
 * file ends with a newline: a malformed last line without it marks a cut snapshot).
 * `firstLineNo` is the 1-based number of lines[0] (for sections inside a larger file).
 */
export function parseMaps(file: string, lines: readonly string[], firstLineNo = 1): ParsedMaps {
  const flavor = detectMaps(lines.slice(0, 60)) ?? (isMapsCountName(file) ? 'maps-count' : null);
  if (flavor === null) {
    return {
      regions: [],
      facts: [],
      breakdown: emptyBreakdown(file, 'maps', 0, false, 0),
      problems: [
        {
          code: 'evidence-unparsed',
          file,
          args: { what: 'a memory map', reason: 'no maps, smaps or pmap lines found' },
        },
      ],
    };
  }
  if (flavor === 'maps-count') return parseCount(file, lines, firstLineNo);
  const isPmap = flavor === 'pmap' || flavor === 'pmap-x' || flavor === 'pmap-X';
  const scan = isPmap ? scanPmap(lines, firstLineNo, flavor) : scanMaps(lines, firstLineNo, flavor === 'smaps');
  const problems: Problem[] = [];
  const what = isPmap ? `pmap output (${flavor.replace('pmap-', 'pmap -')})` : `/proc/<pid>/${flavor}`;
  let complete = true;
  if (scan.cutLine !== undefined) {
    complete = false;
    problems.push({ code: 'evidence-cut', file, line: scan.cutLine, args: { what, reason: 'the last line is cut mid-line' } });
  } else if (scan.smapsBlockCut !== undefined) {
    complete = false;
    problems.push({
      code: 'evidence-cut',
      file,
      line: scan.smapsBlockCut,
      args: { what, reason: 'the last mapping lost its attribute lines' },
    });
  }
  if (isPmap && scan.headerSeen && scan.totalLine === undefined && complete) {
    complete = false;
    problems.push({ code: 'evidence-cut', file, args: { what, reason: 'the total footer is missing' } });
  }
  const firstBad = scan.badLines[0];
  if (firstBad !== undefined) {
    problems.push({
      code: 'evidence-unparsed',
      file,
      line: firstBad,
      args: { what, reason: `${scan.badLines.length} line(s) not in the ${flavor} format were skipped` },
    });
  }
  const sourceLine = scan.totalLine ?? 0;
  const facts: Fact[] = [
    {
      key: 'map-count',
      value: scan.regions.length,
      source: { file, line: sourceLine },
      complete,
      method: methodFor(flavor),
    },
  ];
  const deleted = scan.regions.filter((r) => isDeletedPath(r.path)).length;
  if (deleted > 0) facts.push({ key: 'deleted-maps', value: deleted, source: { file, line: sourceLine }, complete, method: `"(deleted)" areas of the ${what}` });
  const pid = scan.pid?.value ?? procPid(file);
  if (pid !== undefined) facts.push({ key: 'pid', value: pid, source: { file, line: scan.pid?.line ?? 0 } });
  if (scan.command && scan.command.value !== '') {
    const exe = scan.command.value.split(/\s+/)[0] ?? '';
    const name = exe.split('/').pop() ?? exe;
    if (name !== '') facts.push({ key: 'process-name', value: name, source: { file, line: scan.command.line } });
    facts.push({ key: 'command-line', value: scan.command.value, source: { file, line: scan.command.line } });
  }
  const breakdown = summarizeRegions(file, breakdownKind(flavor), scan.regions, complete, sourceLine);
  return { regions: scan.regions, facts, breakdown, problems };
}

const TOP = 10;

function byCount(a: TopEntry, b: TopEntry): number {
  return b.count - a.count || b.bytes - a.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

const UNIT_ORDER: readonly MapsUnitKind[] = ['tenant', 'partition', 'index', 'block'];

/** Per unit kind: how many distinct units, and the regions and bytes mapped under them. */
class UnitTally {
  private readonly tally = new Map<MapsUnitKind, { keys: Set<string>; regions: number; bytes: number }>();

  add(unit: MapsUnitKind, key: string, bytes: number): void {
    const t = this.tally.get(unit) ?? { keys: new Set<string>(), regions: 0, bytes: 0 };
    t.keys.add(key);
    t.regions++;
    t.bytes += bytes;
    this.tally.set(unit, t);
  }

  /** Most regions first; among equals the order tenant, partition, index, block. */
  rollups(): MapsUnitRollup[] {
    return [...this.tally.entries()]
      .map(([unit, t]) => ({ unit, count: t.keys.size, regions: t.regions, bytes: t.bytes }))
      .sort((a, b) => b.regions - a.regions || UNIT_ORDER.indexOf(a.unit) - UNIT_ORDER.indexOf(b.unit));
  }
}

/**
 * Classify regions and summarise them: classes by count (desc), the top 10 groups by count,
 * and the rollup by what the user controls (tenants, partitions, index directories, blocks).
 * Files mapped more than once inside a group (e.g. one Kafka index mapped twice) compete for
 * the top list on their own too, so a file mapped many times is never hidden in its group.
 */
export function summarizeRegions(file: string, kind: MapsBreakdown['kind'], regions: readonly MapRegion[], complete: boolean, sourceLine: number): MapsBreakdown {
  const classes = new Map<RegionClass, { count: number; bytes: number }>();
  const groups = new Map<string, { class: RegionClass; count: number; bytes: number }>();
  const files = new Map<string, { class: RegionClass; count: number; bytes: number; group: string }>();
  const units = new UnitTally();
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i];
    if (r === undefined) continue;
    const cls = classifyRegion(r, regions[i - 1], regions[i + 1]);
    const bytes = Number(r.end - r.start);
    const c = classes.get(cls) ?? { count: 0, bytes: 0 };
    c.count++;
    c.bytes += bytes;
    classes.set(cls, c);
    const key = groupKey(r, cls);
    const g = groups.get(key) ?? { class: cls, count: 0, bytes: 0 };
    g.count++;
    g.bytes += bytes;
    groups.set(key, g);
    for (const [unit, unitKey] of unitKeys(r, cls)) units.add(unit, unitKey, bytes);
    if (r.path !== '' && key !== r.path && cls !== 'deleted-file') {
      const f = files.get(r.path) ?? { class: cls, count: 0, bytes: 0, group: key };
      f.count++;
      f.bytes += bytes;
      files.set(r.path, f);
    }
  }
  const classList = [...classes.entries()]
    .map(([cls, v]) => ({ class: cls, count: v.count, bytes: v.bytes }))
    .sort((a, b) => b.count - a.count || b.bytes - a.bytes || (a.class < b.class ? -1 : 1));
  const pool: TopEntry[] = [...groups.entries()].map(([name, v]) => ({ name, class: v.class, count: v.count, bytes: v.bytes }));
  for (const [name, f] of files) {
    if (f.count > 1 && !groups.has(name)) pool.push({ name, class: f.class, count: f.count, bytes: f.bytes });
  }
  pool.sort(byCount);
  const rollups = units.rollups();
  return {
    source: { file, line: sourceLine },
    kind,
    regions: regions.length,
    complete,
    classes: classList,
    top: pool.slice(0, TOP),
    ...(rollups.length > 0 ? { units: rollups } : {}),
  };
}

export const mapsEvidence: EvidenceParserDef = {
  name: 'maps',
  kinds: ['maps', 'smaps', 'pmap', 'maps-count'],
  description: 'a memory-map snapshot (/proc/<pid>/maps, smaps, pmap) or a count of its lines',
  detect: (head) => {
    const flavor = detectMaps(head);
    return flavor === null ? null : flavor === 'pmap-x' || flavor === 'pmap-X' ? 'pmap' : flavor;
  },
  detectBare: (value, name) => (/^\d+$/.test(value) && isMapsCountName(name) ? 'maps-count' : null),
  parse: (kind, file, lines) => {
    const parsed = parseMaps(file, lines);
    return { evidence: { file, kind, facts: parsed.facts, maps: parsed.breakdown }, problems: parsed.problems };
  },
  facts: ['map-count', 'pid', 'process-name', 'command-line'],
  samples: [
    {
      name: 'proc/4242/maps',
      lines: [
        '00400000-00401000 r-xp 00000000 08:01 131090 /usr/bin/java',
        '7f0000000000-7f0000021000 rw-p 00000000 00:00 0',
        '7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0 [stack]',
      ],
      kind: 'maps',
      facts: { 'map-count': 3 },
    },
    { name: 'maps-count.txt', lines: ['65530'], kind: 'maps-count', facts: { 'map-count': 65530 } },
  ],
};
