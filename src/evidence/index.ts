// The evidence stage's entry: tell which kind of evidence a file is from its first lines (the
// content decides; the file name only breaks ties for bare numbers such as /proc/sys or cgroup
// files), and parse it into facts that each name their file and 1-based line. The parsers
// and their order live in registry.ts.

import type { EvidenceFile, EvidenceKind } from '../core/index.js';
import type { ParsedEvidence } from './parser.js';
import { evidenceParsers, parserFor } from './registry.js';
import { meaningful } from './util.js';
import { harvestEmbedded } from './embedded.js';

export { parseCmdline } from './bundle.js';
export { detectHsErr, parseHsErr } from './hserr.js';
export { evidenceParsers, parserFor, registerEvidenceParser } from './registry.js';
export type { EvidenceParserDef, EvidenceSample, ParsedEvidence } from './parser.js';
export { GATE_LITERALS, HARVEST_MAX_BYTES } from './embedded.js';

/**
 * Evidence embedded in a log or pasted text (the whole file, or its head when `cut`), as an
 * 'embedded' evidence file, or undefined when there is none. Keys in `skip` were already read
 * by the file's own parser (a meminfo file harvested again would repeat its facts). `gated[i]` is 1
 * when line i holds one of GATE_LITERALS (found by the caller's byte search), else 0.
 */
export function harvestEvidence(file: string, lines: readonly string[], skip: ReadonlySet<string> = new Set(), gated?: ArrayLike<number>): EvidenceFile | undefined {
  const facts = harvestEmbedded(file, lines, 1, gated).filter((f) => !skip.has(f.key));
  return facts.length > 0 ? { file, kind: 'embedded', facts } : undefined;
}

/** Evidence kinds whose files hold nothing but their own table: not harvested again. */
const NOT_HARVESTED: ReadonlySet<EvidenceKind> = new Set(['maps', 'smaps', 'pmap', 'maps-count', 'hs-err', 'kafka-log-dir', 'tsdb-dir', 'capture-manifest', 'cgroup', 'kube-pod']);

export function harvestsKind(kind: EvidenceKind, lines: readonly string[] = []): boolean {
  return !NOT_HARVESTED.has(kind) || ((kind === 'maps' || kind === 'maps-count') && isExcerptInText(lines));
}

const MAPS_ROW = /^\s*[0-9a-f]+-[0-9a-f]+\s+[r-][w-][x-][psS-]\s/;

/** A maps file with sentences around its lines (a ticket, an issue) rather than a captured /proc/<pid>/maps. */
export function isExcerptInText(lines: readonly string[]): boolean {
  let prose = 0;
  for (const l of lines) {
    const t = l.trim();
    if (t === '' || MAPS_ROW.test(t) || /^[A-Z][A-Za-z_]+:\s+\d/.test(t)) continue;
    if (/[a-z]{3,}\s+[a-z]{2,}/i.test(t)) prose++;
    if (prose >= 2) return true;
  }
  return false;
}

/** What kind of evidence a file is, from its first lines (and its name for bare values), or null. */
export function detectEvidence(head: readonly string[], name: string): EvidenceKind | null {
  const lines = meaningful(head);
  if (lines.length === 0) return null;
  const parsers = evidenceParsers();
  const only = lines[0] ?? '';
  // Bare single values: the name says what they are.
  if (lines.length === 1 && /^(\d+|max|-1)$/.test(only)) {
    for (const p of parsers) {
      const kind = p.detectBare?.(only, name) ?? null;
      if (kind !== null) return kind;
    }
    return null;
  }
  for (const p of parsers) {
    const kind = p.detect(head, name);
    if (kind !== null) return kind;
  }
  return null;
}

/** Parses one evidence file of a known kind. Data problems come back as values; nothing throws on bad input. */
export function parseEvidence(kind: EvidenceKind, file: string, lines: readonly string[]): ParsedEvidence {
  const parser = parserFor(kind);
  if (!parser) throw new Error(`no evidence parser reads ${kind}`);
  const parsed = parser.parse(kind, file, lines);
  if (kind === 'maps' && isExcerptInText(lines)) {
    // Maps lines pasted among sentences: an excerpt, so its count is a lower bound of the process's.
    const e = parsed.evidence;
    const facts = e.facts.map((f) => (f.key === 'map-count' ? { ...f, complete: false, origin: 'transcript' as const, method: 'maps excerpt in a text (at least this many)' } : f));
    return { evidence: { ...e, facts, ...(e.maps ? { maps: { ...e.maps, complete: false } } : {}) }, problems: [] };
  }
  return parsed;
}
