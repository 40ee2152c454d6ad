// Fact lookup for the verdict engine: picks the deciding value of each fact key from the
// evidence attached to an incident (deterministically), and notes conflicts between sources.

import type { EvidenceFile, FlagFactKey, MapsBreakdown, NumericFact, NumericFactKey, SourceRef, TextFactKey } from '../core/index.js';

export interface FactIndex {
  num(key: NumericFactKey): NumericFact | undefined;
  all(key: NumericFactKey): readonly NumericFact[];
  flag(key: FlagFactKey): SourceRef | undefined;
  text(key: TextFactKey): { value: string; source: SourceRef } | undefined;
  /** The most telling maps snapshot: complete before cut, then most regions. */
  maps(): MapsBreakdown | undefined;
  /** Human notes about conflicting values between sources. */
  conflicts(): readonly string[];
}

function cmpSource(a: SourceRef, b: SourceRef): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line;
}

export function indexFacts(evidence: readonly EvidenceFile[]): FactIndex {
  const nums = new Map<NumericFactKey, NumericFact[]>();
  const flags = new Map<FlagFactKey, SourceRef>();
  const texts = new Map<TextFactKey, { value: string; source: SourceRef }>();
  const snapshots: MapsBreakdown[] = [];
  const sorted = [...evidence].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const e of sorted) {
    if (e.maps) snapshots.push(e.maps);
    for (const f of e.facts) {
      if (typeof f.value === 'number') {
        const list = nums.get(f.key as NumericFactKey) ?? [];
        list.push(f as NumericFact);
        nums.set(f.key as NumericFactKey, list);
      } else if (f.value === true) {
        if (!flags.has(f.key as FlagFactKey)) flags.set(f.key as FlagFactKey, f.source);
      } else if (!texts.has(f.key as TextFactKey)) {
        texts.set(f.key as TextFactKey, { value: f.value, source: f.source });
      }
    }
  }
  for (const list of nums.values()) list.sort((a, b) => cmpSource(a.source, b.source));

  const pick = (key: NumericFactKey): NumericFact | undefined => {
    const list = nums.get(key);
    if (!list || list.length === 0) return undefined;
    if (key === 'map-count') {
      // A complete count is exact; a cut one is a lower bound. Prefer complete, then the larger.
      return [...list].sort((a, b) => {
        const ca = a.complete === false ? 1 : 0;
        const cb = b.complete === false ? 1 : 0;
        if (ca !== cb) return ca - cb;
        return b.value - a.value;
      })[0];
    }
    // Dedicated evidence files (sysctl, meminfo, limits) before values echoed inside crash logs.
    const dedicated = list.find((f) => !/hs_err/i.test(f.method ?? ''));
    return dedicated ?? list[0];
  };

  const conflicts: string[] = [];
  for (const [key, list] of [...nums.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (key === 'map-count' || key === 'pid') continue;
    const values = new Set(list.map((f) => f.value));
    if (values.size > 1) {
      const chosen = pick(key);
      conflicts.push(
        `${key} differs between sources (${list.map((f) => `${f.value} at ${f.source.file}:${f.source.line}`).join(', ')}); ` +
          `used ${chosen?.value} from ${chosen?.source.file}:${chosen?.source.line}`,
      );
    }
  }

  return {
    num: pick,
    all: (key) => nums.get(key) ?? [],
    flag: (key) => flags.get(key),
    text: (key) => texts.get(key),
    maps: () =>
      [...snapshots].sort((a, b) => {
        if (a.complete !== b.complete) return a.complete ? -1 : 1;
        return b.regions - a.regions;
      })[0],
    conflicts: () => conflicts,
  };
}
