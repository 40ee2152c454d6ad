// One log stream through the stages after opening: scanner windows → records → rule matches,
// keeping a bounded set of examples per rule and every other hit in compact columns. A byte-range
// part of a file (pipeline/split.ts) runs the same code over its range.

import type { CaptureValue, CompactHits, DetectedFormat, EvidenceFile, Finding, OmittedFindings, Problem, RawLine, Rule, SystemName } from '../core/index.js';
import { assembleRecord, detectFormat, type EventCache } from '../formats/index.js';
import { HEAD_LINES } from '../discover/kind.js';
import { GATE_LITERALS, harvestEvidence, HARVEST_MAX_BYTES } from '../evidence/index.js';
import { escapeRegExp } from '../core/index.js';
import { compilePrefilter, type LinePrefilter } from '../scan/prefilter.js';
import { fmtBytes } from '../core/units.js';
import { matchRulesLean, rulesApplyingTo } from '../rules/compile.js';
import { scanChunks } from '../scan/scanner.js';
import { countNuls } from '../io/decode.js';
import type { LogScanResult } from './outcome.js';

/**
 * Findings kept whole (text, record, context) per file and rule: the examples. Beyond this a
 * finding keeps its line, time and captures in columns (CompactHits), so memory stays small
 * at any density. Incidents list at most 200 findings, all of them among these examples.
 */
export const MAX_FINDINGS_PER_RULE = 200;
/** Lines before and after a hit that its window holds (at least the -C context). */
const LOOK_BEHIND = 64;
const LOOK_AHEAD = 200;
async function* fromArray(bufs: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const b of bufs) yield b;
}

/** The problem saying how many findings of a rule in a file are counted beyond its examples. */
export function cappedProblem(o: OmittedFindings): Problem {
  return { code: 'findings-capped', file: o.file, args: { count: o.count, rule: o.ruleId } };
}

/** The findings of one rule in one file beyond the examples, as columns (captures interned). */
export class HitColumns {
  private readonly line: number[] = [];
  private readonly time: (string | null)[] = [];
  private readonly captures: number[] = [];
  private readonly sets: Record<string, CaptureValue>[] = [];
  private readonly setIds = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly ruleId: string,
    private readonly systems: readonly SystemName[],
  ) {}

  add(line: number, time: string | null, captures: Readonly<Record<string, CaptureValue>>): void {
    this.line.push(line);
    // The time is a concatenation (a tree of pieces in V8): reading it flattens it, so the pieces can go.
    if (time !== null) time.charCodeAt(0);
    this.time.push(time);
    const key = JSON.stringify(captures);
    let id = this.setIds.get(key);
    if (id === undefined) {
      id = this.sets.length;
      // Parsed back from the key: fresh strings, not slices that would pin a chunk string.
      this.sets.push(JSON.parse(key) as Record<string, CaptureValue>);
      this.setIds.set(key, id);
    }
    this.captures.push(id);
  }

  /**
   * Appends the columns of a later part of the same file (pipeline/split.ts), its line numbers moved
   * by `delta`: each of its capture sets is interned once, not each hit, and the ids come out in the
   * order of first use, as adding the hits one by one gives them.
   */
  addColumns(h: CompactHits, delta: number): void {
    const ids = h.captureSets.map((set) => {
      const key = JSON.stringify(set);
      let id = this.setIds.get(key);
      if (id === undefined) {
        id = this.sets.length;
        this.sets.push(set);
        this.setIds.set(key, id);
      }
      return id;
    });
    for (let i = 0; i < h.line.length; i++) {
      this.line.push(h.line[i]! + delta);
      this.time.push(h.time[i] ?? null);
      this.captures.push(ids[h.captures[i]!]!);
    }
  }

  done(): OmittedFindings {
    return {
      file: this.file,
      ruleId: this.ruleId,
      systems: this.systems,
      count: this.line.length,
      hits: { line: this.line, time: this.time, captures: this.captures, captureSets: this.sets },
    };
  }
}

/** One byte range of a file scanned on its own (pipeline/split.ts): its stream starts `marginLines` lines before its own first line. */
export interface PartScan {
  /** Lines read only as the look-behind of the part's first hits: their hits belong to the part before. */
  readonly marginLines: number;
  /** The format the file's head was detected as, for a part that does not start the file. */
  readonly detected?: DetectedFormat;
  /** Byte offset in this stream of the next part's first line: the scan stops there. */
  readonly markAt?: number;
}

