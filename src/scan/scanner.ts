// The hot loop (perf-notes design (c)): decompressed chunks are copied into one reused Buffer,
// each run of complete lines becomes ONE latin1 string, the line prefilter (./prefilter.ts)
// finds the lines holding a rule literal, and only around a hit are lines cut out and decoded as
// UTF-8 into a CandidateWindow. Also emits the head lines, too-long-line problems and the line count.

import type { CandidateWindow, Problem, RawLine } from '../core/index.js';
import { compilePrefilter, type LinePrefilter } from './prefilter.js';

export interface ScanOptions {
  /** Global ('g', usually 'gi') literal-alternation prefilter; null scans for no windows. */
  prefilter: RegExp | null;
  lookBehind: number;
  lookAhead: number;
  /** A line longer than this is scanned in windows and shown cut (default 1 MiB). */
  maxLineBytes?: number;
  /** Lines in the 'head' item (default 64). */
  headLines?: number;
  /** Minimum bytes per scanned chunk string (default 1 MiB); tests use small values. */
  chunkBytes?: number;
}

export type ScanItem =
  | { type: 'head'; lines: RawLine[] }
  | { type: 'window'; window: CandidateWindow }
  | { type: 'problem'; problem: Problem }
  | { type: 'end'; lines: number };

const MiB = 1 << 20;
/** Context and head lines longer than this are shown cut. */
const CONTEXT_CAP = 64 << 10;
/** Bytes shown on each side of a hit inside a too-long line. */
const HIT_CUT = 2 << 10;
/** Overlap kept between the windows of a giant line so a straddling needle is found. */
const OVERLAP = 64 << 10;
const NL = 10;

/** A line still as a latin1 string (index = byte offset); decoded only when emitted. */
interface Line {
  readonly lineNo: number;
  readonly s: string;
  readonly cut: boolean;
}

type Pending =
  | { kind: 'head'; lines: Line[]; need: number }
  | { kind: 'window'; hit: Line; before: Line[]; after: Line[]; byteOffset: number; need: number }
  | { kind: 'problem'; problem: Problem; need: 0 };

interface Giant {
  readonly lineNo: number;
  /** Absolute byte offset of the line's first byte. */
  readonly start: number;
  readonly before: Line[];
  windowDone: boolean;
}

const isCont = (s: string, i: number): boolean => (s.charCodeAt(i) & 0xc0) === 0x80;

/** Line [a, b) of `s` (b at its '\n'), without a trailing '\r', cut to the context cap. */
function contextLine(s: string, a: number, b: number, lineNo: number): Line {
  let e = b;
  if (e > a && s.charCodeAt(e - 1) === 13) e--;
  if (e - a <= CONTEXT_CAP) return { lineNo, s: s.slice(a, e), cut: false };
  e = a + CONTEXT_CAP;
  while (e > a && isCont(s, e)) e--;
  return { lineNo, s: s.slice(a, e), cut: true };
}

/** The text around a hit at `mi` in a too-long line [a, b), on UTF-8 character boundaries. */
function cutAround(s: string, a: number, b: number, mi: number, lineNo: number): Line {
  let x = Math.max(a, mi - HIT_CUT);
  while (x < mi && isCont(s, x)) x++;
  let e = Math.min(b, mi + HIT_CUT);
  if (e < b) while (e > mi && isCont(s, e)) e--;
  if (e === b && e > x && s.charCodeAt(e - 1) === 13) e--;
  return { lineNo, s: s.slice(x, e), cut: true };
}

function decode(l: Line): RawLine {
  const text = Buffer.from(l.s, 'latin1').toString('utf8');
  return l.cut ? { lineNo: l.lineNo, text, cut: true } : { lineNo: l.lineNo, text };
}

function toItem(p: Pending): ScanItem {
  switch (p.kind) {
    case 'head':
      return { type: 'head', lines: p.lines.map(decode) };
    case 'window':
      return {
        type: 'window',
        window: {
          hit: decode(p.hit),
          before: p.before.map(decode),
          after: p.after.map(decode),
          byteOffset: p.byteOffset,
        },
      };
    case 'problem':
      return { type: 'problem', problem: p.problem };
  }
}

class Scanner {
  readonly trigger: number;
  private readonly chunkBytes: number;
  private readonly maxLine: number;
  private readonly overlap: number;
  private readonly lookBehind: number;
  private readonly lookAhead: number;
  private readonly pf: LinePrefilter | null;
  /** Hit starts of the current chunk string (reused). */
  private readonly hits: number[] = [];
  private readonly buf: Buffer;
  fill = 0;
  /** Absolute byte offset of buf[0]. */
  private base = 0;
  /** Lines ended ('\n' seen) before buf[0]. */
  lineBase = 0;
  private queue: Pending[] = [];
  private qi = 0;
  /** Up to lookBehind lines before buf[0], nearest last. */
  private tail: Line[] = [];
  private giant: Giant | null = null;
  /** Newline counter over the current chunk string: position (a line start) and count before it. */
  private cPos = 0;
  private cCount = 0;

