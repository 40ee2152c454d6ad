// Per-format dispatch: parseEvent decides whether an unwrapped line starts a record (and
// what its time, level, logger and message are); ruleText gives the text rules match.

import type { LogFormat } from '../core/index.js';
import type { ParsedEvent } from './events.js';
import { parseHsErrLine } from './hs-err.js';
import { parseJavaLine, parseKafkaLine } from './java.js';
import { jsonRuleText, parseJsonLine } from './json.js';
import { parseLogfmtLine } from './logfmt.js';
import { parsePlainLine, parsePlainTimestamped } from './plain.js';

/**
 * Parses an unwrapped line as `format`. Returns null when the line is not a record start
 * (a continuation: stack frame, goroutine dump, indented or blank line, and for Kafka and
 * Java logs any line not starting with a timestamp).
 */
export function parseEvent(text: string, format: LogFormat): ParsedEvent | null {
  switch (format) {
    case 'kafka-log4j':
      return parseKafkaLine(text) ?? parseJavaLine(text) ?? parsePlainTimestamped(text);
    case 'java-log':
      return parseJavaLine(text) ?? parseKafkaLine(text) ?? parsePlainTimestamped(text);
    case 'logfmt':
      return parseLogfmtLine(text) ?? parsePlainLine(text);
    case 'json':
      return parseJsonLine(text) ?? parsePlainLine(text);
    case 'hs-err':
      return parseHsErrLine(text);
    case 'plain':
      return parsePlainLine(text);
  }
}

/**
 * The text rules match for an unwrapped line: the JSON message, error and stack for 'json',
 * the whole line for every other format (logfmt rules see `err="…"` as written).
 */
export function ruleText(text: string, format: LogFormat): string {
  return format === 'json' ? jsonRuleText(text) : text;
}
