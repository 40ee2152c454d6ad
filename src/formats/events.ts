// The event a record-start line yields once parsed: time, level, logger and message. Shared
// by every format parser.

import type { EventTime } from '../core/index.js';

export interface ParsedEvent {
  time?: EventTime;
  level?: string;
  logger?: string;
  message: string;
}

/** Builds an event leaving out the fields that are undefined (exactOptionalPropertyTypes-safe). */
export function makeEvent(
  message: string,
  time?: EventTime,
  level?: string,
  logger?: string,
): ParsedEvent {
  const ev: ParsedEvent = { message };
  if (time !== undefined) ev.time = time;
  if (level !== undefined && level !== '') ev.level = level;
  if (logger !== undefined && logger !== '') ev.logger = logger;
  return ev;
}
