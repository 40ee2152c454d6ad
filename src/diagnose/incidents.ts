// Incidents: groups a scope's findings into one incident per failing process family, attaches
// the scope's evidence (saying why), runs the verdict engine and the remediation, and orders
// incidents by severity as docs/ARCHITECTURE.md defines.

import type { CaptureValue, Cause, Confidence, EvidenceFile, Finding, Incident, OmittedFindings, Severity, ScopeInput, SystemName, UnlistedFindings } from '../core/index.js';
import { SEVERITIES, SYSTEMS, systemDef, type SystemDef, type SystemFamily } from '../core/index.js';
import { indexFacts } from './facts.js';
import { remediate } from './remediation.js';
import { decide } from './verdict.js';
import { incidentNumbers } from './numbers.js';
import { fmtCount } from '../core/units.js';
import { CAUSE_LABEL, systemLabel } from '../core/words.js';

export const MAX_LISTED_FINDINGS = 200;

type Family = SystemFamily;

function familyOf(system: SystemName): Family {
  return systemDef(system)?.family ?? 'generic';
}

/** A Java stack frame or a java.* exception class in a record. */
const JAVA_RECORD = /^\s*at [\w$.<>]+\((?:[\w$]+\.java:\d+|Native Method|Unknown Source)\)|\bjava\.(?:lang|io|nio)\.\w*(?:Exception|Error)\b/m;

