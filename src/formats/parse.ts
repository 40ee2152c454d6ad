// Per-format dispatch through the registry: parseEvent decides whether an unwrapped line
// starts a record (and what its time, level, logger and message are); ruleText gives the
// text rules match.

import type { LogFormat } from '../core/index.js';
import type { ParsedEvent } from './events.js';
import { formatDef } from './registry.js';

/**
 * Parses an unwrapped line as `format`. Returns null when the line is not a record start
 * (a continuation: stack frame, goroutine dump, indented or blank line, and for Kafka and
 * Java logs any line not starting with a timestamp).
 */
export function parseEvent(text: string, format: LogFormat): ParsedEvent | null {
  return formatDef(format).parse(text);
}

/**
 * The text rules match for an unwrapped line: the JSON message, error and stack for 'json',
 * the whole line for every other format (logfmt rules see `err="…"` as written).
 */
export function ruleText(text: string, format: LogFormat): string {
  const def = formatDef(format);
  return def.ruleText ? def.ruleText(text) : text;
}
