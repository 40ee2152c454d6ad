// Runs validated rules: the combined literal prefilter regex, the per-record matcher that
// turns a hit into a core `Finding` (line, span, typed captures, message), the capture
// conversions (bytes with units, errno names and texts, paths), precedence between rules
// (`supersedes`) and the per-format rule selection. Regexes run on the engine the loader chose.

import { fmtBytes, isSystemName } from '../core/index.js';
import type { CaptureValue, ExtractKind, Finding, LogFormat, LogRecord, ParsedLine, Rule } from '../core/index.js';
import { compilePattern, type Matcher } from './engine.js';

/** Most record lines a finding keeps. */
export const RECORD_LINES_CAP = 50;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** One case-insensitive alternation of every rule literal (deduped, longest first), or null when there are none. */
export function buildPrefilter(rules: readonly Rule[]): RegExp | null {
  const byLower = new Map<string, string>();
  for (const r of rules) for (const l of r.literals) if (!byLower.has(l.toLowerCase())) byLower.set(l.toLowerCase(), l);
  if (byLower.size === 0) return null;
  const lits = [...byLower.values()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  return new RegExp(lits.map(escapeRegex).join('|'), 'gi');
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
  readonly literals: readonly string[];
}

const compiledCache = new WeakMap<Rule, CompiledRule>();

/** The rule's regexes compiled once per rule object (rules stay plain data: a loaded pack can be serialised). */
export function compiled(rule: Rule): CompiledRule {
  let c = compiledCache.get(rule);
  if (c === undefined) {
    c = {
      all: rule.match.all.map(compilePattern),
      any: rule.match.any.map(compilePattern),
      none: rule.match.none.map(compilePattern),
      captures: rule.captures.map(compilePattern),
      literals: rule.literals.map((l) => l.toLowerCase()),
    };
    compiledCache.set(rule, c);
  }
  return c;
}

interface Hit {
  readonly index: number;
  readonly m: NonNullable<ReturnType<Matcher['exec']>>;
}

function collectGroups(m: ReturnType<Matcher['exec']>, into: Map<string, string>): void {
  if (m?.groups === undefined) return;
  for (const [k, v] of Object.entries(m.groups)) if (v !== undefined && v !== '' && !into.has(k)) into.set(k, v);
}

/** Finds where a rule hits in a record, or null. */
function locate(c: CompiledRule, scope: Rule['match']['scope'], lines: readonly ParsedLine[]): Hit | null {
  const { all, any, none } = c;
  for (const re of none) if (lines.some((l) => re.exec(l.text) !== null)) return null;

  if (scope === 'line') {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!.text;
      let first: Hit['m'] | null = null;
      let ok = true;
      for (const re of all) {
        const m = re.exec(text);
        if (m === null) {
          ok = false;
          break;
        }
        first ??= m;
      }
      if (!ok) continue;
      if (any.length > 0) {
        let anyHit: Hit['m'] | null = null;
        for (const re of any) {
          anyHit = re.exec(text);
          if (anyHit !== null) break;
        }
        if (anyHit === null) continue;
        first ??= anyHit;
      }
      if (first !== null) return { index: i, m: first };
    }
    return null;
  }

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

/** Fills a message template from typed captures; a missing capture takes its fallback, or reads `unknown <name>`. */
export function fillMessage(template: string, captures: Readonly<Record<string, CaptureValue>>, extract: Rule['extract']): string {
  return template.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) => {
    const v = captures[name];
    if (v === undefined) return fallback ?? `unknown ${name}`;
    if (typeof v === 'number' && extract[name] === 'bytes') return fmtBytes(v);
    return String(v);
  });
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

const lowerCache = new WeakMap<LogRecord, string>();

function lowerText(record: LogRecord): string {
  let t = lowerCache.get(record);
  if (t === undefined) {
    t = record.lines.map((l) => l.text.toLowerCase()).join('\n');
    lowerCache.set(record, t);
  }
  return t;
}

/** Matches one rule against one record; returns the finding or null. */
export function matchRecord(rule: Rule, record: LogRecord): Finding | null {
  const lines = record.lines;
  if (lines.length === 0) return null;
  const c = compiled(rule);
  const lower = lowerText(record);
  if (!c.literals.some((l) => lower.includes(l))) return null;
  const hit = locate(c, rule.match.scope, lines);
  if (hit === null) return null;

  const order = [hit.index, ...lines.map((_, i) => i).filter((i) => i !== hit.index)];
  const raw = new Map<string, string>();
  for (const re of [...c.all, ...c.any]) collectGroups(re.exec(lines[hit.index]!.text), raw);
  for (const re of [...c.all, ...c.any, ...c.captures]) {
    for (const i of order) collectGroups(re.exec(lines[i]!.text), raw);
  }
  const captures: Record<string, CaptureValue> = {};
  for (const k of [...raw.keys()].sort()) captures[k] = convertCapture(raw.get(k)!, rule.extract[k]);

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

/**
 * Every rule's finding on one record, after precedence: a finding whose rule another matching
 * rule supersedes (`supersedes`, closed transitively at load) is dropped, so one record is
 * explained by its most specific rule.
 */
export function matchRules(rules: readonly Rule[], record: LogRecord): Finding[] {
  const hits: { rule: Rule; finding: Finding }[] = [];
  for (const rule of rules) {
    const finding = matchRecord(rule, record);
    if (finding !== null) hits.push({ rule, finding });
  }
  if (hits.length < 2) return hits.map((h) => h.finding);
  const dropped = new Set<string>();
  for (const h of hits) for (const id of h.rule.supersedes) dropped.add(id);
  return hits.filter((h) => !dropped.has(h.rule.id)).map((h) => h.finding);
}
