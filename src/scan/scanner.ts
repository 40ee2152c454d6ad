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
  /** Called as the scan moves through the input: decompressed bytes consumed so far (progress inside a big file). */
  onBytes?: (bytes: number) => void;
  /**
   * A line start (byte offset in this input): a 'mark' item is yielded after every window of a hit
   * before it and before any window at or after it (the end of a byte-range part, pipeline/split.ts).
   */
  markAt?: number;
}

export type ScanItem =
  | { type: 'head'; lines: RawLine[] }
  | { type: 'window'; window: CandidateWindow }
  | { type: 'problem'; problem: Problem }
  /** `lineNo`: the number of the line starting at ScanOptions.markAt. */
  | { type: 'mark'; lineNo: number }
  | { type: 'end'; lines: number };

const MiB = 1 << 20;
/** Context and head lines longer than this are shown cut. */
const CONTEXT_CAP = 64 << 10;
/** Bytes shown on each side of a hit inside a too-long line. */
const HIT_CUT = 2 << 10;
/** Overlap kept between the windows of a giant line so a straddling needle is found. */
const OVERLAP = 64 << 10;
const NL = 10;
const NON_ASCII = /[^\x00-\x7f]/;

/** A line still as a latin1 string (index = byte offset); decoded only when emitted. */
interface Line {
  readonly lineNo: number;
  readonly s: string;
  readonly cut: boolean;
}

type Pending =
  | { kind: 'head'; lines: Line[]; need: number }
  | { kind: 'window'; win: ChunkWindow; need: number }
  | { kind: 'problem'; problem: Problem; need: 0 }
  | { kind: 'mark'; lineNo: number; need: 0 };

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

/**
 * latin1 → UTF-8 text; an ASCII line is its own decoding. It may be a slice of the chunk
 * string: whatever keeps text for long (a finding's example) must copy it.
 */
function decode(l: Line): RawLine {
  const text = NON_ASCII.test(l.s) ? Buffer.from(l.s, 'latin1').toString('utf8') : l.s;
  return l.cut ? { lineNo: l.lineNo, text, cut: true } : { lineNo: l.lineNo, text };
}

/**
 * A hit and the lines around it, read lazily out of the chunk string that holds it: nothing
 * but the hit is sliced or decoded until the record assembler asks for a line. Lines before
 * the chunk come from the scanner's tail, lines after it (rare: a giant line or a very long
 * run of long lines follows) are fed in later.
 */
class ChunkWindow implements CandidateWindow {
  readonly hit: RawLine;
  /** back[k] = start of the k-th line before the hit in s (back[0] = the hit's start). */
  private readonly back: number[];
  /** fwd[k] = start of the (k+1)-th line after the hit in s. */
  private readonly fwd: number[];
  private readonly extra: Line[] = [];

  constructor(
    private readonly s: string,
    hitStart: number,
    hitEnd: number,
    hit: Line,
    /** First line start of s that belongs to this chunk's lines (lines before it come from `tail`). */
    private readonly floor: number,
    /** End of the complete lines of s. */
    private readonly limit: number,
    private readonly tail: readonly Line[],
    private readonly lookBehind: number,
    private readonly lookAhead: number,
    readonly byteOffset: number,
  ) {
    this.hit = decode(hit);
    this.back = [hitStart];
    this.fwd = [hitEnd + 1];
  }

  take(lines: readonly Line[]): void {
    for (const l of lines) this.extra.push(l);
  }

  /** Lines after the hit that s holds, counted up to `max`. */
  countAfter(max: number): number {
    let n = 0;
    while (n < max && this.startAfter(n + 1) !== undefined) n++;
    return n;
  }

  private startAfter(k: number): number | undefined {
    const fwd = this.fwd;
    while (fwd.length < k) {
      const p = fwd[fwd.length - 1] as number;
      if (p >= this.limit) return undefined;
      fwd.push(this.s.indexOf('\n', p) + 1);
    }
    const p = fwd[k - 1] as number;
    return p < this.limit ? p : undefined;
  }

  lineBefore(k: number): RawLine | undefined {
    if (k < 1 || k > this.lookBehind) return undefined;
    const back = this.back;
    const s = this.s;
    while (back.length <= k) {
      const p = back[back.length - 1] as number;
      if (p <= this.floor) break;
      back.push(p >= 2 ? Math.max(this.floor, s.lastIndexOf('\n', p - 2) + 1) : 0);
    }
    const lineNo = this.hit.lineNo - k;
    if (back.length > k) return decode(contextLine(s, back[k] as number, (back[k - 1] as number) - 1, lineNo));
    const t = this.tail[this.tail.length - (k - (back.length - 1))];
    return t === undefined ? undefined : decode(t);
  }

