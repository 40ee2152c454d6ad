// The per-file contract between the scan pipeline and its worker pool: what scanning one
// source needs (SourceOptions) and what it yields (FileOutcome), and the same for one byte-range
// part of a big file (PartTask, PartResult). Apart from scan.ts so the pool and the worker
// import types without importing the pipeline.

import type { ArchiveLimits } from '../io/archive.js';
import type { DetectedFormat, EvidenceFile, Finding, InputInfo, OmittedFindings, Problem, Rule } from '../core/index.js';

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

/** What scanning one log stream found (pipeline/log.ts). */
export interface LogScanResult {
  findings: Finding[];
  omitted: FileOutcome['omitted'];
  problems: Problem[];
  lines: number;
  candidates: number;
  format: string;
  wrapper: string;
  /** A part with a markAt: the number of the line at the mark (the next part's first line). */
  markLine?: number;
}

/** One part as a worker scans it: the file from `start`, the first `marginLines` lines only as look-behind. */
export interface PartTask {
  readonly absPath: string;
  readonly display: string;
  /** Byte offset the part's stream starts at (its margin's first line). */
  readonly start: number;
  readonly marginLines: number;
  /** Offset in the part's stream of the next part's first line; none for the last part. */
  readonly markAt?: number;
  /** Part 0: the opener's head lines and detection (one detection per file). */
  readonly known?: { readonly head: readonly string[]; readonly detected: DetectedFormat };
  /** Other parts: the format the file's head was detected as. */
  readonly detected?: DetectedFormat;
}

/** What a part found (line numbers counted from its stream's start), or why a single pass must redo the file. */
export type PartResult = { readonly log: LogScanResult } | { readonly redo: string };