  constructor(
    private readonly file: string,
    opts: ScanOptions,
  ) {
    this.chunkBytes = Math.max(1, opts.chunkBytes ?? MiB);
    this.maxLine = Math.max(2, opts.maxLineBytes ?? MiB);
    this.overlap = Math.min(OVERLAP, this.maxLine >> 1);
    this.trigger = Math.min(this.chunkBytes, this.maxLine + 1);
    this.lookBehind = Math.max(0, opts.lookBehind);
    this.lookAhead = Math.max(0, opts.lookAhead);
    const p = opts.prefilter;
    if (p && (!p.global || p.sticky)) throw new Error(`prefilter must be a global, non-sticky RegExp: ${String(p)}`);
    this.pf = p ? compilePrefilter(p) : null;
    this.buf = Buffer.allocUnsafeSlow(this.chunkBytes + this.maxLine + 2);
    this.queue.push({ kind: 'head', lines: [], need: Math.max(0, opts.headLines ?? 64) });
  }

  /** Copies bytes of `chunk` from `off` into the buffer; returns how many were taken. */
  append(chunk: Buffer, off: number): number {
    const n = Math.min(chunk.length - off, this.buf.length - 1 - this.fill);
    chunk.copy(this.buf, this.fill, off, off + n);
    this.fill += n;
    return n;
  }

  process(eof: boolean): void {
    for (;;) {
      const fill = this.fill;
      const lastNL = fill > 0 ? this.buf.lastIndexOf(NL, fill - 1) : -1;
      if (lastNL >= 0 && (eof || fill >= this.chunkBytes)) this.lineStep(lastNL + 1);
      else if (lastNL < 0 && fill > this.maxLine) this.giantStep();
      else return;
    }
  }

  finish(): void {
    if (this.fill > 0 && this.buf[this.fill - 1] !== NL) this.buf[this.fill++] = NL;
    this.process(true);
    for (let i = this.qi; i < this.queue.length; i++) (this.queue[i] as Pending).need = 0;
  }

  ready(): ScanItem[] {
    const out: ScanItem[] = [];
    const q = this.queue;
    while (this.qi < q.length && (q[this.qi] as Pending).need === 0) out.push(toItem(q[this.qi++] as Pending));
    if (this.qi === q.length) {
      this.queue = [];
      this.qi = 0;
    }
    return out;
  }

  private problem(code: Problem['code'], line: number, args: Problem['args']): void {
    this.queue.push({ kind: 'problem', problem: { code, file: this.file, line, args }, need: 0 });
  }

  /** Counts '\n' in s[cPos, to) (to = a line start), reporting too-long lines on the way. */
  private count(s: string, to: number): number {
    let p = this.cPos;
    let n = this.cCount;
    for (;;) {
      const j = s.indexOf('\n', p);
      if (j === -1 || j >= to) break;
      if (j - p > this.maxLine) {
        this.problem('line-too-long', this.lineBase + n + 1, { limit: this.maxLine, length: j - p });
      }
      n++;
      p = j + 1;
    }
    this.cPos = p;
    this.cCount = n;
    return n;
  }

  /** Hands `lines` (the next lines of the file) to every head/window still waiting for lines. */
  private feed(lines: Line[]): void {
    for (let i = this.qi; i < this.queue.length; i++) {
      const p = this.queue[i] as Pending;
      if (p.need === 0) continue;
      const take = lines.length < p.need ? lines : lines.slice(0, p.need);
      if (p.kind === 'head') p.lines.push(...take);
      else if (p.kind === 'window') p.after.push(...take);
      p.need -= take.length;
    }
  }

  private maxNeed(): number {
    let m = 0;
    for (let i = this.qi; i < this.queue.length; i++) m = Math.max(m, (this.queue[i] as Pending).need);
    return m;
  }

  /** Up to `max` lines from `p` (a line start) in s, numbered from `lineNo`. */
  private linesFrom(s: string, p: number, max: number, lineNo: number): Line[] {
    const out: Line[] = [];
    while (out.length < max && p < s.length) {
      const e = s.indexOf('\n', p);
      out.push(contextLine(s, p, e, lineNo + out.length));
      p = e + 1;
    }
    return out;
  }

  /** Up to `max` lines ending right before `p` (a line start, > floor), then from the tail; nearest last. */
  private linesBefore(s: string, p: number, floor: number, max: number, lineNo: number): Line[] {
    const out: Line[] = [];
    while (out.length < max && p > floor) {
      const a = p >= 2 ? Math.max(floor, s.lastIndexOf('\n', p - 2) + 1) : 0;
      out.push(contextLine(s, a, p - 1, lineNo - 1 - out.length));
      p = a;
    }
    out.reverse();
    const more = max - out.length;
    return more > 0 && this.tail.length > 0 ? [...this.tail.slice(-more), ...out] : out;
  }

