// The event a record-start line yields once parsed (time, level, logger, message), and the
// interface every log format implements (LogFormatDef, listed in registry.ts).

import type { EventTime, LogFormat } from '../core/index.js';

export interface ParsedEvent {
  time?: EventTime;
  level?: string;
  logger?: string;
  message: string;
}

/** Builds an event leaving out the fields that are undefined (exactOptionalPropertyTypes-safe). */
export function makeEvent(message: string, time?: EventTime, level?: string, logger?: string): ParsedEvent {
  const ev: ParsedEvent = { message };
  if (time !== undefined) ev.time = time;
  if (level !== undefined && level !== '') ev.level = level;
  if (logger !== undefined && logger !== '') ev.logger = logger;
  return ev;
}

/** Lines of one file in the format; the first is a record start. */
export interface FormatSample {
  readonly lines: readonly string[];
  /** What the first line's event holds (only the listed fields are compared). */
  readonly event?: Partial<ParsedEvent>;
}

export interface LogFormatDef {
  /** A word of LOG_FORMATS in src/core/records.ts (rules name formats by it). */
  readonly name: LogFormat;
  readonly description: string;
  /** Claims a whole file from its unwrapped head before any line votes (hs_err's banner). */
  readonly claims?: (head: readonly string[]) => boolean;
  /** Does one unwrapped head line fit? Head lines vote; a format without `fits` is never voted for. */
  readonly fits?: (line: string) => boolean;
  /** An unwrapped line's event when it starts a record; null for a continuation (stack frame, dump). */
  readonly parse: (line: string) => ParsedEvent | null;
  /** The text rules match for an unwrapped line (default: the line itself). */
  readonly ruleText?: (line: string) => string;
  /** The format of a file nothing else fits (exactly one: plain). */
  readonly fallback?: boolean;
  readonly samples: readonly FormatSample[];
}
