// The per-file contract between the scan pipeline and its worker pool: what scanning one
// source needs (SourceOptions) and what it yields (FileOutcome). Apart from scan.ts so the
// pool and the worker import types without importing the pipeline.

import type { ArchiveLimits } from '../io/archive.js';
import type { EvidenceFile, Finding, InputInfo, OmittedFindings, Problem, Rule } from '../core/index.js';

export interface FileOutcome {
  /** For archive members: the archive is the root of their evidence scope. */
  readonly place?: MemberPlace;
  readonly info: InputInfo;
  readonly findings: Finding[];
  readonly omitted: OmittedFindings[];
  readonly evidence: EvidenceFile[];
  readonly problems: Problem[];
  readonly candidates: number;
}

export interface SourceOptions {
  readonly rules: readonly Rule[];
  readonly context: number;
  readonly maxLineBytes: number;
  readonly stdin?: NodeJS.ReadableStream;
  readonly archiveLimits?: ArchiveLimits;
  /** --include / --exclude globs, applied to archive members as to files under directories. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

/** Where an archive member sits, for evidence scopes: the archive is its root. */
export interface MemberPlace {
  readonly root: string;
  readonly unit: string;
}