  lineAfter(k: number): RawLine | undefined {
    if (k < 1 || k > this.lookAhead) return undefined;
    const p = this.startAfter(k);
    if (p !== undefined) return decode(contextLine(this.s, p, this.s.indexOf('\n', p), this.hit.lineNo + k));
    const inS = this.fwd.length - 1;
    const x = this.extra[k - inS - 1];
    return x === undefined ? undefined : decode(x);
  }

  get before(): RawLine[] {
    const out: RawLine[] = [];
    for (let k = 1; ; k++) {
      const l = this.lineBefore(k);
      if (l === undefined) break;
      out.push(l);
    }
    return out.reverse();
  }

  get after(): RawLine[] {
    const out: RawLine[] = [];
    for (let k = 1; ; k++) {
      const l = this.lineAfter(k);
      if (l === undefined) break;
      out.push(l);
    }
    return out;
  }
}

/** A window built from line arrays (a hit in a giant line). */
function arrayWindow(hit: Line, before: readonly Line[], lookAhead: number, byteOffset: number, after: readonly Line[]): ChunkWindow {
  // A window over an empty chunk: every line comes from `tail` (before) and `extra` (after).
  const w = new ChunkWindow('\n', 0, 0, hit, 0, 0, before, before.length, lookAhead, byteOffset);
  w.take(after);
  return w;
}

function toItem(p: Pending): ScanItem {
  switch (p.kind) {
    case 'head':
      return { type: 'head', lines: p.lines.map(decode) };
    case 'window':
      return { type: 'window', window: p.win };
    case 'problem':
      return { type: 'problem', problem: p.problem };
    case 'mark':
      return { type: 'mark', lineNo: p.lineNo };
  }
}

/** Most bytes of complete lines held back at a chunk's end so the hits before them see their look-ahead in one string. */
const RETAIN = MiB;

/** Reused read buffers of finished scanners, by size (one scan at a time per thread uses one). */
const spare = new Map<number, Buffer[]>();

