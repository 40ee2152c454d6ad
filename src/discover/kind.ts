// What one input is, decided once from its name and first bytes (discovery's job, not the
// pipeline's): an archive (its members are inputs of their own), one of mapmortem's own reports,
// a process's cmdline, binary, a JVM crash file, an evidence file, a log that states its limits, or
// a log. Pure: the pipeline opens, decodes and reads; this only classifies what it was handed.

import type { DetectedFormat, EvidenceKind } from '../core/index.js';
import { detectEvidence } from '../evidence/index.js';
import { detectFormat } from '../formats/index.js';
import { detectArchive, type ArchiveKind } from '../io/archive.js';
import { looksBinary } from '../io/sniff.js';
import { ownReportFormat, type OwnReportFormat } from './own-report.js';

/** Lines of a file's head that detection reads (the scanner is handed the same lines, so format detection runs once per file). */
export const HEAD_LINES = 64;
const HEAD_BYTES = 256 * 1024;

/** Decided before any decoding, from the raw first bytes. */
export type RawInputKind =
  | { readonly kind: 'archive'; readonly archive: ArchiveKind }
  | { readonly kind: 'own-report'; readonly format: OwnReportFormat }
  /** /proc/<pid>/cmdline of a capture bundle: NUL-separated arguments, not a binary log. */
  | { readonly kind: 'cmdline' }
  | { readonly kind: 'text' };

/** Decided from the first bytes as text (after UTF-16 and leading NULs are dealt with). */
export type TextInputKind =
  | { readonly kind: 'binary'; readonly reason: string }
  /** hs_err: its facts are evidence and its lines are matched by the rules. */
  | { readonly kind: 'crash'; readonly head: readonly string[]; readonly detected: DetectedFormat }
  | { readonly kind: 'evidence'; readonly evidence: EvidenceKind; readonly head: readonly string[]; readonly detected: DetectedFormat }
  /** A server log whose startup lines state its rlimits: evidence from the head, rules over all of it. */
  | { readonly kind: 'log-with-limits'; readonly evidence: EvidenceKind; readonly head: readonly string[]; readonly detected: DetectedFormat }
  | { readonly kind: 'log'; readonly head: readonly string[]; readonly detected: DetectedFormat };

/** The first whole lines of a chunk (a cut last line is dropped), without CR. */
export function headLines(buf: Buffer): string[] {
  const text = buf.subarray(0, Math.min(buf.length, HEAD_BYTES)).toString('utf8');
  const lines = text.split('\n').slice(0, HEAD_LINES);
  if (buf.length > HEAD_BYTES || !text.endsWith('\n')) lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

/**
 * The kind of an input from its base name and raw first chunk. `archives` is false where an
 * archive is not expanded (a member nested deeper than the reader goes is read as its bytes).
 */
export function rawInputKind(baseName: string, first: Buffer, opts: { readonly archives: boolean }): RawInputKind {
  if (opts.archives) {
    const archive = detectArchive(first.subarray(0, 4096), baseName);
    if (archive) return { kind: 'archive', archive };
  }
  const own = ownReportFormat(first);
  if (own) return { kind: 'own-report', format: own };
  if (baseName === 'cmdline') return { kind: 'cmdline' };
  return { kind: 'text' };
}

/** The kind of a text input from its base name and (decoded) first chunk. */
export function textInputKind(baseName: string, first: Buffer): TextInputKind {
  const binary = looksBinary(first.subarray(0, 8192));
  if (binary) return { kind: 'binary', reason: binary };
  const head = headLines(first);
  const detected = detectFormat(head);
  if (detected.format === 'hs-err') return { kind: 'crash', head, detected };
  // A JVM's stdout quotes the hs_err banner; only a file the format layer calls hs-err is a crash file.
  const evidence = detectEvidence(head, baseName);
  if (evidence === null || evidence === 'hs-err') return { kind: 'log', head, detected };
  if (evidence === 'prometheus-startup') return { kind: 'log-with-limits', evidence, head, detected };
  return { kind: 'evidence', evidence, head, detected };
}
