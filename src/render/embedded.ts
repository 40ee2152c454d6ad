// The JSON result embedded in the HTML report: serialised like `--format json`, with `<`, `>`,
// `&`, U+2028 and U+2029 escaped so no log text can close the <script> data block, and read
// back from a report file so `mapmortem report report.html` can turn it into data again.

import { TEXT_FACT_KEYS, type Report } from '../core/index.js';
import { renderJson } from './json.js';

export const EMBEDDED_ID = 'mapmortem-data';

/** The report as JSON safe to place between <script type="application/json"> tags. */
export function embedJson(report: Report): string {
  return renderJson(report)
    .trimEnd()
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const TEXT_KEYS: ReadonlySet<string> = new Set(TEXT_FACT_KEYS);

/** JSON writes unlimited limits as "unlimited"; numeric facts get their Infinity back. */
function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (o.value === 'unlimited' && typeof o.key === 'string' && 'source' in o && !TEXT_KEYS.has(o.key)) return { ...o, value: Infinity };
    // An incident's used numbers (numbers.facts, mapLimit, overruled values) carry an origin instead of a key.
    if (o.value === 'unlimited' && typeof o.origin === 'string') return { ...o, value: Infinity };
  }
  return value;
}

function isReport(v: unknown): v is Report {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  const tool = o.tool as Record<string, unknown> | undefined;
  return o.schemaVersion === 1 && !!tool && tool.name === 'mapmortem' && Array.isArray(o.incidents) && Array.isArray(o.inputs);
}

/** The Report embedded in a mapmortem HTML report, or null when the file carries none (or a broken one). */
export function extractEmbeddedReport(html: string): Report | null {
  const re = new RegExp(`<script\\b[^>]*\\bid=["']?${EMBEDDED_ID}["']?[^>]*>([\\s\\S]*?)</script>`, 'i');
  const m = re.exec(html);
  if (!m || m[1] === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(m[1], revive);
    return isReport(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