class Scanner {
  readonly trigger: number;
  private readonly chunkBytes: number;
  private readonly maxLine: number;
  private readonly overlap: number;
  private readonly lookBehind: number;
  private readonly lookAhead: number;
  private readonly pf: LinePrefilter | null;
  private readonly onBytes: ((bytes: number) => void) | undefined;
  /** ScanOptions.markAt, -1 once the mark is queued (or when there is none). */
  private markAt: number;
  /** Hit starts of the current chunk string (reused). */
  private readonly hits: number[] = [];
  private buf: Buffer;
  fill = 0;
  /** buf[0, held): complete lines already scanned once, kept as the look-ahead of the hits before them. */
  private held = 0;
  private heldLines = 0;
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
    this.onBytes = opts.onBytes;
    this.markAt = opts.markAt ?? -1;
    const p = opts.prefilter;
    if (p && (!p.global || p.sticky)) throw new Error(`prefilter must be a global, non-sticky RegExp: ${String(p)}`);
    this.pf = p ? compilePrefilter(p) : null;
    const size = RETAIN + this.chunkBytes + this.maxLine + 2;
    this.buf = spare.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
    this.queue.push({ kind: 'head', lines: [], need: Math.max(0, opts.headLines ?? 64) });
  }

  /** Gives the read buffer back for the next scanner of the same size (small-file scans reuse it). */
  release(): void {
    const list = spare.get(this.buf.length) ?? [];
    if (list.length < 2) list.push(this.buf);
    spare.set(this.buf.length, list);
    this.buf = Buffer.alloc(0);
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
      const held = this.held;
      const lastNL = fill > 0 ? this.buf.lastIndexOf(NL, fill - 1) : -1;
      const fresh = lastNL >= held;
      if (lastNL >= 0 && (eof || (fresh && fill - held >= this.chunkBytes))) this.lineStep(lastNL + 1, eof, eof);
      else if (!fresh && fill - held > this.maxLine) {
        if (held > 0) this.lineStep(held, false, true);
        else this.giantStep();
      } else return;
    }
  }

  finish(): void {
    if (this.fill > 0 && this.buf[this.fill - 1] !== NL) this.buf[this.fill++] = NL;
    this.process(true);
    for (let i = this.qi; i < this.queue.length; i++) (this.queue[i] as Pending).need = 0;
    this.onBytes?.(this.base);
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

  /** Queues the mark at s position `at` (a line start), after the too-long-line problems of the lines before it. */
  private pushMark(s: string, at: number): void {
    const lineNo = this.lineBase + this.count(s, at) + 1;
    this.queue.push({ kind: 'mark', lineNo, need: 0 });
    this.markAt = -1;
  }

  /** Hands `lines` (the next lines of the file) to every head/window still waiting for lines. */
  private feed(lines: Line[]): void {
    for (let i = this.qi; i < this.queue.length; i++) {
      const p = this.queue[i] as Pending;
      if (p.need === 0) continue;
      const take = lines.length < p.need ? lines : lines.slice(0, p.need);
      if (p.kind === 'head') p.lines.push(...take);
      else if (p.kind === 'window') p.win.take(take);
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

  private pushWindow(win: ChunkWindow, need: number): void {
    this.queue.push({ kind: 'window', win, need });
  }

  /** Start of the line that has `n` complete lines from it to `end` (or `floor` when there are fewer). */
  private backLines(s: string, end: number, n: number, floor: number): number {
    let p = end;
    for (let k = 0; k < n && p > floor; k++) p = p >= 2 ? Math.max(floor, s.lastIndexOf('\n', p - 2) + 1) : 0;
    return p;
  }

  /**
   * Scans buf[0, end) (complete lines; the first may end a giant line). Hits in the last lines
   * are left for the next step, unless `all`, so every hit sees its look-ahead in this string.
   */
  private lineStep(end: number, eof: boolean, all: boolean): void {
    const s = this.buf.toString('latin1', 0, end);
    const giant = this.giant;
    const firstNL = giant ? s.indexOf('\n') : -1;
    const region = firstNL + 1;
    // Every hit before `back` sees lookAhead lines in s; one at or after it may need lines fed later.
    const back = eof ? end : this.backLines(s, end, this.lookAhead, region);
    let commit = end;
    if (!all && !giant) {
      commit = back;
      if (end - commit > RETAIN) commit = s.indexOf('\n', end - RETAIN - 1) + 1;
    }
    const safe = back;
    this.cPos = region;
    this.cCount = giant ? 1 : 0;
    const need = this.maxNeed();
    if (need > 0) {
      const from = giant ? region : this.held;
      this.feed(this.linesFrom(s, from, need, this.lineBase + (giant ? 1 : this.heldLines) + 1));
    }

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
            const after = this.linesFrom(s, region, this.lookAhead, giant.lineNo + 1);
            const w = arrayWindow(hit, giant.before, this.lookAhead, giant.start, after);
            this.pushWindow(w, eof ? 0 : this.lookAhead - after.length);
          }
          continue;
        }
        if (mi >= commit) break;
        const ls = mi === 0 ? 0 : s.lastIndexOf('\n', mi - 1) + 1;
        if (this.markAt >= 0 && this.base + ls >= this.markAt) this.pushMark(s, this.markAt - this.base);
        const le = s.indexOf('\n', mi);
        const lineNo = this.lineBase + this.count(s, ls) + 1;
        const hit = le - ls > this.maxLine ? cutAround(s, ls, le, mi, lineNo) : contextLineFull(s, ls, le, lineNo);
        const w = new ChunkWindow(s, ls, le, hit, region, end, this.tail, this.lookBehind, this.lookAhead, this.base + ls);
        this.pushWindow(w, ls < safe ? 0 : this.lookAhead - w.countAfter(this.lookAhead));
      }
    }

    if (this.markAt >= 0 && this.base + commit >= this.markAt) this.pushMark(s, this.markAt - this.base);
    const total = this.count(s, commit);
    if (giant) {
      this.problem('line-too-long', giant.lineNo, { limit: this.maxLine, length: this.base + firstNL - giant.start });
      this.giant = null;
    }
    if (this.lookBehind > 0 && commit > region && !eof) {
      this.tail = this.linesBefore(s, commit, region, this.lookBehind, this.lineBase + total + 1);
    }
    let heldLines = 0;
    for (let p = commit; p < end; p = s.indexOf('\n', p) + 1) heldLines++;
    this.heldLines = heldLines;
    this.lineBase += total;
    this.base += commit;
    this.buf.copy(this.buf, 0, commit, this.fill);
    this.fill -= commit;
    this.held = end - commit;
    this.onBytes?.(this.base);
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
        this.pushWindow(arrayWindow(cutAround(s, 0, fill, mi, giant.lineNo), giant.before, this.lookAhead, giant.start, []), this.lookAhead);
      }
    }
    const keep = this.overlap;
    this.buf.copy(this.buf, 0, fill - keep, fill);
    this.base += fill - keep;
    this.fill = keep;
    this.onBytes?.(this.base);
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
export async function* scanChunks(chunks: AsyncIterable<Buffer>, file: string, opts: ScanOptions): AsyncGenerator<ScanItem> {
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
  const last = sc.ready();
  sc.release();
  yield* last;
  yield { type: 'end', lines: sc.lineBase };
}
