// The incident's numbers, computed once from the decision and the fact index: map count and
// limit with their source lines, origins and overruled values, requests, headrooms, and the
// winning value of every numeric fact. Renderers and JSON consumers read only these.

import type { IncidentNumbers, NumericFactKey, Remediation, UsedNumber } from '../core/index.js';
import type { FactIndex, RankedFact } from './facts.js';
import type { Decision } from './verdict.js';

function used(list: readonly RankedFact[]): UsedNumber | undefined {
  const chosen = list[0];
  if (!chosen) return undefined;
  const overruled = list.slice(1).filter((f) => f.value !== chosen.value);
  return {
    value: chosen.value,
    source: chosen.source,
    origin: chosen.origin,
    ...(chosen.method !== undefined ? { method: chosen.method } : {}),
    ...(chosen.complete === false ? { lowerBound: true } : {}),
    ...(overruled.length > 0 ? { overruled: overruled.map((f) => ({ value: f.value, source: f.source, origin: f.origin })) } : {}),
  };
}

export function incidentNumbers(decision: Decision, facts: FactIndex, remediation: Remediation): IncidentNumbers {
  const all: Partial<Record<NumericFactKey, UsedNumber>> = {};
  for (const key of facts.keys()) {
    const u = used(facts.all(key));
    if (u) all[key] = u;
  }
  const mapCount = decision.mapCount ? all['map-count'] : undefined;
  const mapLimit: UsedNumber = decision.mapLimit.assumed
    ? { value: decision.mapLimit.value, origin: 'assumed' }
    : (all['max-map-count'] ?? { value: decision.mapLimit.value, origin: 'assumed' });
  const needed = remediation.neededMapCount ?? decision.needed;
  return {
    ...(mapCount ? { mapCount } : {}),
    mapLimit,
    ...(needed && needed.value > 0 ? { mapCountNeeded: { value: needed.value, basis: needed.basis, sources: needed.sources } } : {}),
    ...(remediation.recommendedMaxMapCount !== undefined ? { recommendedMaxMapCount: remediation.recommendedMaxMapCount } : {}),
    requests: decision.requests,
    ...(decision.memoryHeadroom ? { memoryHeadroom: decision.memoryHeadroom } : {}),
    ...(decision.commitHeadroom ? { commitHeadroom: decision.commitHeadroom } : {}),
    facts: all,
  };
}
