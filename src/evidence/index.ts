// The evidence stage's entry: tell which kind of evidence a file is from its first lines (the
// content decides; the file name only breaks ties for bare numbers such as /proc/sys or cgroup
// files), and parse it into facts that each name their file and 1-based line. The parsers
// and their order live in registry.ts.

import type { EvidenceKind } from '../core/index.js';
import type { ParsedEvidence } from './parser.js';
import { evidenceParsers, parserFor } from './registry.js';
import { meaningful } from './util.js';

export { parseCmdline } from './bundle.js';
export { detectHsErr, parseHsErr } from './hserr.js';
export { evidenceParsers, parserFor, registerEvidenceParser } from './registry.js';
export type { EvidenceParserDef, EvidenceSample, ParsedEvidence } from './parser.js';

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
  return parser.parse(kind, file, lines);
}
