// Fact lookup for the verdict engine: picks the deciding value of each fact key from the
// evidence attached to an incident by the precedence table (src/diagnose/precedence.ts), and
// states each conflict between sources with both lines and why the winner won.

import type { EvidenceFile, EvidenceKind, FactOrigin, FlagFactKey, MapsBreakdown, NumericFact, NumericFactKey, SourceRef, TextFactKey } from '../core/index.js';
import { BYTE_FACT_KEYS, factLabel } from '../core/words.js';
import { fmtBytes, fmtCount } from '../core/units.js';
import { ORIGIN_WORDS, originOf, precedenceOrder, rankFacts } from './precedence.js';

/** A numeric fact with the origin that ranked it. */
export type RankedFact = NumericFact & { readonly origin: FactOrigin };

export interface Conflict {
  readonly key: NumericFactKey;
  readonly chosen: RankedFact;
  readonly others: readonly RankedFact[];
  /** The caveat: both values with their lines and origins, and why the winner won. */
  readonly text: string;
}

export interface FactIndex {
  num(key: NumericFactKey): RankedFact | undefined;
  /** Every value of a key, winner first. */
  all(key: NumericFactKey): readonly RankedFact[];
  flag(key: FlagFactKey): SourceRef | undefined;
  /** Every source of a flag, in file and line order. */
  flags(key: FlagFactKey): readonly SourceRef[];
  /** How a flag at that source was obtained. */
  flagMethod(key: FlagFactKey, at: SourceRef): string | undefined;
  text(key: TextFactKey): { value: string; source: SourceRef } | undefined;
  /** The maps snapshot whose count is the chosen map count, else the most telling one. */
  maps(): MapsBreakdown | undefined;
  conflicts(): readonly Conflict[];
  /** Every key with at least one value. */
  keys(): readonly NumericFactKey[];
}

function cmpSource(a: SourceRef, b: SourceRef): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line;
}

/** A fact value in its unit: bytes in binary units, counts with separators. */
export function fmtFactValue(key: NumericFactKey, value: number): string {
  return BYTE_FACT_KEYS.has(key) ? fmtBytes(value) : fmtCount(value);
}

function ref(f: NumericFact): string {
  return `${f.source.file}:${f.source.line}`;
}

/** Keys whose values legitimately differ between sources (several snapshots, several pids). */
const NO_CONFLICT: ReadonlySet<NumericFactKey> = new Set(['map-count', 'pid', 'failed-request-bytes', 'heap-base', 'native-heap-top']);

export function indexFacts(evidence: readonly EvidenceFile[]): FactIndex {
  const nums = new Map<NumericFactKey, RankedFact[]>();
  const flags = new Map<FlagFactKey, SourceRef>();
  const allFlags = new Map<FlagFactKey, { source: SourceRef; method?: string }[]>();
  const texts = new Map<TextFactKey, { value: string; source: SourceRef }>();
  const snapshots: MapsBreakdown[] = [];
  const sorted = [...evidence].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const e of sorted) {
    if (e.maps) snapshots.push(e.maps);
    const kind: EvidenceKind = e.kind;
    for (const f of e.facts) {
      if (typeof f.value === 'number') {
        const nf = f;
        const list = nums.get(nf.key) ?? [];
        list.push({ ...nf, origin: originOf(nf, kind) });
        nums.set(nf.key, list);
      } else if (f.value === true) {
        const key = f.key;
        if (!flags.has(key)) flags.set(key, f.source);
        const list = allFlags.get(key) ?? [];
        list.push({ source: f.source, ...(f.method !== undefined ? { method: f.method } : {}) });
        allFlags.set(key, list);
      } else if (!texts.has(f.key)) {
        texts.set(f.key, { value: f.value, source: f.source });
      }
    }
  }
  const ranked = new Map<NumericFactKey, RankedFact[]>();
  for (const [key, list] of nums) {
    list.sort((a, b) => cmpSource(a.source, b.source));
    ranked.set(key, rankFacts(key, list));
  }

  const conflicts: Conflict[] = [];
  for (const [key, list] of [...ranked.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (NO_CONFLICT.has(key)) continue;
    const chosen = list[0]!;
    const others = list.filter((f) => f.value !== chosen.value);
    if (others.length === 0) continue;
    const show = (f: RankedFact): string => `${fmtFactValue(key, f.value)} at ${ref(f)} (${ORIGIN_WORDS[f.origin]})`;
    const text =
      `${factLabel(key)} differs between sources: ${[chosen, ...others].map(show).join(' and ')}; ` +
      `used ${fmtFactValue(key, chosen.value)} from ${ref(chosen)}` +
      (others.every((o) => o.origin === chosen.origin) ? ', the first source of its kind' : ` (source precedence ${precedenceOrder(key).join(' > ')})`);
    conflicts.push({ key, chosen, others, text });
  }

  const chosenCount = ranked.get('map-count')?.[0];
  return {
    num: (key) => ranked.get(key)?.[0],
    all: (key) => ranked.get(key) ?? [],
    flag: (key) => flags.get(key),
    flags: (key) => (allFlags.get(key) ?? []).map((x) => x.source).sort(cmpSource),
    flagMethod: (key, at) => allFlags.get(key)?.find((x) => x.source.file === at.file && x.source.line === at.line)?.method,
    text: (key) => texts.get(key),
    maps: () => {
      const own = chosenCount ? snapshots.find((m) => m.source.file === chosenCount.source.file && m.regions === chosenCount.value) : undefined;
      return (
        own ??
        [...snapshots].sort((a, b) => {
          if (a.complete !== b.complete) return a.complete ? -1 : 1;
          return b.regions - a.regions;
        })[0]
      );
    },
    conflicts: () => conflicts,
    keys: () => [...ranked.keys()].sort(),
  };
}