/** Go runtime output in a record: its own prefixes, a goroutine dump header, a go-kit `caller=file.go:N`. */
const GO_RECORD = /^(?:runtime(?:\/cgo)?: |fatal error: |goroutine \d+ \[)|\bcaller=[\w./-]+\.go:\d+/m;

/**
 * A rule may name several systems; the log's format and logger then tell which process wrote it.
 * A rule that also names `generic` matches wordings any runtime prints (pthread_create failed), so
 * the record's own runtime markers come before the rule's named system there.
 */
function familyOfFinding(f: Finding): Family {
  const named = f.systems.filter((s) => s !== 'generic');
  const record = () => `${f.text}\n${f.recordLines.map((l) => l.text).join('\n')}`;
  if (f.format !== 'hs-err' && f.systems.includes('generic') && named.length > 0 && !JAVA_RECORD.test(record()) && GO_RECORD.test(record())) return 'go';
  if (named.length === 1 || (named.length > 0 && new Set(named.map(familyOf)).size === 1)) return familyOf(named[0]!);
  if (f.format === 'kafka-log4j' || f.format === 'hs-err' || /^(kafka|org\.apache|org\.elasticsearch|java|[a-z]\.[a-z]\.)\.?/.test(f.logger ?? '')) return 'java';
  if (f.format === 'logfmt' && named.length > 0) return 'go';
  if (JAVA_RECORD.test(f.recordLines.map((l) => l.text).join('\n'))) return 'java';
  return familyOf(f.systems[0] ?? 'generic');
}

const INCIDENT_OPS = new Set(['mmap', 'commit', 'mprotect', 'malloc']);

/** Does this finding, on its own, make an incident? */
export function isIncidentWorthy(f: Finding): boolean {
  const s = f.signals.failure;
  return s === 'enomem' || s === 'oom-kill' || s === 'limit-warning' || (s === 'non-enomem' && INCIDENT_OPS.has(f.signals.operation));
}

/** The first system of the family (registry order) that the findings or the evidence recognise, else the family's default. */
function primarySystem(findings: readonly Finding[], evidence: readonly EvidenceFile[], family: Family): SystemName {
  const systems = new Set<SystemName>(findings.flatMap((f) => f.systems));
  const texts = findings.map((f) => `${f.logger ?? ''} ${f.text} ${f.recordLines.map((l) => l.text).join(' ')} ${f.file}`).join('\n');
  const kinds = new Set(evidence.map((e) => e.kind));
  const byEvidence = (d: SystemDef): boolean => d.recognise.evidence !== undefined && kinds.has(d.recognise.evidence);
  if (family === 'generic') return SYSTEMS.find(byEvidence)?.name ?? 'generic';
  for (const d of SYSTEMS) {
    if (d.family !== family || ('familyDefault' in d && d.familyDefault)) continue;
    const r: SystemDef['recognise'] = d.recognise;
    if ((r.byRule === true && systems.has(d.name)) || r.text?.test(texts) === true || byEvidence(d)) return d.name;
  }
  return SYSTEMS.find((d) => d.family === family && 'familyDefault' in d && d.familyDefault)?.name ?? 'generic';
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

/** One sorted run of unlisted findings: the listing's overflow, or one file and rule's compact hits. */
interface UnlistedRun {
  readonly file: (i: number) => string;
  readonly rule: (i: number) => string;
  readonly line: (i: number) => number;
  readonly time: (i: number) => string | null;
  /** The key of row i's capture set (its JSON) and the set. */
  readonly captures: (i: number) => { key: string; set: Readonly<Record<string, CaptureValue>> };
  readonly length: number;
}

function cmpRow(a: UnlistedRun, i: number, b: UnlistedRun, j: number): number {
  const fa = a.file(i);
  const fb = b.file(j);
  if (fa !== fb) return fa < fb ? -1 : 1;
  const d = a.line(i) - b.line(j);
  if (d !== 0) return d;
  const ra = a.rule(i);
  const rb = b.rule(j);
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

function isSorted(run: UnlistedRun): boolean {
  for (let i = 1; i < run.length; i++) if (cmpRow(run, i - 1, run, i) > 0) return false;
  return true;
}

/**
 * The columns of every finding an incident does not list: the listing's overflow and the
 * findings the scan kept compactly, in file, line, rule order. The runs are each sorted (the
 * scan keeps hits in line order), so they are merged, ties in run order as a stable sort of
 * all rows would leave them, without a row object per finding: a crash loop has hundreds of
 * thousands.
 */
function unlistedOf(overflow: readonly Finding[], parts: readonly OmittedFindings[]): UnlistedFindings {
  const runs: UnlistedRun[] = [];
  if (overflow.length > 0) {
    runs.push({
      length: overflow.length,
      file: (i) => overflow[i]!.file,
      rule: (i) => overflow[i]!.ruleId,
      line: (i) => overflow[i]!.line,
      time: (i) => overflow[i]!.time?.iso ?? null,
      captures: (i) => ({ key: JSON.stringify(overflow[i]!.captures), set: overflow[i]!.captures }),
    });
  }
  for (const p of parts) {
    const h = p.hits;
    if (!h || h.line.length === 0) continue;
    const keys = new Map<number, { key: string; set: Readonly<Record<string, CaptureValue>> }>();
    runs.push({
      length: h.line.length,
      file: () => p.file,
      rule: () => p.ruleId,
      line: (i) => h.line[i]!,
      time: (i) => h.time[i] ?? null,
      captures: (i) => {
        const id = h.captures[i]!;
        let k = keys.get(id);
        if (k === undefined) {
          const set = h.captureSets[id] ?? {};
          k = { key: JSON.stringify(set), set };
          keys.set(id, k);
        }
        return k;
      },
    });
  }
  const dict = <T>() => {
    const ids = new Map<string, number>();
    const values: T[] = [];
    return {
      values,
      id(key: string, v: T): number {
        let id = ids.get(key);
        if (id === undefined) {
          id = values.length;
          values.push(v);
          ids.set(key, id);
        }
        return id;
      },
    };
  };
  const files = dict<string>();
  const rules = dict<string>();
  const sets = dict<Readonly<Record<string, CaptureValue>>>();
  const out = { file: [] as number[], line: [] as number[], rule: [] as number[], time: [] as (string | null)[], captures: [] as number[] };
  const emit = (run: UnlistedRun, i: number): void => {
    const file = run.file(i);
    const rule = run.rule(i);
    const c = run.captures(i);
    out.file.push(files.id(file, file));
    out.line.push(run.line(i));
    out.rule.push(rules.id(rule, rule));
    out.time.push(run.time(i));
    out.captures.push(sets.id(c.key, c.set));
  };
  if (runs.every(isSorted)) {
    // A binary heap of (run, position), smallest row first, ties by run order.
    const pos = runs.map(() => 0);
    const less = (a: number, b: number): boolean => {
      const c = cmpRow(runs[a]!, pos[a]!, runs[b]!, pos[b]!);
      return c < 0 || (c === 0 && a < b);
    };
    const heap = runs.map((_, r) => r);
    const down = (k: number): void => {
      for (;;) {
        const l = 2 * k + 1;
        if (l >= heap.length) return;
        const r = l + 1;
        const m = r < heap.length && less(heap[r]!, heap[l]!) ? r : l;
        if (!less(heap[m]!, heap[k]!)) return;
        [heap[m], heap[k]] = [heap[k]!, heap[m]!];
        k = m;
      }
    };
    for (let k = (heap.length >> 1) - 1; k >= 0; k--) down(k);
    while (heap.length > 0) {
      const r = heap[0]!;
      emit(runs[r]!, pos[r]!);
      pos[r] = pos[r]! + 1;
      if (pos[r] >= runs[r]!.length) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      if (heap.length > 0) down(0);
    }
  } else {
    const rows: { run: UnlistedRun; i: number }[] = [];
    for (const run of runs) for (let i = 0; i < run.length; i++) rows.push({ run, i });
    rows.sort((a, b) => cmpRow(a.run, a.i, b.run, b.i));
    for (const { run, i } of rows) emit(run, i);
  }
  return { files: files.values, rules: rules.values, captureSets: sets.values, ...out };
}

/** hs_err lines carry no timestamp: each untimed finding of a crash file takes the file's `Time:` line (its crash-time fact, UTC when zoned). */
function withCrashTimes(findings: readonly Finding[], evidence: readonly EvidenceFile[]): Finding[] {
  const crashTime = new Map<string, string>();
  for (const e of evidence) {
    const t = e.kind === 'hs-err' ? e.facts.find((f) => f.key === 'crash-time') : undefined;
    if (t && typeof t.value === 'string') crashTime.set(e.file, t.value);
  }
  if (crashTime.size === 0) return [...findings];
  return findings.map((f) => {
    const iso = f.time ? undefined : crashTime.get(f.file);
    return iso === undefined ? f : { ...f, time: { iso, hasOffset: iso.endsWith('Z') } };
  });
}

function buildIncident(
  scope: string,
  idKey: string,
  family: Family,
  findings: readonly Finding[],
  omittedParts: readonly OmittedFindings[],
  evidence: readonly EvidenceFile[],
): Incident | undefined {
  const omittedCount = omittedParts.reduce((n, o) => n + o.count, 0);
  const sorted = withCrashTimes(findings, evidence).sort(cmpFinding);
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
    const reason =
      logFiles.has(e.file) && e.kind === 'hs-err'
        ? 'the crash file itself: it carries its own maps, limits and memory sections'
        : e.kind === 'prometheus-startup' && logFiles.has(e.file)
          ? "the failing log's own start-up lines: they state the process's limits"
          : e.kind === 'embedded'
            ? logFiles.has(e.file)
              ? 'written inside the failing log itself (command output or numbers in its text)'
              : `written inside another file of ${scope} (command output or numbers in its text)`
            : pid !== undefined && hsErrPids.has(pid)
              ? `same pid ${pid} as the crash file`
              : scope === '(command line)'
                ? 'given on the same command line'
                : evidence.some((x) => x.kind === 'capture-manifest')
                  ? `in the capture bundle ${scope}, scanned with the logs`
                  : `in the same directory or bundle (${scope}) as the logs`;
    why.push({ file: e.file, kind: e.kind, reason });
  }
  const facts = indexFacts(used);
  const decision = decide({ findings: sorted, facts });
  if (sorted.length === 0 && decision.cause !== 'map-count-limit-low' && decision.cause !== 'map-count-exhaustion') return undefined;
  const pidKnown = facts.num('pid');
  const overcommit = facts.num('overcommit-memory');
  const kubePod = facts.text('kube-pod');
  const kubeNode = facts.text('kube-node');
  const deletedMaps = facts.num('deleted-maps');
  const kubeContainer = facts.text('kube-container');
  const kubeOwner = facts.text('kube-owner');
  const kubernetes = {
    ...(kubePod ? { pod: kubePod.value } : {}),
    ...(kubeNode ? { node: kubeNode.value } : {}),
    ...(kubeContainer ? { container: kubeContainer.value } : {}),
    ...(kubeOwner ? { owner: kubeOwner.value } : {}),
  };
  const memoryLimit = facts.num('cgroup-memory-limit');
  const memoryPeak = facts.num('cgroup-memory-max-usage') ?? facts.num('cgroup-memory-usage');
  const remediation = remediate(decision, system, {
    ...(deletedMaps ? { deletedMaps: { value: deletedMaps.value, file: deletedMaps.source.file, line: deletedMaps.source.line } } : {}),
    ...(pidKnown ? { pid: pidKnown.value } : {}),
    ...(overcommit ? { overcommitMode: overcommit.value } : {}),
    failureText: sorted.map((f) => `${f.file} ${f.text}`).join('\n'),
    ...(Object.keys(kubernetes).length > 0 ? { kubernetes } : {}),
    ...(memoryLimit ? { memoryLimit: memoryLimit.value } : {}),
    ...(memoryPeak ? { memoryPeak: memoryPeak.value } : {}),
  });
  // The breakdown shown is the snapshot whose count the verdict weighed.
  const maps = facts.maps();
  const overflow = sorted.slice(MAX_LISTED_FINDINGS);
  const unlisted = overflow.length + omittedCount > 0 ? unlistedOf(overflow, omittedParts) : undefined;
  let firstTime: string | undefined;
  let lastTime: string | undefined;
  const seeTime = (t: string | null | undefined): void => {
    if (t === null || t === undefined) return;
    if (firstTime === undefined || t < firstTime) firstTime = t;
    if (lastTime === undefined || t > lastTime) lastTime = t;
  };
  for (const f of sorted) seeTime(f.time?.iso);
  for (const t of unlisted?.time ?? []) seeTime(t);
  const pidFact = facts.num('pid');
  const name = facts.text('process-name');
  const process = pidFact ? `pid ${pidFact.value}${name ? `, ${name.value}` : ''}` : name ? name.value : idKey;
  const count = sorted.length + omittedCount;
  const confidence: Confidence = decision.confidence;
  const summary = `${systemLabel(system)}: ${CAUSE_LABEL[decision.cause]} — ${decision.because}` + (count > 0 ? ` (${fmtCount(count)} finding${count === 1 ? '' : 's'})` : '');
  const caveats = [...decision.caveats, ...caveatsExtra];
  if (firstTime !== undefined && sorted.some((f) => f.time && !f.time.hasOffset)) caveats.push('some timestamps carry no time zone; they are shown as written');
  return {
    id: `${system}:${idKey}`,
    system,
    process,
    cause: decision.cause,
    confidence,
    severity: sorted.length > 0 ? maxSeverity(sorted) : 'warning',
    summary,
    ...(firstTime !== undefined && lastTime !== undefined ? { firstSeen: firstTime, lastSeen: lastTime } : {}),
    count,
    findings: sorted.slice(0, MAX_LISTED_FINDINGS),
    omittedFindings: omittedCount + overflow.length,
    ...(unlisted ? { unlisted } : {}),
    trail: decision.trail,
    evidence: why,
    ...(maps ? { maps } : {}),
    remediation,
    caveats,
    numbers: incidentNumbers(decision, facts, remediation),
  };
}

/**
 * The service each log file belongs to (kafka, elasticsearch, cortex…), from its own findings.
 * A file that only shows the runtime (jvm, go) joins the one service of its family in the scope.
 */
function servicesOf(findings: readonly Finding[]): Map<string, SystemName> {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const out = new Map<string, SystemName>();
  for (const [file, list] of byFile) out.set(file, primarySystem(list, [], familyOfFinding(list[0]!)));
  const runtimes: Partial<Record<Family, SystemName>> = { java: 'jvm', go: 'go' };
  for (const fam of ['java', 'go'] as const) {
    const specific = new Set([...out.values()].filter((s) => familyOf(s) === fam && s !== runtimes[fam]));
    if (specific.size !== 1) continue;
    const only = [...specific][0]!;
    for (const [file, s] of out) if (s === runtimes[fam]) out.set(file, only);
  }
  return out;
}

interface Unit {
  readonly key: string;
  readonly family: Family;
  readonly findings: Finding[];
  readonly omitted: OmittedFindings[];
  readonly evidence: readonly EvidenceFile[];
}

/**
 * Group one scope's findings into incidents and diagnose each. A JVM crash file (hs_err) is
 * its own incident with its own evidence; the scope's other logs join it when it is the only
 * crash file there, else they form incidents per process family.
 */
export function diagnoseScope(input: ScopeInput): Incident[] {
  const crashFiles = input.evidence.filter((e) => e.kind === 'hs-err');
  const shared = input.evidence.filter((e) => e.kind !== 'hs-err');
  const units = new Map<string, Unit>();
  for (const c of crashFiles) units.set(c.file, { key: c.file, family: 'java', findings: [], omitted: [], evidence: [c, ...shared] });
  const soleCrash = crashFiles.length === 1 ? crashFiles[0]!.file : undefined;
  const worthy = input.findings.filter(isIncidentWorthy);
  const context = input.findings.filter((f) => !isIncidentWorthy(f));
  const service = servicesOf(worthy);
  const unitFor = (file: string, family: Family): Unit => {
    const crash = units.get(file);
    if (crash) return crash;
    if (soleCrash && (family === 'java' || family === 'kernel')) return units.get(soleCrash)!;
    // One incident per service: a Kafka broker and an Elasticsearch node on one host are two.
    const svc = service.get(file) ?? family;
    const key = `${input.scope}#${family}#${svc}`;
    let u = units.get(key);
    if (!u) {
      u = { key: input.scope, family, findings: [], omitted: [], evidence: shared };
      units.set(key, u);
    }
    return u;
  };
  for (const f of worthy) unitFor(f.file, familyOfFinding(f)).findings.push(f);
  for (const o of input.omitted) unitFor(o.file, familyOf(o.systems[0] ?? 'generic')).omitted.push(o);
  // Kernel OOM lines belong to the process they killed when the scope has one other family.
  const kernelKey = `${input.scope}#kernel#kernel`;
  const kernel = units.get(kernelKey);
  const others = [...units.entries()].filter(([k, u]) => k !== kernelKey && u.findings.length > 0);
  if (kernel && others.length === 1) {
    others[0]![1].findings.push(...kernel.findings);
    others[0]![1].omitted.push(...kernel.omitted);
    units.delete(kernelKey);
  }
  // Context lines (which file, which tenant) join the unit of their file or family, never make one.
  for (const f of context) {
    const crash = units.get(f.file);
    const fam = familyOfFinding(f);
    const target = crash ?? [...units.values()].find((u) => u.family === fam && u.findings.length > 0);
    if (target && target.findings.length > 0) target.findings.push(f);
  }
  const incidents: Incident[] = [];
  for (const key of [...units.keys()].sort()) {
    const u = units.get(key)!;
    if (u.findings.length === 0 && !crashFiles.some((c) => c.file === key)) continue;
    const inc = buildIncident(input.scope, u.key, u.family, u.findings, u.omitted, u.evidence);
    if (inc) incidents.push(inc);
  }
  if (incidents.length === 0 && shared.length > 0 && crashFiles.length === 0) {
    const inc = buildIncident(input.scope, input.scope, 'generic', [], [], shared);
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

/** docs/ARCHITECTURE.md order: ENOMEM failures, then limit-low, then other mmap errors; higher confidence, more findings first. */
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
