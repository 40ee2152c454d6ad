// Which source wins when two give the same fact: the precedence of fact origins as a data table
// (per fact key, with the reason shown in the report's caveat), and the origin each evidence
// kind implies when a parser did not set one. The verdict engine never guesses from prose.

import type { EvidenceKind, FactOrigin, NumericFact, NumericFactKey } from '../core/index.js';

export interface PrecedenceRow {
  /** The fact keys this row governs; 'default' for every other key. */
  readonly keys: readonly NumericFactKey[] | 'default';
  /** Origins, winner first. */
  readonly order: readonly FactOrigin[];
  /** Why, as the report's caveat says it. */
  readonly why: string;
}

export const SOURCE_PRECEDENCE: readonly PrecedenceRow[] = [
  {
    keys: ['map-count'],
    order: ['live', 'at-failure', 'transcript', 'prose'],
    why:
      'a complete count beats a cut one (a lower bound); among complete counts a full maps file beats an hs_err Dynamic libraries section, then the ' +
      'larger; among lower bounds the largest',
  },
  {
    keys: 'default',
    order: ['at-failure', 'live', 'transcript', 'config', 'prose'],
    why: 'a value read at the failure describes it; a live capture may be from later; a configuration may never have been applied',
  },
];

/** The origin an evidence file's facts have unless the parser said otherwise. */
export const KIND_ORIGIN: Readonly<Record<EvidenceKind, FactOrigin>> = {
  maps: 'live',
  smaps: 'live',
  pmap: 'live',
  'maps-count': 'live',
  'hs-err': 'at-failure',
  sysctl: 'live',
  meminfo: 'live',
  limits: 'live',
  status: 'live',
  cgroup: 'live',
  'kafka-log-dir': 'live',
  'tsdb-dir': 'live',
  'prometheus-startup': 'live',
  'capture-manifest': 'live',
  'kube-pod': 'live',
  embedded: 'transcript',
};

/** How each origin reads in a caveat. */
export const ORIGIN_WORDS: Readonly<Record<FactOrigin | 'assumed', string>> = {
  'at-failure': 'read by the failing process at the failure',
  live: 'captured from the host',
  transcript: 'a command output pasted into a log or text',
  config: 'a configuration file, which may not have been applied',
  prose: 'a number written in prose',
  assumed: 'the kernel default, assumed',
};

function rowFor(key: NumericFactKey): PrecedenceRow {
  return SOURCE_PRECEDENCE.find((r) => r.keys !== 'default' && r.keys.includes(key)) ?? SOURCE_PRECEDENCE.find((r) => r.keys === 'default')!;
}

export function originOf(f: NumericFact, kind: EvidenceKind): FactOrigin {
  return f.origin ?? KIND_ORIGIN[kind];
}

/**
 * Orders the candidate values of one fact, winner first. `facts` come sorted by file and line;
 * ties keep that order (the earliest source wins), except counts, where complete and then larger wins.
 */
export function rankFacts(key: NumericFactKey, facts: readonly (NumericFact & { readonly origin: FactOrigin })[]): (NumericFact & { readonly origin: FactOrigin })[] {
  const row = rowFor(key);
  const rank = (o: FactOrigin): number => {
    const i = row.order.indexOf(o);
    return i < 0 ? row.order.length : i;
  };
  return facts
    .map((f, i) => ({ f, i }))
    .sort((a, b) => {
      if (key === 'map-count') {
        // Complete counts first, by origin; then lower bounds, the largest first whatever their origin.
        const ca = a.f.complete === false ? 1 : 0;
        const cb = b.f.complete === false ? 1 : 0;
        if (ca !== cb) return ca - cb;
        if (ca === 1 && a.f.value !== b.f.value) return b.f.value - a.f.value;
      }
      const r = rank(a.f.origin) - rank(b.f.origin);
      if (r !== 0) return r;
      if (key === 'map-count' && a.f.value !== b.f.value) return b.f.value - a.f.value;
      return a.i - b.i;
    })
    .map((x) => x.f);
}

/** The origins of a key's row, winner first, for the caveat. */
export function precedenceOrder(key: NumericFactKey): readonly FactOrigin[] {
  return rowFor(key).order;
}
