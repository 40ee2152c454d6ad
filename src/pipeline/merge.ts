// `mapmortem report`: merges the JSON results of several scans (shards, hosts, days) into one
// report. Every shard of one `scan --shard` run merges into the very report one scan would have
// written; other sets keep incidents whole (ids made unique only on a clash), grouped by system
// and cause. An input in two results (same name, same SHA-256) is counted once.

import type { Incident, IncidentGroup, Problem, Report } from '../core/index.js';
import { formatProblem, nothingRead, problemSeverity } from '../core/index.js';
import { sortIncidents } from '../diagnose/incidents.js';
import { mergeRuleNotes } from '../rules/notes.js';

export interface NamedReport {
  readonly file: string;
  readonly report: Report;
}

export interface MergeResult {
  readonly report: Report;
  /** What the merge did that the user should know (a duplicate dropped, the shards it joined). */
  readonly notes: readonly string[];
}

/** Results that cannot be merged without counting something twice or choosing between them. */
export class MergeRefused extends Error {}

/** Check that a parsed JSON value is a mapmortem result; returns the reason when it is not. */
export function validateResult(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return 'not a JSON object';
  const v = value as Partial<Report>;
  if (v.tool?.name !== 'mapmortem') return 'not a mapmortem result (tool.name is not "mapmortem")';
  if (v.schemaVersion !== 1) return `schemaVersion ${String(v.schemaVersion)} is not supported (expected 1)`;
  if (!Array.isArray(v.incidents) || !Array.isArray(v.inputs) || !Array.isArray(v.problems)) return 'incidents, inputs or problems missing';
  return undefined;
}

function byFile<T extends { file: string }>(a: T, b: T): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/** As a single scan orders its problems: by file, then line; ties keep their order. */
function cmpProblem(a: Problem, b: Problem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0);
}

const inputKey = (i: { file: string; sha256: string }): string => `${i.file}\u0000${i.sha256}`;

/** The logs an incident's findings come from (listed and unlisted). */
function logFiles(inc: Incident): Set<string> {
  return new Set([...inc.findings.map((f) => f.file), ...(inc.unlisted?.files ?? [])]);
}

/** The report without the fields a run stamps on it (generatedAt), to tell a re-sent shard from a different one. */
function sameResult(a: Report, b: Report): boolean {
  return JSON.stringify({ ...a, generatedAt: '' }) === JSON.stringify({ ...b, generatedAt: '' });
}

interface Kept {
  readonly file: string;
  readonly report: Report;
}

/**
 * Drops what an earlier result already counted. An input is identified by its name and SHA-256
 * (the same bytes under another name are another input, as in a single scan): a result whose
 * every input came earlier is dropped whole, an incident whose every log came earlier is dropped,
 * and an incident that mixes counted and new logs is refused (it cannot be split without a rescan).
 */
function withoutOverlap(parts: readonly NamedReport[], notes: string[]): Kept[] {
  const seen = new Map<string, string>();
  const kept: Kept[] = [];
  const shardSeen = new Map<string, NamedReport>();
  for (const part of parts) {
    const { file, report } = part;
    const sh = report.shard;
    if (sh) {
      const id = `${sh.plan}/${sh.index}`;
      const had = shardSeen.get(id);
      if (had) {
        if (!sameResult(had.report, report)) {
          throw new MergeRefused(`${had.file} and ${file} are both shard ${sh.index}/${sh.count} of plan ${sh.plan} with different results: keep one of them (the later run)`);
        }
        notes.push(`${file}: the same shard ${sh.index}/${sh.count} as ${had.file}; counted once`);
        continue;
      }
      shardSeen.set(id, part);
    }
    const dup = report.inputs.filter((i) => seen.has(inputKey(i)));
    if (report.inputs.length > 0 && dup.length === report.inputs.length) {
      notes.push(`${file}: every input (${dup.length}) is already in ${seen.get(inputKey(dup[0]!))!}; counted once`);
      continue;
    }
    if (dup.length === 0) {
      kept.push(part);
      for (const i of report.inputs) seen.set(inputKey(i), file);
      continue;
    }
    const dupNames = new Set(dup.map((i) => i.file));
    const incidents: Incident[] = [];
    let droppedFindings = 0;
    for (const inc of report.incidents) {
      const logs = logFiles(inc);
      const shared = [...logs].filter((f) => dupNames.has(f));
      if (shared.length === 0 || logs.size === 0) {
        incidents.push(inc);
        continue;
      }
      if (shared.length < logs.size) {
        const other = seen.get(inputKey(dup.find((i) => i.file === shared[0])!))!;
        throw new MergeRefused(
          `${file}: incident ${inc.id} draws on ${shared[0]!}, already counted from ${other}, and on logs ${other} does not have; ` +
            'it cannot be counted once without a rescan: merge the shards of one `scan --shard` run, or scan these inputs together',
        );
      }
      droppedFindings += inc.count;
    }
    notes.push(`${file}: ${dup.length} of its ${report.inputs.length} inputs are already in earlier results; counted once`);
    kept.push({
      file,
      report: {
        ...report,
        incidents,
        inputs: report.inputs.filter((i) => !seen.has(inputKey(i))),
        evidence: report.evidence.filter((e) => !dupNames.has(e.file)),
        problems: report.problems.filter((p) => !dupNames.has(p.file)),
        stats: { ...report.stats, findings: Math.max(0, report.stats.findings - droppedFindings) },
      },
    });
    for (const i of report.inputs) if (!seen.has(inputKey(i))) seen.set(inputKey(i), file);
  }
  return kept;
}

