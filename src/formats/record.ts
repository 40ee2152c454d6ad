// Record assembly around a prefilter hit: joins partial container lines, walks back from the
// hit to the nearest record start and forward through its continuation lines (stack traces,
// goroutine dumps), and cuts the requested context lines from the window.

import type { CandidateWindow, DetectedFormat, EventTime, LogRecord, ParsedLine, Problem, RawLine } from '../core/index.js';
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

/** The window's raw line at i (0 = the hit, negative = before), asking a lazy window only for that line. */
function rawAccessor(w: CandidateWindow): (i: number) => RawLine | undefined {
  if (w.lineBefore && w.lineAfter) {
    return (i) => (i === 0 ? w.hit : i < 0 ? w.lineBefore?.(-i) : w.lineAfter?.(i));
  }
  const { before, after } = w;
  return (i) => (i === 0 ? w.hit : i < 0 ? before[before.length + i] : after[i - 1]);
}

interface Group {
  /** Raw indexes [a, b] (0 = the hit line). */
  readonly a: number;
  readonly b: number;
  readonly logical: Logical;
  /** undefined until parsed. */
  event?: ParsedEvent | null;
}

/**
 * The window's logical lines, built outwards from the hit only as far as they are asked for:
 * partial fragments (CRI `P`, docker json-file entries without a newline) are joined with the
 * line that completes them, exactly as a pass from the window's first line would join them.
 * Index 0 is the logical line holding the hit; negative indexes are before it.
 */
/** Parsed logical lines by first line number, kept from one record to the next of the same file. */
export type EventCache = Map<number, { readonly text: string; readonly event: ParsedEvent | null }>;

class LogicalLines {
  private readonly raw: (i: number) => RawLine | undefined;
  private readonly unwrapped = new Map<number, ReturnType<typeof unwrap>>();
  private readonly fwd: Group[] = [];
  private readonly back: Group[] = [];

  constructor(
    window: CandidateWindow,
    private readonly detected: DetectedFormat,
    private readonly cache: EventCache | undefined,
  ) {
    this.raw = rawAccessor(window);
    this.fwd.push(this.groupAround(0));
  }

  private u(i: number): ReturnType<typeof unwrap> | undefined {
    let v = this.unwrapped.get(i);
    if (v === undefined) {
      const r = this.raw(i);
      if (r === undefined) return undefined;
      v = unwrap(r.text, this.detected.wrapper);
      this.unwrapped.set(i, v);
    }
    return v;
  }

  private make(a: number, b: number): Group {
    const group: RawLine[] = [];
    const texts: string[] = [];
    let time: EventTime | undefined;
    for (let i = a; i <= b; i++) {
      const u = this.u(i)!;
      group.push(this.raw(i)!);
      texts.push(u.text);
      time ??= u.time;
    }
    return { a, b, logical: toLogical(group, texts, time, this.detected) };
  }

  /** The logical line holding raw line i: the partial fragments before it, and after it up to the one that completes it. */
  private groupAround(i: number): Group {
    let a = i;
    while (this.u(a - 1)?.partial === true) a--;
    let b = i;
    while (this.u(b)?.partial === true && this.u(b + 1) !== undefined) b++;
    return this.make(a, b);
  }

  /** The logical line at index k, or undefined past the window. */
  at(k: number): Group | undefined {
    if (k >= 0) {
      while (this.fwd.length <= k) {
        const last = this.fwd[this.fwd.length - 1]!;
        const i = last.b + 1;
        if (this.u(i) === undefined) return undefined;
        let b = i;
        while (this.u(b)?.partial === true && this.u(b + 1) !== undefined) b++;
        this.fwd.push(this.make(i, b));
      }
      return this.fwd[k];
    }
    while (this.back.length < -k) {
      const next = this.back.length === 0 ? this.fwd[0]! : this.back[this.back.length - 1]!;
      const b = next.a - 1;
      if (this.u(b) === undefined) return undefined;
      let a = b;
      while (this.u(a - 1)?.partial === true) a--;
      this.back.push(this.make(a, b));
    }
    return this.back[-k - 1];
  }

  event(k: number): ParsedEvent | null {
    const g = this.at(k)!;
    if (g.event === undefined) {
      const text = g.logical.unwrapped;
      const key = g.logical.line.lineNo;
      const hit = this.cache?.get(key);
      if (hit !== undefined && hit.text === text) g.event = hit.event;
      else {
        g.event = parseEvent(text, this.detected.format);
        if (this.cache) {
          if (this.cache.size >= 256) this.cache.clear();
          this.cache.set(key, { text, event: g.event });
        }
      }
    }
    return g.event;
  }

  /** Index of the window's first logical line (walks back to it). */
  lowest(): number {
    let k = -1;
    while (this.at(k) !== undefined) k--;
    return k + 1;
  }

  /** The window's first raw line, and how many raw lines it holds before the hit. */
  earliest(): { line: RawLine | undefined; before: number } {
    const a = this.at(this.lowest())!.a;
    return { line: this.raw(a), before: -a };
  }
}

/**
 * The record holding the window's hit line, with `context` lines either side. When the
 * record's first line is not inside the window, the record starts at the earliest line
 * available and a 'record-start-lost' problem says so. Only the lines the record and its
 * context need are decoded and parsed: in a log where every line is a failure, that is the
 * hit and the line after it.
 */
export function assembleRecord(window: CandidateWindow, detected: DetectedFormat, file: string, context: number, cache?: EventCache): { record: LogRecord; problems: Problem[] } {
  const lines = new LogicalLines(window, detected, cache);
  const problems: Problem[] = [];

  let start = 0;
  while (lines.at(start) !== undefined && lines.event(start) === null) start--;
  if (lines.at(start) === undefined) {
    start++;
    const earliest = lines.earliest();
    if (earliest.line !== undefined && earliest.line.lineNo > 1) {
      problems.push({ code: 'record-start-lost', file, line: window.hit.lineNo, args: { limit: earliest.before } });
    }
  }
  if (-start + 1 > MAX_RECORD_LINES) {
    start = -(MAX_RECORD_LINES - 1);
    problems.push({ code: 'record-start-lost', file, line: window.hit.lineNo, args: { limit: MAX_RECORD_LINES - 1 } });
  }

  let end = 0;
  for (let j = 1; lines.at(j) !== undefined && j - start < MAX_RECORD_LINES; j++) {
    if (lines.event(j) !== null) break;
    if (!isBlank(lines.at(j)!.logical.unwrapped)) end = j;
  }

  const ctx = Math.max(0, context);
  const pick = (a: number, b: number): ParsedLine[] => {
    const out: ParsedLine[] = [];
    for (let k = a; k < b; k++) {
      const g = lines.at(k);
      if (g !== undefined) out.push(g.logical.line);
    }
    return out;
  };
  const first = lines.at(start)!;
  const ev = lines.event(start);
  const time = ev?.time ?? first.logical.wrapperTime;
  const record: LogRecord = {
    file,
    format: detected.format,
    wrapper: detected.wrapper,
    startLine: first.logical.line.lineNo,
    lines: pick(start, end + 1),
    ...(time === undefined ? {} : { time }),
    ...(ev?.level === undefined ? {} : { level: ev.level }),
    ...(ev?.logger === undefined ? {} : { logger: ev.logger }),
    message: ev === null ? first.logical.unwrapped : ev.message,
    contextBefore: pick(start - ctx, start),
    contextAfter: pick(end + 1, end + 1 + ctx),
  };
  return { record, problems };
}
