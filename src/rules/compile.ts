// Runs validated rules: the combined literal prefilter regex, the per-record matcher that
// turns a hit into a core `Finding` (line, span, typed captures, message), the capture
// conversions (bytes with units, errno names and texts, paths), precedence between rules
// (`supersedes`) and the per-format rule selection. Regexes run on the engine the loader chose.

import { escapeRegExp, fmtBytes, isSystemName } from '../core/index.js';
import type { CaptureValue, ExtractKind, Finding, LogFormat, LogRecord, ParsedLine, Rule } from '../core/index.js';
import { compilePattern, groupNames, type Matcher } from './engine.js';

/** Most record lines a finding keeps. */
export const RECORD_LINES_CAP = 50;

/** One case-insensitive alternation of every rule literal (deduped, longest first), or null when there are none. */
export function buildPrefilter(rules: readonly Rule[]): RegExp | null {
  const byLower = new Map<string, string>();
  for (const r of rules) for (const l of r.literals) if (!byLower.has(l.toLowerCase())) byLower.set(l.toLowerCase(), l);
  if (byLower.size === 0) return null;
  const lits = [...byLower.values()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  return new RegExp(lits.map(escapeRegExp).join('|'), 'gi');
}

/** Rules whose `formats` is empty or lists `format`. */
export function rulesApplyingTo(rules: readonly Rule[], format: LogFormat): Rule[] {
  return rules.filter((r) => r.formats.length === 0 || r.formats.includes(format));
}

const UNIT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** '31301' → 31301, '4k' / '4096 kB' / '2G' / '12288 bytes' / '0x3000' → bytes (k = 1024); undefined when not a size. */
export function parseBytes(s: string): number | undefined {
  const t = s.trim();
  const hex = /^0x([0-9a-f]+)$/i.exec(t);
  if (hex?.[1] !== undefined) return parseInt(hex[1], 16);
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b|bytes?)?$/i.exec(t);
  if (m?.[1] === undefined) return undefined;
  const mult = UNIT[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

const ERRNO_NAMES: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  EWOULDBLOCK: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  EROFS: 30,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  ENOTSUP: 95,
};

const ERRNO_TEXTS: Record<string, number> = {
  'operation not permitted': 1,
  'no such file or directory': 2,
  'input/output error': 5,
  'bad file descriptor': 9,
  'resource temporarily unavailable': 11,
  'cannot allocate memory': 12,
  'not enough space': 12,
  'out of memory': 12,
  'permission denied': 13,
  'bad address': 14,
  'no such device': 19,
  'invalid argument': 22,
  'too many open files': 24,
  'no space left on device': 28,
  'read-only file system': 30,
  'operation not supported': 95,
  // glibc's translations of ENOMEM and EAGAIN (libc.mo of de, fr, es, pt, pt_BR, it, ru, zh_CN, zh_TW, ja, pl, nl)
  'nicht genügend hauptspeicher verfügbar': 12,
  'ne peut allouer de la mémoire': 12,
  'no se pudo asignar memoria': 12,
  'impossível alocar memória': 12,
  'não foi possível alocar memória': 12,
  'impossibile allocare memoria': 12,
  'невозможно выделить память': 12,
  无法分配内存: 12,
  無法配置記憶體: 12,
  メモリを確保できません: 12,
  'nie można przydzielić pamięci': 12,
  'onvoldoende geheugen beschikbaar': 12,
  'die ressource ist zur zeit nicht verfügbar': 11,
  'ressource temporairement non disponible': 11,
  'recurso no disponible temporalmente': 11,
  'recurso temporariamente indisponível': 11,
  'risorsa temporaneamente non disponibile': 11,
  'ресурс временно недоступен': 11,
  资源暂时不可用: 11,
  リソースが一時的に利用できません: 11,
};

/** '12' → 12, 'ENOMEM' → 12, 'Cannot allocate memory' → 12, 'EAGAIN' → 11; undefined when unknown. */
export function parseErrno(s: string): number | undefined {
  const t = s.trim();
  if (/^\d+$/.test(t)) return Number(t);
  return ERRNO_NAMES[t.toUpperCase()] ?? ERRNO_TEXTS[t.toLowerCase()];
}

/** Converts a raw capture by its extract kind; a value that does not convert stays the raw string. */
export function convertCapture(raw: string, kind: ExtractKind | undefined): CaptureValue {
  switch (kind) {
    case 'bytes':
      return parseBytes(raw) ?? raw;
    case 'int': {
      const t = raw.trim().replace(/[,_]/g, '');
      return /^-?\d+$/.test(t) ? Number(t) : raw;
    }
    case 'errno':
      return parseErrno(raw) ?? raw;
    case 'path':
      return raw
        .trim()
        .replace(/^["'`([]+/, '')
        .replace(/["'`),;:\].]+$/, '');
    case 'string':
      return raw.trim();
    case undefined:
      return raw;
  }
}

interface CompiledRule {
  readonly all: readonly Matcher[];
  readonly any: readonly Matcher[];
  readonly none: readonly Matcher[];
  readonly captures: readonly Matcher[];
  /** Indexes into the record's literal table (`literalTable`): the rule applies when one is present. */
  readonly literals: readonly number[];
  /** Patterns of all, any and captures that declare named groups: the only ones whose matches add captures. */
  readonly grouped: ReadonlySet<Matcher>;
}

const compiledCache = new WeakMap<Rule, CompiledRule>();
/** A rule list compiled: each rule's compiled form, and the rules (by index) each literal id may bring in. */
interface CompiledList {
  readonly each: readonly CompiledRule[];
  readonly byLiteral: ReadonlyMap<number, readonly number[]>;
}

const listCache = new WeakMap<readonly Rule[], CompiledList>();

/** compiled() of each rule of a list, looked up once per list (a scan matches every record against the same list). */
function compiledList(rules: readonly Rule[]): CompiledList {
  let list = listCache.get(rules);
  if (list === undefined) {
    const each = rules.map(compiled);
    const byLiteral = new Map<number, number[]>();
    each.forEach((c, i) => {
      for (const id of new Set(c.literals)) {
        const l = byLiteral.get(id);
        if (l) l.push(i);
        else byLiteral.set(id, [i]);
      }
    });
    list = { each, byLiteral };
    listCache.set(rules, list);
  }
  return list;
}

/** The rule's regexes compiled once per rule object (rules stay plain data: a loaded pack can be serialised). */
export function compiled(rule: Rule): CompiledRule {
  let c = compiledCache.get(rule);
  if (c === undefined) {
    const grouped = new Set<Matcher>();
    const compile = (p: Rule['captures'][number]): Matcher => {
      const m = compilePattern(p);
      if (groupNames(p.source).length > 0) grouped.add(m);
      return m;
    };
    c = {
      all: rule.match.all.map(compile),
      any: rule.match.any.map(compile),
      none: rule.match.none.map(compilePattern),
      captures: rule.captures.map(compile),
      literals: rule.literals.map((l) => literalTable.id(l.toLowerCase())),
      grouped,
    };
    compiledCache.set(rule, c);
  }
  return c;
}

type Match = NonNullable<ReturnType<Matcher['exec']>>;

interface Hit {
  readonly index: number;
  readonly m: Match;
}

function collectGroups(m: Match | null, into: Map<string, string>): void {
  const g = m?.groups;
  if (g === undefined) return;
  for (const k in g) {
    const v = g[k];
    if (v !== undefined && v !== '' && !into.has(k)) into.set(k, v);
  }
}

/** Finds where a rule hits in a record, or null. `seen` is left holding each pattern's match on the hit line (line scope), for the captures. */
function locate(c: CompiledRule, scope: Rule['match']['scope'], lines: readonly ParsedLine[], seen: Map<Matcher, Match | null>): Hit | null {
  const { all, any, none } = c;
  for (const re of none) if (lines.some((l) => re.exec(l.text) !== null)) return null;

  if (scope === 'line') {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!.text;
      seen.clear();
      let first: Match | null = null;
      let ok = true;
      for (const re of all) {
        const m = re.exec(text);
        seen.set(re, m);
        if (m === null) {
          ok = false;
          break;
        }
        first ??= m;
      }
      if (!ok) continue;
      if (any.length > 0) {
        let anyHit: Match | null = null;
        for (const re of any) {
          anyHit = re.exec(text);
          seen.set(re, anyHit);
          if (anyHit !== null) break;
        }
        if (anyHit === null) continue;
        first ??= anyHit;
      }
      if (first !== null) return { index: i, m: first };
    }
    return null;
  }

  seen.clear();
  let hit: Hit | null = null;
  for (const re of all) {
    let found: Hit | null = null;
    for (let i = 0; i < lines.length && found === null; i++) {
      const m = re.exec(lines[i]!.text);
      if (m !== null) found = { index: i, m };
    }
    if (found === null) return null;
    hit ??= found;
  }
  if (any.length > 0) {
    let best: Hit | null = null;
    for (let i = 0; i < lines.length && best === null; i++) {
      for (const re of any) {
        const m = re.exec(lines[i]!.text);
        if (m !== null) {
          best = { index: i, m };
          break;
        }
      }
    }
    if (best === null) return null;
    hit ??= best;
  }
  return hit;
}

const PLACEHOLDER = /\{([A-Za-z_$][\w$]*)(?:\|([^{}]*))?\}/g;

/** Placeholder names of a message template (`{partition}`, `{size|an unknown size}`). */
export function templateNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** An optional segment of a message template: `[[ in {dir}]]` is kept only when every placeholder inside it has a capture. */
const OPTIONAL_SEGMENT = /\[\[((?:(?!\]\]).)*)\]\]/gs;

/**
 * Fills a message template from typed captures: an optional segment `[[…]]` whose placeholders are
 * not all captured is dropped whole; a missing capture elsewhere takes its fallback, or reads
 * `unknown <name>`. Runs of spaces left by a dropped
 * piece collapse, and the ends are trimmed.
 */
export function fillMessage(template: string, captures: Readonly<Record<string, CaptureValue>>, extract: Rule['extract']): string {
  const fill = (text: string): string =>
    text.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) => {
      const v = captures[name];
      if (v === undefined) return fallback ?? `unknown ${name}`;
      if (typeof v === 'number' && extract[name] === 'bytes') return fmtBytes(v);
      return String(v);
    });
  const kept = template.replace(OPTIONAL_SEGMENT, (_all, inner: string) => (templateNames(inner).every((n) => captures[n] !== undefined) ? inner : ''));
  return fill(kept).replace(/ {2,}/g, ' ').trim();
}