/** The shard set the results form: complete (every index of one plan once), or what is missing or mixed. */
function shardSet(kept: readonly Kept[]): { complete: boolean; problems: Problem[] } {
  const shards = kept.filter((k) => k.report.shard);
  if (shards.length === 0) return { complete: false, problems: [] };
  const plans = [...new Set(shards.map((k) => `${k.report.shard!.plan} (${k.report.shard!.count} shards)`))].sort();
  const where = shards[0]!.file;
  if (plans.length > 1) return { complete: false, problems: [{ code: 'shard-plans-differ', file: where, args: { plans: plans.join(', ') } }] };
  const count = shards[0]!.report.shard!.count;
  const have = new Set(shards.map((k) => k.report.shard!.index));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(i));
  const problems: Problem[] = missing.length > 0 ? [{ code: 'shards-missing', file: where, args: { missing: missing.map((i) => `${i}/${count}`).join(', ') } }] : [];
  return { complete: missing.length === 0 && shards.length === kept.length, problems };
}

/** Problems of one scan repeated by each of its shards (discovery's: a missing path, an unreadable folder) are listed once. */
function dedupeProblems(problems: readonly Report['problems'][number][], collapse: boolean): Report['problems'][number][] {
  if (!collapse) return [...problems];
  const seen = new Set<string>();
  return problems.filter((p) => {
    if (seen.has(p.message)) return false;
    seen.add(p.message);
    return true;
  });
}

export function mergeReports(parts: readonly NamedReport[], now: Date, version: string): MergeResult {
  const notes: string[] = [];
  const kept = withoutOverlap(parts, notes);
  const set = shardSet(kept);
  const sum = (k: keyof Report['stats']): number => kept.reduce((n, p) => n + (p.report.stats?.[k] ?? 0), 0);
  const inputs = kept.flatMap((p) => p.report.inputs).sort(byFile);
  const stats = {
    files: inputs.length,
    bytes: inputs.reduce((n, i) => n + i.bytes, 0),
    lines: inputs.reduce((n, i) => n + i.lines, 0),
    candidates: sum('candidates'),
    findings: sum('findings'),
    rules: Math.max(0, ...kept.map((p) => p.report.stats?.rules ?? 0)),
  };
  const roots = [...new Set(kept.flatMap((p) => p.report.roots ?? []))];
  const evidence = kept.flatMap((p) => p.report.evidence ?? []).sort(byFile);
  const samePlan = kept.length > 0 && kept.every((k) => k.report.shard) && new Set(kept.map((k) => k.report.shard!.plan)).size === 1;
  const extra = set.problems.map((p) => ({ ...p, message: formatProblem(p), severity: problemSeverity(p.code) }));
  const problems = dedupeProblems([...kept.flatMap((p) => p.report.problems), ...extra].sort(cmpProblem), samePlan);
  if (set.complete) {
    // Every shard of one scan: the report that scan would have written, field for field.
    const incidents = sortIncidents(kept.flatMap((k) => k.report.incidents));
    const count = kept[0]!.report.shard!.count;
    notes.push(`merged all ${count} shards of plan ${kept[0]!.report.shard!.plan}: the report of one scan over every input`);
    const rules = mergeRuleNotes(
      kept.map((k) => k.report.rules),
      incidents,
    );
    return { notes, report: reportOf({ version, now, roots, incidents, evidence, inputs, problems, stats, rules }) };
  }
  const seen = new Map<string, number>();
  const incidents: Incident[] = [];
  for (const { file, report } of kept) {
    for (const inc of report.incidents) {
      const n = seen.get(inc.id) ?? 0;
      seen.set(inc.id, n + 1);
      incidents.push(n === 0 ? inc : { ...inc, id: `${inc.id}@${file}` });
    }
  }
  const sorted = sortIncidents(incidents);
  const groups = new Map<string, { system: Incident['system']; cause: Incident['cause']; incidents: string[]; findings: number }>();
  for (const inc of sorted) {
    const key = `${inc.system}\u0000${inc.cause}`;
    const g = groups.get(key) ?? { system: inc.system, cause: inc.cause, incidents: [], findings: 0 };
    g.incidents.push(inc.id);
    g.findings += inc.count;
    groups.set(key, g);
  }
  const rules = mergeRuleNotes(
    kept.map((k) => k.report.rules),
    sorted,
  );
  const report = reportOf({ version, now, roots, incidents: sorted, evidence, inputs, problems, stats, rules });
  return { notes, report: { ...report, groups: [...groups.values()] satisfies IncidentGroup[], mergedFrom: kept.map((p) => p.file) } };
}

/** A merged report's common fields, its verdict the first (sorted) incident's cause. */
function reportOf(r: Pick<Report, 'roots' | 'incidents' | 'evidence' | 'inputs' | 'problems' | 'stats' | 'rules'> & { readonly version: string; readonly now: Date }): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'mapmortem', version: r.version },
    generatedAt: r.now.toISOString(),
    roots: r.roots,
    verdict: r.incidents[0]?.cause ?? (nothingRead(r.inputs) ? 'nothing-read' : 'none'),
    incidents: r.incidents,
    evidence: r.evidence,
    inputs: r.inputs,
    problems: r.problems,
    stats: r.stats,
    rules: r.rules ?? [],
  };
}
