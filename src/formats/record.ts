// Record assembly around a prefilter hit: joins partial container lines, walks back from the
// hit to the nearest record start and forward through its continuation lines (stack traces,
// goroutine dumps), and cuts the requested context lines from the window.

import type {
  CandidateWindow, DetectedFormat, EventTime, LogRecord, ParsedLine, Problem, RawLine,
} from '../core/index.js';
import type { ParsedEvent } from './events.js';
import { parseEvent, ruleText } from './parse.js';
import { isBlank } from './shapes.js';
import { unwrap } from './wrappers.js';

/** Most lines one record may hold. */
export const MAX_RECORD_LINES = 200;

interface Logical {
  readonly line: ParsedLine;
  /** Unwrapped text, before JSON field extraction. */
  readonly unwrapped: string;
  readonly wrapperTime?: EventTime;
}

function toLogical(group: readonly RawLine[], texts: readonly string[], time: EventTime | undefined, detected: DetectedFormat): Logical {
  const firstLine = group[0];
  if (firstLine === undefined) throw new Error('empty line group');
  const unwrapped = texts.join('');
  const cut = group.some((l) => l.cut === true);
  const line: ParsedLine = {
    lineNo: firstLine.lineNo,
    raw: group.map((l) => l.text).join('\n'),
    text: ruleText(unwrapped, detected.format),
    ...(cut ? { cut: true } : {}),
  };
  return time === undefined ? { line, unwrapped } : { line, unwrapped, wrapperTime: time };
}

/**
 * Unwraps the window's lines and joins partial fragments (CRI `P`, docker json-file entries
 * without a newline) with the line that completes them. Returns the logical lines and, for
 * each raw line, the index of the logical line holding it.
 */
function logicalLines(raw: readonly RawLine[], detected: DetectedFormat): { lines: Logical[]; owner: number[] } {
  const lines: Logical[] = [];
  const owner: number[] = [];
  let group: RawLine[] = [];
  let texts: string[] = [];
  let time: EventTime | undefined;
  const flush = (): void => {
    if (group.length === 0) return;
    lines.push(toLogical(group, texts, time, detected));
    group = [];
    texts = [];
    time = undefined;
  };
  for (const r of raw) {
    const u = unwrap(r.text, detected.wrapper);
    group.push(r);
    texts.push(u.text);
    time ??= u.time;
    owner.push(lines.length);
    if (!u.partial) flush();
  }
  flush();
  return { lines, owner };
}

function buildRecord(
  lines: readonly Logical[], events: readonly (ParsedEvent | null)[], start: number, end: number,
  detected: DetectedFormat, file: string, context: number,
): LogRecord {
  const first = lines[start];
  if (first === undefined) throw new Error('record start outside the window');
  const ev = events[start] ?? null;
  const time = ev?.time ?? first.wrapperTime;
  const slice = (a: number, b: number): ParsedLine[] => lines.slice(Math.max(0, a), Math.max(0, b)).map((l) => l.line);
  return {
    file,
    format: detected.format,
    wrapper: detected.wrapper,
    startLine: first.line.lineNo,
    lines: slice(start, end + 1),
    ...(time === undefined ? {} : { time }),
    ...(ev?.level === undefined ? {} : { level: ev.level }),
    ...(ev?.logger === undefined ? {} : { logger: ev.logger }),
    message: ev === null ? first.unwrapped : ev.message,
    contextBefore: slice(start - context, start),
    contextAfter: slice(end + 1, end + 1 + context),
  };
}

/**
 * The record holding the window's hit line, with `context` lines either side. When the
 * record's first line is not inside the window, the record starts at the earliest line
 * available and a 'record-start-lost' problem says so.
 */
export function assembleRecord(
  window: CandidateWindow, detected: DetectedFormat, file: string, context: number,
): { record: LogRecord; problems: Problem[] } {
  const raw = [...window.before, window.hit, ...window.after];
  const { lines, owner } = logicalLines(raw, detected);
  const hit = owner[window.before.length];
  if (hit === undefined) throw new Error('hit line missing from the window');
  const events = lines.map((l) => parseEvent(l.unwrapped, detected.format));
  const problems: Problem[] = [];

  let start = hit;
  while (start >= 0 && events[start] === null) start--;
  if (start < 0) {
    start = 0;
    const earliest = raw[0];
    if (earliest !== undefined && earliest.lineNo > 1) {
      problems.push({ code: 'record-start-lost', file, line: window.hit.lineNo, args: { limit: window.before.length } });
    }
  }
  if (hit - start + 1 > MAX_RECORD_LINES) {
    start = hit - (MAX_RECORD_LINES - 1);
    problems.push({ code: 'record-start-lost', file, line: window.hit.lineNo, args: { limit: MAX_RECORD_LINES - 1 } });
  }

  let end = hit;
  for (let j = hit + 1; j < lines.length && j - start < MAX_RECORD_LINES; j++) {
    if (events[j] !== null) break;
    const l = lines[j];
    if (l !== undefined && !isBlank(l.unwrapped)) end = j;
  }

  return { record: buildRecord(lines, events, start, end, detected, file, Math.max(0, context)), problems };
}