function numbered(l: ParsedLine): { line: number; text: string } {
  return { line: l.lineNo, text: l.text };
}

function capLines(lines: readonly ParsedLine[], hitIndex: number): { line: number; text: string }[] {
  if (lines.length <= RECORD_LINES_CAP) return lines.map(numbered);
  if (hitIndex < RECORD_LINES_CAP) return lines.slice(0, RECORD_LINES_CAP).map(numbered);
  const head = RECORD_LINES_CAP / 2;
  const from = Math.max(head, hitIndex - Math.floor(head / 2));
  return [...lines.slice(0, head), ...lines.slice(from, from + RECORD_LINES_CAP - head)].map(numbered);
}

const systemsCache = new WeakMap<Rule, Finding['systems']>();

/** The rule's systems the registry knows; a rule naming only others (a user's `redis`) reads as generic. */
function knownSystems(rule: Rule): Finding['systems'] {
  let s = systemsCache.get(rule);
  if (s === undefined) {
    const known = rule.systems.filter(isSystemName);
    s = known.length > 0 ? known : ['generic'];
    systemsCache.set(rule, s);
  }
  return s;
}

/**
 * Which rule literals a record holds, found in one pass: a regex of every literal finds each
 * position where one starts (the search resumes one past each match), and every literal with
 * that first character is compared there. Exactly the literals `lower.includes` would find.
 */
