// Incidents: groups a scope's findings into one incident per failing process family, attaches
// the scope's evidence (saying why), runs the verdict engine and the remediation, and orders
// incidents by severity as DESIGN.md defines.

import type { Cause, Confidence, EvidenceFile, Finding, Incident, Severity, SystemName } from '../core/index.js';
import { SEVERITIES } from '../core/index.js';
import { indexFacts } from './facts.js';
import { remediate } from './remediation.js';
import { decide } from './verdict.js';
import { fmtCount } from './units.js';

export interface ScopeInput {
  readonly scope: string;
  /** Listed findings of the scope. */
  readonly findings: readonly Finding[];
  /** Findings counted but not listed (caps), per file and rule. */
  readonly omitted: readonly { readonly file: string; readonly ruleId: string; readonly systems: readonly SystemName[]; readonly count: number }[];
  readonly evidence: readonly EvidenceFile[];
}

export const MAX_LISTED_FINDINGS = 200;

type Family = 'java' | 'go' | 'kernel' | 'generic';

function familyOf(system: SystemName): Family {
  switch (system) {
    case 'kafka':
    case 'jvm':
    case 'elasticsearch':
    case 'opensearch':
      return 'java';
    case 'prometheus-tsdb':
    case 'cortex':
    case 'mimir':
    case 'loki':
    case 'go':
      return 'go';
    case 'kernel':
      return 'kernel';
    default:
      return 'generic';
  }
}

const INCIDENT_OPS = new Set(['mmap', 'commit', 'mprotect', 'malloc']);

/** Does this finding, on its own, make an incident? */
export function isIncidentWorthy(f: Finding): boolean {
  const s = f.signals.failure;
  return s === 'enomem' || s === 'oom-kill' || s === 'limit-warning' || (s === 'non-enomem' && INCIDENT_OPS.has(f.signals.operation));
}

function primarySystem(findings: readonly Finding[], evidence: readonly EvidenceFile[], family: Family): SystemName {
  const systems = new Set<SystemName>(findings.flatMap((f) => f.systems));
  const texts = findings.map((f) => `${f.logger ?? ''} ${f.text} ${f.recordLines.map((l) => l.text).join(' ')} ${f.file}`).join('\n');
  if (family === 'java') {
    if (systems.has('kafka') || /kafka/i.test(texts) || evidence.some((e) => e.kind === 'kafka-log-dir')) return 'kafka';
    if (/opensearch/i.test(texts)) return 'opensearch';
    if (systems.has('elasticsearch') || /elasticsearch/i.test(texts)) return 'elasticsearch';
    return 'jvm';
  }
  if (family === 'go') {
    if (/cortex/i.test(texts)) return 'cortex';
    if (/mimir/i.test(texts)) return 'mimir';
    if (/loki/i.test(texts)) return 'loki';
    if ([...systems].some((s) => s === 'prometheus-tsdb') || /tsdb|prometheus/i.test(texts)) return 'prometheus-tsdb';
    return 'go';
  }
  if (family === 'kernel') return 'kernel';
  if (evidence.some((e) => e.kind === 'kafka-log-dir')) return 'kafka';
  if (evidence.some((e) => e.kind === 'tsdb-dir')) return 'prometheus-tsdb';
  return 'generic';
}

function maxSeverity(findings: readonly Finding[]): Severity {
  let best = SEVERITIES.length - 1;
  for (const f of findings) best = Math.min(best, SEVERITIES.indexOf(f.severity));
  return SEVERITIES[best] ?? 'info';
}

