// JSON-lines logs (zap, logrus, slog JSONHandler, ECS/Elasticsearch 8, logstash encoders):
// time, level, logger and message from the usual field names, and the text the rules match:
// message, then `: error`, then the stack trace on the following lines.

import { makeEvent, type LogFormatDef, type ParsedEvent } from './events.js';
import { parseTimeValue } from '../core/time.js';
import { normaliseLevel } from './shapes.js';
import { parsePlainLine } from './plain.js';

type Obj = Readonly<Record<string, unknown>>;

function parseObject(text: string): Obj | null {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null;
  } catch {
    return null;
  }
}

/** A field by flat name (`log.level`) or by nested path (`log` → `level`). */
function field(obj: Obj, name: string): unknown {
  if (name in obj) return obj[name];
  let cur: unknown = obj;
  for (const part of name.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Obj)[part];
  }
  return cur;
}

function firstString(obj: Obj, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = field(obj, n);
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return undefined;
}

const TIME_KEYS = ['@timestamp', 'timestamp', 'time', 'ts', 't'];
const LEVEL_KEYS = ['level', 'log.level', 'severity', 'lvl', 'levelname', 'loglevel'];
const LOGGER_KEYS = ['logger', 'log.logger', 'logger_name', 'loggerName', 'caller', 'source', 'component', 'name'];
const MESSAGE_KEYS = ['msg', 'message', 'log.message'];
const ERROR_KEYS = ['err', 'error.message', 'error', 'exception.message', 'error_message'];
const STACK_KEYS = ['stack_trace', 'error.stack_trace', 'stacktrace', 'stack', 'exception', 'exception.stacktrace', 'error.stack', 'exception.stack_trace'];

function timeOf(obj: Obj): ParsedEvent['time'] {
  for (const k of TIME_KEYS) {
    const v = field(obj, k);
    if (v !== undefined) {
      const t = parseTimeValue(v);
      if (t !== undefined) return t;
    }
  }
  return undefined;
}

function hasAny(obj: Obj, names: readonly string[]): boolean {
  return names.some((n) => field(obj, n) !== undefined);
}

/** A JSON object line with at least a time, level or message field. */
export function parseJsonLine(text: string): ParsedEvent | null {
  const obj = parseObject(text);
  if (obj === null) return null;
  if (!hasAny(obj, TIME_KEYS) && !hasAny(obj, LEVEL_KEYS) && !hasAny(obj, MESSAGE_KEYS)) return null;
  const level = firstString(obj, LEVEL_KEYS);
  return makeEvent(firstString(obj, MESSAGE_KEYS) ?? '', timeOf(obj), level === undefined ? undefined : normaliseLevel(level), firstString(obj, LOGGER_KEYS));
}

/**
 * The text rules match for a JSON line: message + (error ? ': ' + error : '') + (MongoDB's
 * structured `attr` object, compact, where the numbers of its messages are) +
 * (stack ? '\n' + stack : ''). Lines that are not JSON objects are returned unchanged.
 */
export function jsonRuleText(text: string): string {
  const obj = parseObject(text);
  if (obj === null) return text;
  const message = firstString(obj, MESSAGE_KEYS) ?? '';
  const error = firstString(obj, ERROR_KEYS);
  const stack = firstString(obj, STACK_KEYS);
  let out = message;
  if (error !== undefined && error !== stack) out += (out === '' ? '' : ': ') + error;
  const attr = obj.attr;
  if (out !== '' && typeof attr === 'object' && attr !== null && !Array.isArray(attr)) out += ` ${JSON.stringify(attr)}`;
  if (stack !== undefined) out += (out === '' ? '' : '\n') + stack;
  return out === '' ? text : out;
}

export const jsonFormat: LogFormatDef = {
  name: 'json',
  description: 'JSON lines (zap, logrus, slog, ECS, logstash): message, error and stack fields',
  fits: (l) => parseJsonLine(l) !== null,
  parse: (l) => parseJsonLine(l) ?? parsePlainLine(l),
  ruleText: jsonRuleText,
  samples: [
    {
      lines: ['{"level":"error","ts":"2024-05-01T12:00:00Z","logger":"tsdb","msg":"compaction failed","error":"mmap: cannot allocate memory"}'],
      event: { level: 'ERROR', logger: 'tsdb', message: 'compaction failed' },
    },
  ],
};
