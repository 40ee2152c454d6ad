// `mapmortem report`: merges the JSON results of several scans (shards, hosts, days) into one
// report: incidents kept whole (ids made unique only on a clash), re-ordered by severity and
// grouped by system and cause; inputs, evidence, problems and statistics concatenated.

import type { Incident, IncidentGroup, Report } from '../core/index.js';
import { sortIncidents } from '../diagnose/incidents.js';

export interface NamedReport {
  readonly file: string;
  readonly report: Report;
}

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

export function mergeReports(parts: readonly NamedReport[], now: Date, version: string): Report {
  const seen = new Map<string, number>();
  const incidents: Incident[] = [];
  for (const { file, report } of parts) {
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
  const sum = (k: keyof Report['stats']): number => parts.reduce((n, p) => n + (p.report.stats?.[k] ?? 0), 0);
  return {
    schemaVersion: 1,
    tool: { name: 'mapmortem', version },
    generatedAt: now.toISOString(),
    roots: parts.flatMap((p) => p.report.roots ?? []),
    verdict: sorted[0]?.cause ?? (parts.every((p) => p.report.verdict === 'nothing-read') ? 'nothing-read' : 'none'),
    incidents: sorted,
    evidence: parts.flatMap((p) => p.report.evidence ?? []).sort(byFile),
    inputs: parts.flatMap((p) => p.report.inputs).sort(byFile),
    problems: parts.flatMap((p) => p.report.problems).sort(byFile),
    stats: {
      files: sum('files'),
      bytes: sum('bytes'),
      lines: sum('lines'),
      candidates: sum('candidates'),
      findings: sum('findings'),
      rules: Math.max(0, ...parts.map((p) => p.report.stats?.rules ?? 0)),
    },
    groups: [...groups.values()] satisfies IncidentGroup[],
    mergedFrom: parts.map((p) => p.file),
  };
}
