// Runs validated rules: the combined literal prefilter regex, the per-record matcher that
// turns a hit into a core `Finding` (line, span, typed captures), the capture conversions
// (bytes with units, errno names and texts, paths) and the per-format rule selection.

import type { CaptureValue, ExtractKind, Finding, LogFormat, LogRecord, ParsedLine, Rule } from '../core/index.js';

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
      return raw.trim().replace(/^["'`([]+/, '').replace(/["'`),;:\].]+$/, '');
    case 'string':
      return raw.trim();
    case undefined:
      return raw;
  }
}

/**
 * A regex that matches an empty line (e.g. `^(?:.*?user=(?<tenant>\w+))?`) only collects
 * optional captures: it never decides whether or where a rule hits.
 */
export function isCaptureOnly(re: RegExp): boolean {
  let v = captureOnlyCache.get(re);
  if (v === undefined) {
    v = execOn(re, '') !== null;
    captureOnlyCache.set(re, v);
  }
  return v;
}

const captureOnlyCache = new WeakMap<RegExp, boolean>();

interface Hit {
  readonly index: number;
  readonly m: RegExpExecArray;
}

function execOn(re: RegExp, text: string): RegExpExecArray | null {
  re.lastIndex = 0;
  return re.exec(text);
}

function collectGroups(m: RegExpExecArray, into: Map<string, string>): void {
  const groups = m.groups;
  if (groups === undefined) return;
  for (const k in groups) {
    const v = groups[k];
    if (v !== undefined && !into.has(k)) into.set(k, v);
  }
}

/** Finds where a rule hits in a record, or null; `captureOrder` lists the line indexes searched for captures (hit line first). */
function locate(rule: Rule, lines: readonly ParsedLine[]): { hit: Hit; captureOrder: number[] } | null {
  const { scope, all, any, none } = rule.match;
  for (const re of none) if (lines.some((l) => execOn(re, l.text) !== null)) return null;

  if (scope === 'line') {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!.text;
      let first: RegExpExecArray | null = null;
      let ok = true;
      for (const re of all) {
        const m = execOn(re, text);
        if (m === null) {
          ok = false;
          break;
        }
        if (!isCaptureOnly(re)) first ??= m;
      }
      if (!ok) continue;
      if (any.length > 0) {
        let anyHit: RegExpExecArray | null = null;
        for (const re of any) {
          anyHit = execOn(re, text);
          if (anyHit !== null) break;
        }
        if (anyHit === null) continue;
        first ??= anyHit;
      }
      if (first !== null) return { hit: { index: i, m: first }, captureOrder: [i] };
    }
    return null;
  }

  let hit: Hit | null = null;
  for (const re of all) {
    const idx = lines.findIndex((l) => execOn(re, l.text) !== null);
    if (idx < 0) return null;
    if (hit === null && !isCaptureOnly(re)) hit = { index: idx, m: execOn(re, lines[idx]!.text)! };
  }
  if (any.length > 0) {
    let best: Hit | null = null;
    for (let i = 0; i < lines.length && best === null; i++) {
      for (const re of any) {
        const m = execOn(re, lines[i]!.text);
        if (m !== null) {
          best = { index: i, m };
          break;
        }
      }
    }
    if (best === null) return null;
    hit ??= best;
  }
  if (hit === null) return null;
  const order = [hit.index, ...lines.map((_, i) => i).filter((i) => i !== hit.index)];
  return { hit, captureOrder: order };
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

const gates = new WeakMap<Rule, RegExp | null>();

/**
 * The rule's literals as one case-insensitive test: a rule can only match a record holding one
 * of them (the loader's contract), so a record without any is skipped before its regexes run.
 */
function gateOf(rule: Rule): RegExp | null {
  let g = gates.get(rule);
  if (g === undefined) {
    g = rule.literals.length > 0 ? new RegExp(rule.literals.map(escapeRegex).join('|'), 'i') : null;
    gates.set(rule, g);
  }
  return g;
}

/** False when the record holds none of the rule's literals: the rule cannot match it (checked before its regexes in the scan). */
export function mayMatch(rule: Rule, record: LogRecord): boolean {
  const g = gateOf(rule);
  return g === null || record.lines.some((l) => g.test(l.text) || (l.raw !== l.text && g.test(l.raw)));
}

function locateGated(rule: Rule, lines: readonly ParsedLine[]): { hit: Hit; captureOrder: number[] } | null {
  if (lines.length === 0) return null;
  return locate(rule, lines);
}

function capturesOf(rule: Rule, lines: readonly ParsedLine[], captureOrder: readonly number[]): Record<string, CaptureValue> {
  const raw = new Map<string, string>();
  for (const re of [...rule.match.all, ...rule.match.any]) {
    for (const i of captureOrder) {
      const m = execOn(re, lines[i]!.text);
      if (m !== null) collectGroups(m, raw);
    }
  }
  const captures: Record<string, CaptureValue> = {};
  for (const k of [...raw.keys()].sort()) captures[k] = convertCapture(raw.get(k)!, rule.extract[k]);
  return captures;
}

/** What a hit keeps beyond the listed examples: the matched line and the typed captures. */
export function matchHit(rule: Rule, record: LogRecord): { line: number; captures: Record<string, CaptureValue> } | null {
  const found = locateGated(rule, record.lines);
  if (found === null) return null;
  return { line: record.lines[found.hit.index]!.lineNo, captures: capturesOf(rule, record.lines, found.captureOrder) };
}

/** Matches one rule against one record; returns the finding or null. */
export function matchRecord(rule: Rule, record: LogRecord): Finding | null {
  const lines = record.lines;
  const found = locateGated(rule, lines);
  if (found === null) return null;
  const { hit, captureOrder } = found;

  const captures = capturesOf(rule, lines, captureOrder);
  const hitLine = lines[hit.index]!;
  return {
    ruleId: rule.id,
    severity: rule.severity,
    systems: rule.systems,
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