/**
 * Whether the opener's head lines are the scanner's: a file shorter than the head ends in '\n', so
 * the opener's split has one more, empty, line (blank lines do not vote: the detection is the same).
 */
function sameLines(head: readonly string[], lines: readonly RawLine[]): boolean {
  if (head.length === lines.length + 1 && head[lines.length] === '') head = head.slice(0, lines.length);
  if (head.length !== lines.length) return false;
  for (let i = 0; i < head.length; i++) if (head[i] !== lines[i]!.text) return false;
  return true;
}

/** Scan one log stream: prefilter hits → records → rule matches. */
export async function scanLog(
  file: string,
  input: AsyncIterable<Buffer> | readonly Buffer[],
  rules: readonly Rule[],
  prefilter: RegExp | null,
  opts: { context: number; maxLineBytes: number; known?: { head: readonly string[]; detected: DetectedFormat }; part?: PartScan },
): Promise<LogScanResult> {
  const chunks = Array.isArray(input) ? fromArray(input as readonly Buffer[]) : (input as AsyncIterable<Buffer>);
  const findings: Finding[] = [];
  const problems: Problem[] = [];
  const perRule = new Map<string, number>();
  const omittedBy = new Map<string, HitColumns>();
  let detected = detectFormat([]);
  let applicable = rulesApplyingTo(rules, detected.format);
  let lines = 0;
  let candidates = 0;
  let lastRecordEnd = 0;
  let markLine: number | undefined;
  const part = opts.part;
  const margin = part?.marginLines ?? 0;
  // Lines parsed while assembling one record, reused by the next (in a crash loop, the line after a hit is the next hit).
  const events: EventCache = new Map();
  const isExample = (rule: Rule): boolean => (perRule.get(rule.id) ?? 0) < MAX_FINDINGS_PER_RULE;
  for await (const item of scanChunks(chunks, file, {
    prefilter,
    lookBehind: lookBehindFor(opts.context),
    lookAhead: Math.max(LOOK_AHEAD, opts.context),
    maxLineBytes: opts.maxLineBytes,
    headLines: HEAD_LINES,
    ...(part?.markAt !== undefined ? { markAt: part.markAt } : {}),
  })) {
    if (item.type === 'mark') {
      markLine = item.lineNo;
      break;
    }
    switch (item.type) {
      case 'head':
        // The opener already detected the format from the same head lines: one detection per file.
        if (part?.detected) detected = part.detected;
        else detected = opts.known && sameLines(opts.known.head, item.lines) ? opts.known.detected : detectFormat(item.lines.map((l) => l.text));
        applicable = rulesApplyingTo(rules, detected.format);
        break;
      case 'problem':
        problems.push(item.problem);
        break;
      case 'end':
        lines = item.lines;
        break;
      case 'window': {
        if (item.window.hit.lineNo <= margin) break;
        candidates++;
        if (item.window.hit.lineNo <= lastRecordEnd) break;
        const { record, problems: recProblems } = assembleRecord(item.window, detected, file, opts.context, events);
        problems.push(...recProblems);
        const last = record.lines[record.lines.length - 1];
        lastRecordEnd = Math.max(item.window.hit.lineNo, last?.lineNo ?? 0);
        // Past its examples a rule's hit keeps only what the columns store: no text, record, context or message.
        for (const m of matchRulesLean(applicable, record, isExample)) {
          const ruleId = m.finding ? m.finding.ruleId : m.compact.ruleId;
          perRule.set(ruleId, (perRule.get(ruleId) ?? 0) + 1);
          if (m.finding) {
            // A copy: the finding's strings may be slices that would keep a whole chunk string alive.
            findings.push(JSON.parse(JSON.stringify(m.finding)) as Finding);
            continue;
          }
          const c = m.compact;
          let o = omittedBy.get(ruleId);
          if (!o) {
            o = new HitColumns(file, ruleId, c.systems);
            omittedBy.set(ruleId, o);
          }
          o.add(c.line, c.time?.iso ?? null, c.captures);
        }
        break;
      }
    }
  }
  const omitted = [...omittedBy.values()].map((o) => o.done()).sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  // A part's caps are counted when the parts are joined (pipeline/split.ts).
  if (!part) for (const o of omitted) problems.push(cappedProblem(o));
  return { findings, omitted, problems, lines, candidates, format: detected.format, wrapper: detected.wrapper, ...(markLine !== undefined ? { markLine } : {}) };
}

