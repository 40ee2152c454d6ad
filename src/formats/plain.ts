// The fallback format: JVM stdout, kernel dmesg / journal / syslog lines, Go panics, anything
// else. A line starting with a recognisable timestamp starts a record, and so does any line
// that is not shaped like a continuation (stack frame, goroutine dump, indentation, blank).

import { makeEvent, type LogFormatDef, type ParsedEvent } from './events.js';
import { ISO_TS, parseIsoTime, syslogTime, timeFromParts, monthNumber } from '../core/time.js';
import { LEVEL_WORDS, isContinuationShape, normaliseLevel } from './shapes.js';

const ISO_START_RE = new RegExp(String.raw`^\[?(${ISO_TS})\]?\s+(.*)$`, 's');
const SYSLOG_RE = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) (\S+) ([^\s:[]+)(?:\[\d+\])?: ?(.*)$/s;
const SYSLOG_BARE_RE = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) (.*)$/s;
const DMESG_RE = /^\[\s*\d+\.\d+\]\s?(.*)$/s;
const DMESG_T_RE = /^\[(?:[A-Z][a-z]{2} )?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\]\s?(.*)$/s;
const GO_LOG_RE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (.*)$/s;
const LEADING_LEVEL_RE = new RegExp(String.raw`^\[?(${LEVEL_WORDS})\]?:?\s+(.*)$`, 's');

function withLevel(message: string, time: ParsedEvent['time'], logger?: string): ParsedEvent {
  const lv = LEADING_LEVEL_RE.exec(message);
  if (lv !== null) return makeEvent(lv[2] ?? '', time, normaliseLevel(lv[1] ?? ''), logger);
  return makeEvent(message, time, undefined, logger);
}

/** A record start in a plain log, with its time when the line has one; null for continuations. */
export function parsePlainTimestamped(text: string): ParsedEvent | null {
  const iso = ISO_START_RE.exec(text);
  if (iso !== null) {
    const time = parseIsoTime(iso[1] ?? '');
    if (time !== undefined) {
      // journalctl -o short-iso: `2024-05-01T12:00:00+0000 host kernel: msg`
      const j = /^(\S+) ([^\s:[]+)(?:\[\d+\])?: (.*)$/s.exec(iso[2] ?? '');
      if (j !== null && !/^\[/.test(iso[2] ?? '')) return withLevel(j[3] ?? '', time, j[2]);
      return withLevel(iso[2] ?? '', time);
    }
  }
  const sys = SYSLOG_RE.exec(text);
  if (sys !== null) return withLevel(sys[6] ?? '', syslogTime(sys[1] ?? '', sys[2] ?? '', sys[3] ?? ''), sys[5]);
  const sysBare = SYSLOG_BARE_RE.exec(text);
  if (sysBare !== null && monthNumber(sysBare[1] ?? '') !== undefined) {
    return withLevel(sysBare[4] ?? '', syslogTime(sysBare[1] ?? '', sysBare[2] ?? '', sysBare[3] ?? ''));
  }
  const dt = DMESG_T_RE.exec(text);
  if (dt !== null) {
    const mo = monthNumber(dt[1] ?? '');
    const time = mo === undefined ? undefined : timeFromParts(Number(dt[6]), mo, Number(dt[2]), Number(dt[3]), Number(dt[4]), Number(dt[5]), undefined, undefined);
    return makeEvent(dt[7] ?? '', time, undefined, 'kernel');
  }
  const dm = DMESG_RE.exec(text);
  if (dm !== null) return makeEvent(dm[1] ?? '', undefined, undefined, 'kernel');
  const go = GO_LOG_RE.exec(text);
  if (go !== null) {
    const time = timeFromParts(Number(go[1]), Number(go[2]), Number(go[3]), Number(go[4]), Number(go[5]), Number(go[6]), go[7], undefined);
    if (time !== undefined) return withLevel(go[8] ?? '', time);
  }
  return null;
}

/** Plain record start: a timestamped line, or any line not shaped like a continuation. */
export function parsePlainLine(text: string): ParsedEvent | null {
  const ts = parsePlainTimestamped(text);
  if (ts !== null) return ts;
  if (isContinuationShape(text)) return null;
  return withLevel(text, undefined);
}

export const plainFormat: LogFormatDef = {
  name: 'plain',
  description: 'anything else: JVM stdout, dmesg, journal and syslog lines, Go panics',
  parse: parsePlainLine,
  fallback: true,
  samples: [
    {
      lines: ['fatal error: runtime: cannot allocate memory'],
      event: { message: 'fatal error: runtime: cannot allocate memory' },
    },
  ],
};