class LiteralTable {
  private readonly texts: string[] = [];
  private byFirst = new Map<number, number[]>();
  /** The alternation of the non-empty literals (null for none), once built; built again after a literal is added. */
  private any: RegExp | null = null;
  private built = false;
  private empty: number[] = [];

  get size(): number {
    return this.texts.length;
  }

  id(l: string): number {
    let id = this.texts.indexOf(l);
    if (id < 0) {
      id = this.texts.length;
      this.texts.push(l);
      const c = l.charCodeAt(0);
      const list = this.byFirst.get(c) ?? [];
      list.push(id);
      this.byFirst.set(c, list);
      this.built = false;
    }
    return id;
  }

  /** has[id] is true when the literal occurs in `lower`; ids lists those literals, in the order found. */
  present(lower: string): Presence {
    const has: boolean[] = new Array<boolean>(this.texts.length).fill(false);
    const ids: number[] = [];
    const re = this.built ? this.any : this.build();
    for (const id of this.empty) {
      has[id] = true;
      ids.push(id);
    }
    if (re === null) return { has, ids };
    re.lastIndex = 0;
    for (let m = re.exec(lower); m !== null; m = re.exec(lower)) {
      const p = m.index;
      const first = this.byFirst.get(lower.charCodeAt(p));
      if (first !== undefined)
        for (const id of first)
          if (!has[id] && lower.startsWith(this.texts[id]!, p)) {
            has[id] = true;
            ids.push(id);
          }
      re.lastIndex = p + 1;
    }
    return { has, ids };
  }

