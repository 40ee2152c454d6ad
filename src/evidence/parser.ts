// The interface every evidence parser implements (listed in registry.ts): which kinds it
// reads, how a file is recognised from its first lines and name, how it parses into facts,
// the facts it may yield and its samples.

import type { EvidenceFile, EvidenceKind, Fact, Problem } from '../core/index.js';

export interface ParsedEvidence {
  readonly evidence: EvidenceFile;
  readonly problems: Problem[];
}

/** A file the parser reads, the kind it must be recognised as and facts it must yield. */
export interface EvidenceSample {
  /** The file's path (some kinds are recognised by name: /proc/sys/vm/max_map_count). */
  readonly name: string;
  readonly lines: readonly string[];
  readonly kind: EvidenceKind;
  /** Facts expected among what it yields (only these keys are compared). */
  readonly facts: Readonly<Partial<Record<Fact['key'], number | string | true>>>;
}

export interface EvidenceParserDef {
  readonly name: string;
  readonly kinds: readonly EvidenceKind[];
  /** The evidence in words, for `evidence-unparsed` ("/proc/<pid>/limits or ulimit -a output"). */
  readonly description: string;
  /** The kind a file is from its head (raw first lines) and its name, or null. */
  readonly detect: (head: readonly string[], name: string) => EvidenceKind | null;
  /** For a file holding one bare value (a number, `max`, `-1`): only the name can say what it is. */
  readonly detectBare?: (value: string, name: string) => EvidenceKind | null;
  /** Whole-file parse; data problems come back as values. */
  readonly parse: (kind: EvidenceKind, file: string, lines: readonly string[]) => ParsedEvidence;
  readonly facts: readonly Fact['key'][];
  readonly samples: readonly EvidenceSample[];
}

/** A parser that yields facts only: no facts at all is reported as `evidence-unparsed`. */
export function factsOnly(kind: EvidenceKind, file: string, facts: Fact[], what: string): ParsedEvidence {
  const problems: Problem[] = facts.length === 0 ? [{ code: 'evidence-unparsed', file, args: { what, reason: 'no value this tool reads was found' } }] : [];
  return { evidence: { file, kind, facts }, problems };
}