function cmpFinding(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

function pidsOf(evidence: readonly EvidenceFile[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of evidence) {
    const pid = e.facts.find((f) => f.key === 'pid');
    if (pid && typeof pid.value === 'number') m.set(e.file, pid.value);
  }
  return m;
}

const SYSTEM_LABEL: Record<SystemName, string> = {
  kafka: 'Kafka broker',
  jvm: 'JVM',
  'prometheus-tsdb': 'Prometheus TSDB',
  cortex: 'Cortex ingester',
  mimir: 'Mimir ingester',
  loki: 'Loki',
  elasticsearch: 'Elasticsearch node',
  opensearch: 'OpenSearch node',
  go: 'Go program',
  kernel: 'kernel',
  generic: 'process',
};

export const CAUSE_LABEL: Record<Cause, string> = {
  'map-count-exhaustion': 'out of memory-map areas (vm.max_map_count), not memory',
  'memory-exhaustion': 'memory really ran out',
  'address-space-limit': 'address-space limit (ulimit -v, 32-bit or heap base), not memory',
  'cgroup-memory-limit': 'container (cgroup) memory limit',
  'thread-limit': 'thread/task limit, not memory',
  'map-count-limit-low': 'vm.max_map_count is below what the workload needs',
  'other-mmap-error': 'mmap failed for a reason other than memory',
  unknown: 'cause not decided by the evidence',
};

export function systemLabel(s: SystemName): string {
  return SYSTEM_LABEL[s];
}

function buildIncident(scope: string, family: Family, findings: readonly Finding[], omittedCount: number, evidence: readonly EvidenceFile[]): Incident | undefined {
  const sorted = [...findings].sort(cmpFinding);
  const system = primarySystem(sorted, evidence, family);
  const hsErrPids = new Set<number>();
  for (const e of evidence) {
    if (e.kind !== 'hs-err') continue;
    const pid = e.facts.find((f) => f.key === 'pid');
    if (pid && typeof pid.value === 'number') hsErrPids.add(pid.value);
  }
  const evidencePids = pidsOf(evidence);
  const used: EvidenceFile[] = [];
  const why: { file: string; kind: string; reason: string }[] = [];
  const caveatsExtra: string[] = [];
  const logFiles = new Set(sorted.map((f) => f.file));
  for (const e of evidence) {
    const pid = evidencePids.get(e.file);
    if (e.kind !== 'hs-err' && pid !== undefined && hsErrPids.size > 0 && !hsErrPids.has(pid)) {
      caveatsExtra.push(`${e.file} describes pid ${pid}, not the crashed pid ${[...hsErrPids].join(', ')}; not used`);
      continue;
    }
    used.push(e);
    const reason = logFiles.has(e.file)
      ? 'the crash file itself: it carries its own maps, limits and memory sections'
      : pid !== undefined && hsErrPids.has(pid)
        ? `same pid ${pid} as the crash file`
        : scope === '(command line)'
          ? 'given on the same command line'
          : `in the same directory or bundle (${scope}) as the logs`;
    why.push({ file: e.file, kind: e.kind, reason });
  }
  const facts = indexFacts(used);
  const decision = decide({ findings: sorted, facts });
  if (sorted.length === 0 && decision.cause !== 'map-count-limit-low') return undefined;
  const remediation = remediate(decision, system);
  const times = sorted.map((f) => f.time?.iso).filter((t): t is string => t !== undefined).sort();
  const pidFact = facts.num('pid');
  const name = facts.text('process-name');
  const process = pidFact ? `pid ${pidFact.value}${name ? ` (${name.value})` : ''}` : name ? name.value : scope;
  const count = sorted.length + omittedCount;
  const confidence: Confidence = decision.confidence;
  const summary =
    `${systemLabel(system)}: ${CAUSE_LABEL[decision.cause]} — ${decision.because}` +
    (count > 0 ? ` (${fmtCount(count)} finding${count === 1 ? '' : 's'})` : '');
  const caveats = [...decision.caveats, ...caveatsExtra];
  if (times.length > 0 && sorted.some((f) => f.time && !f.time.hasOffset)) caveats.push('some timestamps carry no time zone; they are shown as written');
  return {
    id: `${system}:${scope}`,
    system,
    process,
    cause: decision.cause,
    confidence,
    severity: sorted.length > 0 ? maxSeverity(sorted) : 'warning',
    summary,
    ...(times.length > 0 ? { firstSeen: times[0]!, lastSeen: times[times.length - 1]! } : {}),
    count,
    findings: sorted.slice(0, MAX_LISTED_FINDINGS),
    omittedFindings: omittedCount + Math.max(0, sorted.length - MAX_LISTED_FINDINGS),
    trail: decision.trail,
    evidence: why,
    ...(facts.maps() ? { maps: facts.maps()! } : {}),
    remediation,
    caveats,
  };
}

/** Group one scope's findings into incidents and diagnose each. */
export function diagnoseScope(input: ScopeInput): Incident[] {
  const byFamily = new Map<Family, Finding[]>();
  const contextOnly = new Map<Family, Finding[]>();
  for (const f of input.findings) {
    const fam = familyOf(f.systems[0] ?? 'generic');
    const target = isIncidentWorthy(f) ? byFamily : contextOnly;
    const list = target.get(fam) ?? [];
    list.push(f);
    target.set(fam, list);
  }
  const omittedBy = new Map<Family, number>();
  for (const o of input.omitted) {
    const fam = familyOf(o.systems[0] ?? 'generic');
    omittedBy.set(fam, (omittedBy.get(fam) ?? 0) + o.count);
  }
  // Kernel OOM lines belong to the process they killed when the scope has one other family.
  const kernel = byFamily.get('kernel');
  const others = [...byFamily.keys()].filter((k) => k !== 'kernel');
  if (kernel && others.length === 1) {
    byFamily.get(others[0]!)!.push(...kernel);
    byFamily.delete('kernel');
  }
  const incidents: Incident[] = [];
  for (const fam of [...byFamily.keys()].sort()) {
    const findings = [...(byFamily.get(fam) ?? []), ...(contextOnly.get(fam) ?? [])];
    const inc = buildIncident(input.scope, fam, findings, omittedBy.get(fam) ?? 0, input.evidence);
    if (inc) incidents.push(inc);
  }
  if (incidents.length === 0 && input.evidence.length > 0) {
    const inc = buildIncident(input.scope, 'generic', [], 0, input.evidence);
    if (inc) incidents.push(inc);
  }
  return incidents;
}

const CONF_RANK: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };

function causeRank(c: Cause): number {
  if (c === 'map-count-limit-low') return 1;
  if (c === 'other-mmap-error') return 2;
  return 0;
}

/** DESIGN.md order: ENOMEM failures, then limit-low, then other mmap errors; higher confidence, more findings first. */
export function sortIncidents(incidents: readonly Incident[]): Incident[] {
  return [...incidents].sort((a, b) => {
    const r = causeRank(a.cause) - causeRank(b.cause);
    if (r !== 0) return r;
    const c = CONF_RANK[a.confidence] - CONF_RANK[b.confidence];
    if (c !== 0) return c;
    if (a.count !== b.count) return b.count - a.count;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