  /** The alternation of the non-empty literals, longest first (null for none), and the ids of the empty ones (held by every record). */
  private build(): RegExp | null {
    const nonEmpty = this.texts.filter((t) => t !== '').sort((x, y) => y.length - x.length);
    this.empty = this.texts.flatMap((t, i) => (t === '' ? [i] : []));
    this.any = nonEmpty.length === 0 ? null : new RegExp(nonEmpty.map(escapeRegExp).join('|'), 'g');
    this.built = true;
    return this.any;
  }
}

/** The literals a record holds: by id, and as a list. */
interface Presence {
  readonly has: readonly boolean[];
  readonly ids: readonly number[];
}

const literalTable = new LiteralTable();

const presentCache = new WeakMap<LogRecord, Presence>();

/** The literals a record holds (computed once per record, for every rule). */
function presentIn(record: LogRecord): Presence {
  let present = presentCache.get(record);
  if (present === undefined || present.has.length !== literalTable.size) {
    present = literalTable.present(record.lines.map((l) => l.text.toLowerCase()).join('\n'));
    presentCache.set(record, present);
  }
  return present;
}

const NO_RULES: readonly number[] = [];

/** Does the record hold one of the rule's literals? */
function holdsLiteral(present: Presence, literals: readonly number[]): boolean {
  for (const id of literals) if (present.has[id] === true) return true;
  return false;
}

/** What a hit past the examples keeps (the scan stores it in columns): no text, record, context or message. */
export interface CompactMatch {
  readonly ruleId: string;
  readonly systems: Finding['systems'];
  readonly line: number;
  readonly time?: Finding['time'];
  readonly captures: Readonly<Record<string, CaptureValue>>;
}

/** A rule's match on a record: the whole finding, or only what a compact hit keeps. */
export type RuleMatch = { readonly finding: Finding; readonly compact?: undefined } | { readonly finding?: undefined; readonly compact: CompactMatch };

/** Where a rule hit a record and the captures it took, before the finding is built. */
interface Located {
  readonly rule: Rule;
  readonly hit: Hit;
  readonly captures: Record<string, CaptureValue>;
}

/** Where `rule` (compiled as `c`) hits a non-empty record that holds one of its literals (the callers check both), or null. */
function locateRule(rule: Rule, c: CompiledRule, record: LogRecord): Located | null {
  const lines = record.lines;
  const seen = new Map<Matcher, Match | null>();
  const hit = locate(c, rule.match.scope, lines, seen);
  if (hit === null) return null;

  // Captures: every grouped pattern on the hit line first, then each pattern over the other lines
  // in order (a pattern's hit-line groups are already in). An earlier group keeps its value.
  const raw = new Map<string, string>();
  const grouped = c.grouped;
  const hitText = lines[hit.index]!.text;
  const onHit = (re: Matcher): Match | null => {
    const m = seen.get(re);
    return m !== undefined || seen.has(re) ? (m ?? null) : re.exec(hitText);
  };
  for (const re of c.all) if (grouped.has(re)) collectGroups(onHit(re), raw);
  for (const re of c.any) if (grouped.has(re)) collectGroups(onHit(re), raw);
  if (lines.length > 1) {
    for (const re of c.all) if (grouped.has(re)) for (let i = 0; i < lines.length; i++) if (i !== hit.index) collectGroups(re.exec(lines[i]!.text), raw);
    for (const re of c.any) if (grouped.has(re)) for (let i = 0; i < lines.length; i++) if (i !== hit.index) collectGroups(re.exec(lines[i]!.text), raw);
  }
  for (const re of c.captures) {
    if (!grouped.has(re)) continue;
    collectGroups(re.exec(hitText), raw);
    for (let i = 0; i < lines.length; i++) if (i !== hit.index) collectGroups(re.exec(lines[i]!.text), raw);
  }
  const captures: Record<string, CaptureValue> = {};
  for (const k of [...raw.keys()].sort()) captures[k] = convertCapture(raw.get(k)!, rule.extract[k]);
  return { rule, hit, captures };
}

