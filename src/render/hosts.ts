// Where an incident happened, for the incidents table of a many-host scan: the directory (host,
// bundle, folder) its key names, and the count of incidents per cause for the verdict line.

import path from 'node:path';
import type { Cause, Incident } from '../core/index.js';
import { CAUSES } from '../core/index.js';

/** The host directory of an incident: its key, or the directory of its crash file. */
export function incidentHost(inc: Incident): string {
  const key = inc.id.slice(inc.id.indexOf(':') + 1);
  const isFile = inc.findings.some((f) => f.file === key) || inc.evidence.some((e) => e.file === key);
  return isFile ? path.posix.dirname(key) : key;
}

/** Incidents per cause, most first, ties in the vocabulary's order. */
export function causeCounts(incidents: readonly Incident[]): [Cause, number][] {
  const counts = new Map<Cause, number>();
  for (const i of incidents) counts.set(i.cause, (counts.get(i.cause) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || CAUSES.indexOf(a[0]) - CAUSES.indexOf(b[0]));
}
