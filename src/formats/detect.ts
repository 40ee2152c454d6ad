// Format detection by content from a file's first lines: the container wrapper first, then a
// format that claims the whole file (hs_err's banner), then the format most of the
// record-shaped lines fit; the fallback (plain) otherwise. The formats come from the registry.

import type { DetectedFormat, LogFormat } from '../core/index.js';
import { logFormats } from './registry.js';
import { isContinuationShape } from './shapes.js';
import { detectWrapper, unwrap } from './wrappers.js';

/**
 * Detects wrapper and format from the head of a file. Stack frames, dumps, indented and
 * blank lines do not vote; a format wins when it fits at least half of the other lines
 * (ties go to the earlier format of the registry: kafka-log4j, json, logfmt, java-log).
 */
export function detectFormat(head: readonly string[]): DetectedFormat {
  const wrapper = detectWrapper(head);
  const lines = head.map((l) => unwrap(l, wrapper).text);
  const formats = logFormats();
  const claimed = formats.find((f) => f.claims?.(lines) === true);
  if (claimed) return { format: claimed.name, wrapper };
  const voters = lines.filter((l) => !isContinuationShape(l));
  const fallback: LogFormat = formats.find((f) => f.fallback === true)?.name ?? 'plain';
  let best = fallback;
  let bestCount = 0;
  for (const f of formats) {
    if (!f.fits) continue;
    const count = voters.filter(f.fits).length;
    if (count > bestCount) {
      best = f.name;
      bestCount = count;
    }
  }
  return { format: bestCount > 0 && bestCount * 2 >= voters.length ? best : fallback, wrapper };
}
