// logfmt lines (go-kit log, slog's TextHandler): Prometheus 2.x / Cortex / Mimir / Loki
// `level=error ts=… caller=… msg="…" err="…"` and Prometheus 3.x `time=… level=ERROR
// source=… msg=…`, in any key order, with quoted values and backslash escapes.

import { makeEvent, type LogFormatDef, type ParsedEvent } from './events.js';
import { parseTimeValue } from '../core/time.js';
import { normaliseLevel } from './shapes.js';
import { parsePlainLine } from './plain.js';

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

/** Key/value pairs of a logfmt line in order; null when the line is not logfmt-shaped. */
export function parseLogfmtPairs(line: string): Array<[string, string]> | null {
  const pairs: Array<[string, string]> = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && line[i] !== '=' && line[i] !== ' ' && line[i] !== '"') i++;
    const key = line.slice(keyStart, i);
    if (key === '' || line[i] !== '=') {
      if (pairs.length === 0) return null;
      // a bare word after valid pairs: tolerate it as a key without value
      while (i < n && line[i] !== ' ') i++;
      pairs.push([key, '']);
      continue;
    }
    i++; // '='
    if (line[i] === '"') {
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        const c = line[i] ?? '';
        if (c === '\\' && i + 1 < n) {
          const next = line[i + 1] ?? '';
          value += ESCAPES[next] ?? next;
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed && pairs.length === 0) return null;
      pairs.push([key, value]);
    } else {
      const valueStart = i;
      while (i < n && line[i] !== ' ') i++;
      pairs.push([key, line.slice(valueStart, i)]);
    }
  }
  return pairs.length > 0 ? pairs : null;
}

const TIME_KEYS = ['ts', 'time', 't', 'timestamp'];
const LEVEL_KEYS = ['level', 'lvl', 'severity'];
const LOGGER_KEYS = ['caller', 'source', 'component', 'logger'];
const MESSAGE_KEYS = ['msg', 'message'];
const KNOWN = new Set([...TIME_KEYS, ...LEVEL_KEYS, ...MESSAGE_KEYS]);

function first(map: ReadonlyMap<string, string>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = map.get(k);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A logfmt record start: at least two pairs, one of them a time, level or msg key. */
export function parseLogfmtLine(text: string): ParsedEvent | null {
  if (!/^[A-Za-z_][\w.\-/]*=/.test(text)) return null;
  const pairs = parseLogfmtPairs(text);
  if (pairs === null || pairs.length < 2) return null;
  const map = new Map<string, string>();
  for (const [k, v] of pairs) if (!map.has(k)) map.set(k, v);
  if (!pairs.some(([k]) => KNOWN.has(k))) return null;
  const rawTime = first(map, TIME_KEYS);
  const level = first(map, LEVEL_KEYS);
  return makeEvent(
    first(map, MESSAGE_KEYS) ?? '',
    rawTime === undefined ? undefined : parseTimeValue(rawTime),
    level === undefined ? undefined : normaliseLevel(level),
    first(map, LOGGER_KEYS),
  );
}

export const logfmtFormat: LogFormatDef = {
  name: 'logfmt',
  description: 'logfmt (go-kit, slog TextHandler): Prometheus, Cortex, Mimir, Loki',
  fits: (l) => parseLogfmtLine(l) !== null,
  parse: (l) => parseLogfmtLine(l) ?? parsePlainLine(l),
  samples: [
    {
      lines: ['level=error ts=2024-05-01T12:00:00.000Z caller=head.go:123 msg="mmap failed" err="cannot allocate memory"'],
      event: { level: 'ERROR', logger: 'head.go:123', message: 'mmap failed' },
    },
  ],
};