  private pushWindow(hit: Line, before: Line[], after: Line[], byteOffset: number): void {
    this.queue.push({ kind: 'window', hit, before, after, byteOffset, need: this.lookAhead - after.length });
  }

  /** Scans buf[0, end): complete lines (the first may end a giant line). */
  private lineStep(end: number): void {
    const s = this.buf.toString('latin1', 0, end);
    const giant = this.giant;
    const firstNL = giant ? s.indexOf('\n') : -1;
    const region = firstNL + 1;
    this.cPos = region;
    this.cCount = giant ? 1 : 0;
    const firstLineNo = this.lineBase + this.cCount + 1;
    const need = this.maxNeed();
    if (need > 0) this.feed(this.linesFrom(s, region, need, firstLineNo));

    const pf = this.pf;
    if (pf) {
      const hits = this.hits;
      hits.length = 0;
      pf.lineHits(this.buf, s, hits);
      for (const mi of hits) {
        if (mi < region && giant) {
          if (!giant.windowDone) {
            giant.windowDone = true;
            const hit = cutAround(s, 0, firstNL, mi, giant.lineNo);
            this.pushWindow(hit, giant.before, this.linesFrom(s, region, this.lookAhead, giant.lineNo + 1), giant.start);
          }
          continue;
        }
        const ls = mi === 0 ? 0 : s.lastIndexOf('\n', mi - 1) + 1;
        const le = s.indexOf('\n', mi);
        const lineNo = this.lineBase + this.count(s, ls) + 1;
        const hit = le - ls > this.maxLine ? cutAround(s, ls, le, mi, lineNo) : contextLineFull(s, ls, le, lineNo);
        const before = this.linesBefore(s, ls, region, this.lookBehind, lineNo);
        this.pushWindow(hit, before, this.linesFrom(s, le + 1, this.lookAhead, lineNo + 1), this.base + ls);
      }
    }

    const total = this.count(s, end);
    if (giant) {
      this.problem('line-too-long', giant.lineNo, { limit: this.maxLine, length: this.base + firstNL - giant.start });
      this.giant = null;
    }
    if (this.lookBehind > 0) {
      this.tail = this.linesBefore(s, end, region, this.lookBehind, this.lineBase + total + 1);
    }
    this.lineBase += total;
    this.base += end;
    this.buf.copy(this.buf, 0, end, this.fill);
    this.fill -= end;
  }

  /** buf[0, fill) is part of one line longer than maxLine: scan it, keep an overlap. */
  private giantStep(): void {
    const fill = this.fill;
    let giant = this.giant;
    if (!giant) {
      const lineNo = this.lineBase + 1;
      const head = this.buf.toString('latin1', 0, Math.min(fill, CONTEXT_CAP + 4));
      const line = contextLine(head, 0, head.length, lineNo);
      const shown: Line = { lineNo, s: line.s, cut: true };
      giant = { lineNo, start: this.base, before: this.tail.slice(-this.lookBehind), windowDone: false };
      this.giant = giant;
      this.feed([shown]);
      if (this.lookBehind > 0) this.tail = [...this.tail, shown].slice(-this.lookBehind);
    }
    const pf = this.pf;
    if (pf && !giant.windowDone) {
      const s = this.buf.toString('latin1', 0, fill);
      const hits = this.hits;
      hits.length = 0;
      pf.lineHits(this.buf, s, hits);
      const mi = hits[0];
      if (mi !== undefined) {
        giant.windowDone = true;
        this.pushWindow(cutAround(s, 0, fill, mi, giant.lineNo), giant.before, [], giant.start);
      }
    }
    const keep = this.overlap;
    this.buf.copy(this.buf, 0, fill - keep, fill);
    this.base += fill - keep;
    this.fill = keep;
  }
}

/** The hit line in full (below the line cap), without a trailing '\r'. */
function contextLineFull(s: string, a: number, b: number, lineNo: number): Line {
  const e = b > a && s.charCodeAt(b - 1) === 13 ? b - 1 : b;
  return { lineNo, s: s.slice(a, e), cut: false };
}

/**
 * Scans decompressed chunks of one input. Yields 'head' first, then windows in hit order
 * (one per hit line) and problems, and 'end' with the line count last. Memory is bounded by
 * chunkBytes + maxLineBytes plus the windows of one chunk, whatever the input or line size.
 */
export async function* scanChunks(
  chunks: AsyncIterable<Buffer>,
  file: string,
  opts: ScanOptions,
): AsyncGenerator<ScanItem> {
  const sc = new Scanner(file, opts);
  for await (const chunk of chunks) {
    let off = 0;
    while (off < chunk.length) {
      off += sc.append(chunk, off);
      if (sc.fill >= sc.trigger) {
        sc.process(false);
        yield* sc.ready();
      }
    }
  }
  sc.finish();
  yield* sc.ready();
  yield { type: 'end', lines: sc.lineBase };
}
