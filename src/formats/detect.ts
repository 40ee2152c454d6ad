// Format detection by content from a file's first lines: the container wrapper first, then
// hs_err's banner, then the format most of the record-shaped lines fit; 'plain' otherwise.

import type { DetectedFormat, LogFormat } from '../core/index.js';
import { looksLikeHsErr } from './hs-err.js';
import { fitsJavaLine, parseKafkaLine } from './java.js';
import { parseJsonLine } from './json.js';
import { parseLogfmtLine } from './logfmt.js';
import { isContinuationShape } from './shapes.js';
import { detectWrapper, unwrap } from './wrappers.js';

const FITS: ReadonlyArray<readonly [LogFormat, (line: string) => boolean]> = [
  ['kafka-log4j', (l) => parseKafkaLine(l) !== null],
  ['json', (l) => parseJsonLine(l) !== null],
  ['logfmt', (l) => parseLogfmtLine(l) !== null],
  ['java-log', fitsJavaLine],
];

/**
 * Detects wrapper and format from the head of a file. Stack frames, dumps, indented and
 * blank lines do not vote; a format wins when it fits at least half of the other lines
 * (ties go to the more specific format, in the order kafka-log4j, json, logfmt, java-log).
 */
export function detectFormat(head: readonly string[]): DetectedFormat {
  const wrapper = detectWrapper(head);
  const lines = head.map((l) => unwrap(l, wrapper).text);
  if (looksLikeHsErr(lines)) return { format: 'hs-err', wrapper };
  const voters = lines.filter((l) => !isContinuationShape(l));
  let best: LogFormat = 'plain';
  let bestCount = 0;
  for (const [format, fits] of FITS) {
    const count = voters.filter(fits).length;
    if (count > bestCount) {
      best = format;
      bestCount = count;
    }
  }
  return { format: bestCount > 0 && bestCount * 2 >= voters.length ? best : 'plain', wrapper };
}