/**
 * Passes the chunks through and keeps a copy of the first `limit` bytes (the opener may reuse
 * its buffers), so a log can be harvested for embedded evidence without a second read.
 */
export function teeHead(input: AsyncIterable<Buffer>, limit: number): { chunks: AsyncIterable<Buffer>; head: () => { buf: Buffer; cut: boolean } } {
  const parts: Buffer[] = [];
  let size = 0;
  let cut = false;
  async function* pass(): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      if (size < limit) {
        const take = Math.min(chunk.length, limit - size);
        parts.push(Buffer.from(chunk.subarray(0, take)));
        size += take;
        if (take < chunk.length) cut = true;
      } else if (chunk.length > 0) cut = true;
      yield chunk;
    }
  }
  return { chunks: pass(), head: () => ({ buf: parts.length === 1 ? parts[0]! : Buffer.concat(parts), cut }) };
}

/** The nul-bytes problem of a text file with stray NULs in its first 8 KiB (a log with a few is still text): one, or none. */
export function headNulProblems(file: string, first: Buffer): Problem[] {
  const count = countNuls(first.subarray(0, 8192));
  return count > 0 ? [{ code: 'nul-bytes', file, args: { count, where: 'in the first 8 KiB' } }] : [];
}

/** Heads shorter than this (a few lines) skip the byte search of the gate literals: a one-line scan does not build it. */
const GATE_SEARCH_MIN = 1 << 10;
/** The byte search for the harvest's gate literals over a head (the scanner's skip loop), built on first use. */
let gateSearch: Required<LinePrefilter> | undefined;
function gateFilter(): Required<LinePrefilter> {
  if (gateSearch === undefined) {
    const pf = compilePrefilter(new RegExp(GATE_LITERALS.map(escapeRegExp).join('|'), 'gi'));
    // GATE_LITERALS are the gate words of 4 bytes or more, which the skip loop always takes.
    if (!pf.hitsInBytes) throw new Error('the harvest gate literals do not take the byte skip loop');
    gateSearch = pf as Required<LinePrefilter>;
  }
  return gateSearch;
}

/** Embedded evidence of a log's head: a cut head loses its last, partial line, and says where the harvest stopped. */
export function harvestHead(file: string, head: { buf: Buffer; cut: boolean }, problems: Problem[], byteSearch = head.buf.length >= GATE_SEARCH_MIN): EvidenceFile[] {
  let buf = head.buf;
  if (head.cut) buf = buf.subarray(0, buf.lastIndexOf(0x0a) + 1);
  const hits: number[] = [];
  // A small head is tested line by line: building the byte search would cost more than it saves.
  const pf = byteSearch ? gateFilter() : undefined;
  pf?.hitsInBytes(buf, buf.length, hits);
  const lines: string[] = [];
  const gated: number[] = [];
  let h = 0;
  forEachLine(buf, (text, a, e) => {
    lines.push(text);
    while (h < hits.length && hits[h]! < a) h++;
    gated.push(h < hits.length && hits[h]! < e ? 1 : 0);
  });
  if (head.cut) problems.push({ code: 'evidence-harvest-cut', file, args: { limit: fmtBytes(HARVEST_MAX_BYTES), through: lines.length } });
  const ev = harvestEvidence(file, lines, new Set(), pf ? gated : undefined);
  return ev ? [ev] : [];
}

/** Calls `each` with every line of buf ('\n' ends a line, a trailing '\r' is dropped), its start and the offset of its end. */
function forEachLine(buf: Buffer, each: (text: string, start: number, end: number) => void): void {
  // Line by line: ASCII lines decode on V8's fast path, and one non-ASCII character does not make every line a two-byte string.
  const n = buf.length;
  let p = 0;
  while (p < n) {
    let e = buf.indexOf(0x0a, p);
    if (e === -1) e = n;
    each(buf.toString('utf8', p, e > p && buf[e - 1] === 13 ? e - 1 : e), p, e);
    p = e + 1;
  }
}

/** The lines of buf as a harvest or an evidence parser reads them (see forEachLine). */
export function splitLines(buf: Buffer): string[] {
  const out: string[] = [];
  forEachLine(buf, (text) => out.push(text));
  return out;
}

/** Lines a window holds before its hit, for `context` lines of -C. */
export function lookBehindFor(context: number): number {
  return Math.max(LOOK_BEHIND, context);
}
