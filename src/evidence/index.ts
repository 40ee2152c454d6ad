// The evidence stage's entry: tell which kind of evidence a file is from its first lines (the
// content decides; the file name only breaks ties for bare numbers such as /proc/sys or cgroup
// files), and parse it into facts that each name their file and 1-based line.

import type { EvidenceFile, EvidenceKind, Fact, Problem } from '../core/index.js';
import { detectCgroup, parseCgroup } from './cgroup.js';
import { detectListing, parseListing } from './datadir.js';
import { detectHsErr, parseHsErr } from './hserr.js';
import { detectLimits, parseLimits } from './limits.js';
import { detectMaps, isMapsCountName, parseMaps } from './maps.js';
import { detectMeminfo, parseMeminfo } from './meminfo.js';
import { detectPrometheusStartup, parsePrometheusStartup } from './prometheus.js';
import { detectStatus, parseStatus } from './status.js';
import { detectSysctl, parseSysctl } from './sysctl.js';
import { meaningful } from './util.js';
import { detectCaptureManifest, parseCaptureManifest } from './bundle.js';

export { parseCmdline } from './bundle.js';

export { detectHsErr, parseHsErr } from './hserr.js';

/** What kind of evidence a file is, from its first lines (and its name for bare values), or null. */
export function detectEvidence(head: readonly string[], name: string): EvidenceKind | null {
  const lines = meaningful(head);
  if (lines.length === 0) return null;
  if (detectHsErr(head)) return 'hs-err';
  if (detectCaptureManifest(head, name)) return 'capture-manifest';
  // Bare single values: the name says what they are.
  if (lines.length === 1 && /^(\d+|max|-1)$/.test(lines[0] ?? '')) {
    if (detectCgroup(head, name)) return 'cgroup';
    if (detectSysctl(head, name)) return 'sysctl';
    if (/^\d+$/.test(lines[0] ?? '') && isMapsCountName(name)) return 'maps-count';
    return null;
  }
  const maps = detectMaps(head);
  if (maps !== null) return maps === 'pmap-x' || maps === 'pmap-X' ? 'pmap' : maps;
  const listing = detectListing(head);
  if (listing !== null) return listing;
  if (detectLimits(head)) return 'limits';
  if (detectStatus(head)) return 'status';
  if (detectMeminfo(head)) return 'meminfo';
  if (detectCgroup(head, name)) return 'cgroup';
  if (detectSysctl(head, name)) return 'sysctl';
  if (detectPrometheusStartup(head)) return 'prometheus-startup';
  return null;
}

const WHAT: Partial<Record<EvidenceKind, string>> = {
  sysctl: 'sysctl settings',
  meminfo: '/proc/meminfo or free output',
  limits: '/proc/<pid>/limits or ulimit -a output',
  status: '/proc/<pid>/status',
  cgroup: 'a cgroup file',
  'prometheus-startup': 'a Prometheus startup log',
};

function simple(kind: EvidenceKind, file: string, facts: Fact[]): { evidence: EvidenceFile; problems: Problem[] } {
  const problems: Problem[] =
    facts.length === 0
      ? [{ code: 'evidence-unparsed', file, args: { what: WHAT[kind] ?? kind, reason: 'no value this tool reads was found' } }]
      : [];
  return { evidence: { file, kind, facts }, problems };
}

/** Parses one evidence file of a known kind. Data problems come back as values; nothing throws on bad input. */
export function parseEvidence(kind: EvidenceKind, file: string, lines: readonly string[]): { evidence: EvidenceFile; problems: Problem[] } {
  switch (kind) {
    case 'maps':
    case 'smaps':
    case 'pmap':
    case 'maps-count': {
      const parsed = parseMaps(file, lines);
      return { evidence: { file, kind, facts: parsed.facts, maps: parsed.breakdown }, problems: parsed.problems };
    }
    case 'kafka-log-dir':
    case 'tsdb-dir':
      return { evidence: parseListing(file, lines), problems: [] };
    case 'hs-err': {
      const parsed = parseHsErr(file, lines);
      const evidence: EvidenceFile =
        parsed.maps === undefined ? { file, kind, facts: parsed.facts } : { file, kind, facts: parsed.facts, maps: parsed.maps };
      return { evidence, problems: parsed.problems };
    }
    case 'sysctl':
      return simple(kind, file, parseSysctl(file, lines));
    case 'meminfo':
      return simple(kind, file, parseMeminfo(file, lines));
    case 'limits':
      return simple(kind, file, parseLimits(file, lines));
    case 'status':
      return simple(kind, file, parseStatus(file, lines));
    case 'cgroup':
      return simple(kind, file, parseCgroup(file, lines));
    case 'prometheus-startup':
      return simple(kind, file, parsePrometheusStartup(file, lines));
    case 'capture-manifest':
      return { evidence: parseCaptureManifest(file, lines), problems: [] };
    case 'embedded':
      throw new Error('embedded evidence is harvested from a log, never detected as a file kind');
  }
}
