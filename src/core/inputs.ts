// The inputs discovery found, and the scopes correlate groups them into, the contract between discover, the pipeline and correlate:
// files, stdin, data directories and archive members, each with the root and first-level
// folder that correlate uses to decide which inputs describe one host.

import type { EvidenceFile } from './facts.js';
import type { Finding, OmittedFindings } from './rules.js';

export interface FileSource {
  readonly kind: 'file';
  /** Absolute path on disk. */
  readonly absPath: string;
  /** Path shown in reports: the root as given joined with the path below it, '/'-separated. */
  readonly display: string;
  /** Evidence scope: files in the same scope are taken to come from the same host/process group. */
  readonly scope: string;
  readonly size: number;
  /** Where the scope may be narrowed to: the root as given, and the root's first-level folder holding this file. */
  readonly root: string;
  readonly unit: string;
  /** Set when the file lies in a capture bundle: that bundle is its scope, whatever else is scanned. */
  readonly bundle?: string;
  /** Device and inode ('dev:ino'): the same file named twice (a path, ./path, a symlink, a hard link) is read once. */
  readonly id: string;
}

export interface StdinSource {
  readonly kind: 'stdin';
  readonly display: '-';
  readonly scope: string;
  readonly root: string;
  readonly unit: string;
}

export interface DirSource {
  readonly kind: 'dir';
  readonly absPath: string;
  readonly display: string;
  readonly scope: string;
  readonly root: string;
  readonly unit: string;
}

/** A member of an archive, known only once the archive is read (the archive is its root). */
export interface MemberSource {
  readonly kind: 'member';
  readonly display: string;
  readonly scope: string;
  readonly root: string;
  readonly unit: string;
}

export type Source = FileSource | StdinSource | DirSource | MemberSource;
/** What the scanner opens: a file on disk or stdin. */
export type ScannableSource = FileSource | StdinSource;

/** Scope shared by files named one by one on the command line and stdin. */
export const COMMAND_LINE_SCOPE = '(command line)';

/** What correlate hands to diagnose: the inputs of one host (scope) and what they yielded. */
export interface ScopeInput {
  readonly scope: string;
  /** Listed findings of the scope. */
  readonly findings: readonly Finding[];
  /** Findings counted but not listed (caps), per file and rule. */
  readonly omitted: readonly OmittedFindings[];
  readonly evidence: readonly EvidenceFile[];
}