function toFinding({ rule, hit, captures }: Located, record: LogRecord): Finding {
  const lines = record.lines;
  const hitLine = lines[hit.index]!;
  return {
    ruleId: rule.id,
    message: fillMessage(rule.message ?? rule.title, captures, rule.extract),
    severity: rule.severity,
    systems: knownSystems(rule),
    signals: rule.signals,
    file: record.file,
    line: hitLine.lineNo,
    recordStartLine: record.startLine,
    format: record.format,
    wrapper: record.wrapper,
    ...(record.time === undefined ? {} : { time: record.time }),
    ...(record.level === undefined ? {} : { level: record.level }),
    ...(record.logger === undefined ? {} : { logger: record.logger }),
    text: hitLine.text,
    recordLines: capLines(lines, hit.index),
    contextBefore: record.contextBefore.map(numbered),
    contextAfter: record.contextAfter.map(numbered),
    span: [hit.m.index, hit.m.index + hit.m[0].length],
    captures,
  };
}

function toCompact({ rule, hit, captures }: Located, record: LogRecord): CompactMatch {
  const compact = { ruleId: rule.id, systems: knownSystems(rule), line: record.lines[hit.index]!.lineNo, captures };
  return record.time === undefined ? compact : { ...compact, time: record.time };
}

/** Matches one rule against one record; returns the finding or null. */
export function matchRecord(rule: Rule, record: LogRecord): Finding | null {
  const c = compiled(rule);
  if (record.lines.length === 0 || !holdsLiteral(presentIn(record), c.literals)) return null;
  const located = locateRule(rule, c, record);
  return located === null ? null : toFinding(located, record);
}

/**
 * Every rule's match on one record, after precedence: a match whose rule another matching
 * rule supersedes (`supersedes`, closed transitively at load) is dropped, so one record is
 * explained by its most specific rule. `full(rule)` false keeps only the compact part of that
 * rule's match (a scan past its examples): the same rules match, with the same captures.
 */
export function matchRulesLean(rules: readonly Rule[], record: LogRecord, full: (rule: Rule) => boolean): RuleMatch[] {
  let hits: Located[] = [];
  if (record.lines.length === 0) return [];
  const { each, byLiteral } = compiledList(rules);
  // Only the rules one of whose literals the record holds, in list order: most rules hold none (a crash loop has a record per line).
  const candidates: number[] = [];
  for (const id of presentIn(record).ids) for (const i of byLiteral.get(id) ?? NO_RULES) candidates.push(i);
  candidates.sort((a, b) => a - b);
  let last = -1;
  for (const i of candidates) {
    if (i === last) continue;
    last = i;
    const located = locateRule(rules[i]!, each[i]!, record);
    if (located !== null) hits.push(located);
  }
  if (hits.length > 1) {
    const dropped = new Set<string>();
    for (const h of hits) for (const id of h.rule.supersedes) dropped.add(id);
    if (dropped.size > 0) hits = hits.filter((h) => !dropped.has(h.rule.id));
  }
  return hits.map((h) => (full(h.rule) ? { finding: toFinding(h, record) } : { compact: toCompact(h, record) }));
}

const always = (): boolean => true;

/** Every rule's finding on one record, after precedence (see matchRulesLean). */
export function matchRules(rules: readonly Rule[], record: LogRecord): Finding[] {
  return matchRulesLean(rules, record, always).map((m) => m.finding!);
}
