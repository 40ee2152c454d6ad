// Test helpers for the format layer: cut a CandidateWindow out of a list of lines the way
// the scanner does (look-back and look-ahead limits, 1-based line numbers).

import type { CandidateWindow } from '../../src/core/index.js';

/** Window around 1-based `hitLine` of `lines`, with up to `back` lines before and `ahead` after. */
export function windowAt(lines: readonly string[], hitLine: number, back = 50, ahead = 50): CandidateWindow {
  const idx = hitLine - 1;
  const hitText = lines[idx];
  if (hitText === undefined) throw new Error(`no line ${hitLine}`);
  const from = Math.max(0, idx - back);
  const to = Math.min(lines.length, idx + 1 + ahead);
  const raw = (i: number) => ({ lineNo: i + 1, text: lines[i] ?? '' });
  return {
    hit: raw(idx),
    before: Array.from({ length: idx - from }, (_, k) => raw(from + k)),
    after: Array.from({ length: to - idx - 1 }, (_, k) => raw(idx + 1 + k)),
    byteOffset: 0,
  };
}
