// Shared helpers for the evidence parsers: fact constructors, size and limit parsing, and the
// small text utilities (base name, blank-line tests) every parser needs. No parser logic here.

import type { FactOrigin, FlagFact, FlagFactKey, NumericFact, NumericFactKey, TextFact, TextFactKey } from '../core/index.js';

export interface NumOpts {
  readonly complete?: boolean;
  readonly method?: string;
  readonly origin?: FactOrigin;
}

export function num(key: NumericFactKey, value: number, file: string, line: number, opts: NumOpts = {}): NumericFact {
  const fact: { -readonly [K in keyof NumericFact]: NumericFact[K] } = { key, value, source: { file, line } };
  if (opts.complete !== undefined) fact.complete = opts.complete;
  if (opts.method !== undefined) fact.method = opts.method;
  if (opts.origin !== undefined) fact.origin = opts.origin;
  return fact;
}

export function flag(key: FlagFactKey, file: string, line: number, method?: string): FlagFact {
  return method === undefined ? { key, value: true, source: { file, line } } : { key, value: true, source: { file, line }, method };
}

export function text(key: TextFactKey, value: string, file: string, line: number): TextFact {
  return { key, value, source: { file, line } };
}

/** Values at or above this are the kernel's "no limit" sentinels (PAGE_COUNTER_MAX, RLIM_INFINITY). */
const UNLIMITED_FLOOR = 2 ** 62;

const UNIT: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  ki: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  mi: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  gi: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
  ti: 1024 ** 4,
};

/**
 * A size or limit as printed by the kernel, the JVM or a shell: `8192k`, `4194304 k`, `15869M`,
 * `123 kB`, `65530`, `unlimited`, `infinity`, `max`. `defaultUnit` multiplies a bare number.
 * Returns Infinity for the no-limit words and sentinels, null when it is not a size.
 */
export function parseSize(raw: string, defaultUnit = 1): number | null {
  const s = raw.trim().toLowerCase();
  if (s === 'unlimited' || s === 'infinity' || s === 'max' || s === 'inf') return Infinity;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(s);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const mult = unit === '' ? defaultUnit : UNIT[unit];
  if (mult === undefined || !Number.isFinite(n)) return null;
  const v = n * mult;
  return v >= UNLIMITED_FLOOR ? Infinity : Math.round(v);
}

export function baseName(name: string): string {
  const parts = name.split(/[\\/]/);
  return parts[parts.length - 1] ?? name;
}

export function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === '';
}

/** Non-blank lines of a head sample, trimmed, in order. */
export function meaningful(head: readonly string[]): string[] {
  return head.map((l) => l.trim()).filter((l) => l !== '');
}

/** Keeps one fact per key: the one with the highest priority, the earliest on ties. */
export class FactPicker<F extends { readonly key: string; readonly source: { readonly line: number } }> {
  private readonly best = new Map<string, { fact: F; prio: number }>();

  add(fact: F, prio = 0): void {
    const cur = this.best.get(fact.key);
    if (cur === undefined || prio > cur.prio) this.best.set(fact.key, { fact, prio });
  }

  has(key: string): boolean {
    return this.best.has(key);
  }

  facts(): F[] {
    return [...this.best.values()].map((e) => e.fact).sort((a, b) => a.source.line - b.source.line || a.key.localeCompare(b.key));
  }
}
