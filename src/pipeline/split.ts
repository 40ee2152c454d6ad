// One big plain log scanned as byte ranges on all the pool's workers at once, joined into the
// outcome a single pass gives. A part starts at a record start (a line the file's format parses as
// an event, so no record straddles it), reads lookBehind+1 lines before it for its windows, and stops
// at the next part's first line; the main thread meanwhile hashes the whole file and harvests its head.

import path from 'node:path';
import type { DetectedFormat, Finding, OmittedFindings, Problem } from '../core/index.js';
import { HARVEST_MAX_BYTES } from '../evidence/index.js';
import type { FileSource } from '../discover/discover.js';
import { rawInputKind, textInputKind } from '../discover/kind.js';
import { parseEvent, unwrap } from '../formats/index.js';
import { detectUtf16, rechain } from '../io/decode.js';
import { openFile, readFrom, readRange, type OpenedInput } from '../io/open.js';
import { cappedProblem, harvestHead, headNulProblems, HitColumns, lookBehindFor, MAX_FINDINGS_PER_RULE, scanLog, teeHead } from './log.js';
import type { FileOutcome, LogScanResult, PartResult, PartTask, SourceOptions } from './outcome.js';
import type { Pool } from './pool.js';

/** A file on disk at least this big is split when there are workers (tests pass smaller). */
export const SPLIT_MIN_BYTES = 32 << 20;
/** How far past a split's target a record start is looked for; none found: the file is not split. */
const SEEK_BYTES = 1 << 20;
/** How far back the margin's lines are looked for: a first block, then four times more, up to the most. */
const MARGIN_FIRST_BYTES = 64 << 10;
const MARGIN_MAX_BYTES = 4 << 20;
/** A split line no longer than this reads the same as a hit and as a line after one (the scanner's context cap). */
const SPLIT_LINE_MAX = 64 << 10;
const NL = 0x0a;

/** Scans one part (on a worker). A problem the joined result could not place exactly (a too-long line, a read error) asks for a single pass. */
export async function scanPart(task: PartTask, opts: SourceOptions, prefilter: RegExp | null): Promise<PartResult> {
  try {
    const log = await scanLog(task.display, readFrom(task.absPath, task.start), opts.rules, prefilter, {
      context: opts.context,
      maxLineBytes: opts.maxLineBytes,
      ...(task.known ? { known: task.known } : {}),
      part: {
        marginLines: task.marginLines,
        ...(task.detected ? { detected: task.detected } : {}),
        ...(task.markAt !== undefined ? { markAt: task.markAt } : {}),
      },
    });
    const odd = log.problems.find((p) => p.code !== 'record-start-lost');
    if (odd) return { redo: `a ${odd.code} problem` };
    if (task.markAt !== undefined && log.markLine === undefined) return { redo: 'the file ended before the next part' };
    return { log };
  } catch (err) {
    ioError(err);
    return { redo: `reading the part failed (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** The line [a, b) of buf as the scanner decodes it (b at its '\n', a trailing '\r' dropped). */
function lineText(buf: Buffer, a: number, b: number): string {
  return buf.toString('utf8', a, b > a && buf[b - 1] === 13 ? b - 1 : b);
}

/**
 * The first line start at or after `target` that starts a record: the line before it ends there
 * (it is no partial fragment of a wrapper), it is no fragment itself, and it parses as an event.
 */
async function recordStartAfter(absPath: string, target: number, detected: DetectedFormat): Promise<number | undefined> {
  const from = Math.max(0, target - SPLIT_LINE_MAX - 2);
  const buf = await readRange(absPath, from, target - from + SEEK_BYTES);
  // Line starts in buf: the first is the file's start or the one after the first '\n'.
  let p = from === 0 ? 0 : buf.indexOf(NL) + 1;
  if (p === 0 && from > 0) return undefined;
  let prev = -1;
  for (;;) {
    const e = buf.indexOf(NL, p);
    if (e === -1) return undefined;
    if (from + p >= target && prev >= 0 && e - p <= SPLIT_LINE_MAX && p - 1 - prev <= SPLIT_LINE_MAX) {
      const before = unwrap(lineText(buf, prev, p - 1), detected.wrapper);
      const line = unwrap(lineText(buf, p, e), detected.wrapper);
      if (!before.partial && !line.partial && parseEvent(line.text, detected.format) !== null) return from + p;
    }
    prev = p;
    p = e + 1;
  }
}

/** Where a part starting at `at` starts reading: `lines` lines before it, or the file's start. */
async function marginBefore(absPath: string, at: number, lines: number): Promise<{ start: number; lines: number } | undefined> {
  // Read back from `at` in growing blocks: lines are short, so the first block nearly always holds them.
  for (let len = MARGIN_FIRST_BYTES; ; len *= 4) {
    const from = Math.max(0, at - Math.min(len, MARGIN_MAX_BYTES));
    const buf = await readRange(absPath, from, at - from);
    // buf ends with the '\n' of the line before `at`; the (lines+1)-th '\n' back ends the line before the margin.
    let p = buf.length - 1;
    let k = 0;
    for (; k < lines; k++) {
      const q = p > 0 ? buf.lastIndexOf(NL, p - 1) : -1;
      if (q === -1) break;
      p = q;
    }
    if (k === lines) return { start: from + p + 1, lines };
    if (from === 0) return { start: 0, lines: k + 1 };
    if (len >= MARGIN_MAX_BYTES) return undefined;
  }
}

interface PlannedPart {
  readonly start: number;
  readonly own: number;
  readonly marginLines: number;
}

/** Part starts for `n` parts of a `size`-byte file, or undefined when no record start is found near a split. */
async function planParts(absPath: string, size: number, n: number, detected: DetectedFormat, lookBehind: number): Promise<PlannedPart[] | undefined> {
  const out: PlannedPart[] = [{ start: 0, own: 0, marginLines: 0 }];
  for (let k = 1; k < n; k++) {
    const at = await recordStartAfter(absPath, Math.floor((k * size) / n), detected);
    if (at === undefined || at <= out[out.length - 1]!.own || at >= size) return undefined;
    const margin = await marginBefore(absPath, at, lookBehind + 1);
    if (margin === undefined) return undefined;
    out.push({ start: margin.start, own: at, marginLines: margin.lines });
  }
  return out;
}

/** Moves every line number of a part's result by `delta` (its stream's line 1 is the file's line 1 + delta). */
function shiftFinding(f: Finding, delta: number): Finding {
  const move = (l: { readonly line: number; readonly text: string }) => ({ ...l, line: l.line + delta });
  return {
    ...f,
    line: f.line + delta,
    recordStartLine: f.recordStartLine + delta,
    recordLines: f.recordLines.map(move),
    contextBefore: f.contextBefore.map(move),
    contextAfter: f.contextAfter.map(move),
  };
}

/**
 * The parts' results as one pass over the file gives them: line numbers made absolute, the first
 * MAX_FINDINGS_PER_RULE findings of each rule over the whole file kept as examples and the rest
 * moved to the rule's columns in line order, the caps counted once.
 */
export function joinParts(file: string, parts: readonly { readonly log: LogScanResult; readonly marginLines: number; readonly last: boolean }[]): LogScanResult {
  const findings: Finding[] = [];
  const problems: Problem[] = [];
  const columns = new Map<string, HitColumns>();
  const perRule = new Map<string, number>();
  const columnsOf = (ruleId: string, systems: Finding['systems']): HitColumns => {
    let c = columns.get(ruleId);
    if (!c) {
      c = new HitColumns(file, ruleId, systems);
      columns.set(ruleId, c);
    }
    return c;
  };
  let firstLine = 1;
  let candidates = 0;
  for (const { log, marginLines, last } of parts) {
    const delta = firstLine - (marginLines + 1);
    for (const f of log.findings) {
      const n = perRule.get(f.ruleId) ?? 0;
      perRule.set(f.ruleId, n + 1);
      if (n < MAX_FINDINGS_PER_RULE) findings.push(delta === 0 ? f : shiftFinding(f, delta));
      else columnsOf(f.ruleId, f.systems).add(f.line + delta, f.time?.iso ?? null, f.captures);
    }
    for (const o of log.omitted) {
      perRule.set(o.ruleId, (perRule.get(o.ruleId) ?? 0) + o.count);
      const h = o.hits;
      if (!h) throw new Error(`part of ${file}: findings of ${o.ruleId} counted without their columns`);
      columnsOf(o.ruleId, o.systems).addColumns(h, delta);
    }
    for (const p of log.problems) problems.push(p.line === undefined ? p : { ...p, line: p.line + delta });
    candidates += log.candidates;
    const own = last ? log.lines - marginLines : log.markLine! - 1 - marginLines;
    firstLine += own;
  }
  const omitted: OmittedFindings[] = [...columns.values()].map((c) => c.done()).sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
  for (const o of omitted) problems.push(cappedProblem(o));
  const head = parts[0]!.log;
  return { findings, omitted, problems, lines: firstLine - 1, candidates, format: head.format, wrapper: head.wrapper };
}

/** Whether a file whose first chunk is `first` is read as it is stored, as text: no compression, archive, own report, cmdline, UTF-16 or leading NULs. */
function isPlainLog(file: string, first: Buffer, opened: OpenedInput): boolean {
  return opened.result().compressed === null && rawInputKind(path.basename(file), first, { archives: true }).kind === 'text' && detectUtf16(first) === null && first[0] !== 0;
}

/** A system error (errno code) is a data problem: undefined; anything else is a bug and is thrown again. */
function ioError(err: unknown): undefined {
  if (typeof (err as NodeJS.ErrnoException | undefined)?.code === 'string') return undefined;
  throw err;
}

/**
 * Scans a big plain log on disk as parts on every worker, or returns undefined when it is not one
 * (compressed, an archive, evidence, no record start near a split, a part that asks for a single
 * pass): the caller then scans it whole. The outcome is the one a single pass gives.
 */
export async function scanSplit(src: FileSource, pool: Pool, opts: SourceOptions, onRawBytes?: (bytes: number) => void): Promise<FileOutcome | undefined> {
  const n = pool.size;
  if (n < 2) return undefined;
  const file = src.display;
  // One read of the whole file on this thread: its first chunk, as scanSource reads it, classifies
  // the file exactly as a single pass would; the rest gives the custody hash and the head's evidence.
  const opened = openFile(src.absPath, file, { sizeHint: src.size, ...(onRawBytes ? { onRawBytes } : {}) });
  const it = opened.chunks[Symbol.asyncIterator]();
  const firstRes = await it.next();
  const first = firstRes.done ? undefined : firstRes.value;
  const input = first !== undefined && isPlainLog(file, first, opened) ? textInputKind(path.basename(file), first) : undefined;
  // A read error while planning (the file went away) leaves the file to the single pass, which reports it.
  const parts = input?.kind === 'log' ? await planParts(src.absPath, src.size, n, input.detected, lookBehindFor(opts.context)).catch(ioError) : undefined;
  if (first === undefined || input?.kind !== 'log' || parts === undefined) {
    await it.return?.();
    return undefined;
  }
  const { head, detected } = input;
  const tasks: PartTask[] = parts.map((p, k) => {
    const next = parts[k + 1];
    return {
      absPath: src.absPath,
      display: file,
      start: p.start,
      marginLines: p.marginLines,
      ...(next ? { markAt: next.own - p.start } : {}),
      ...(k === 0 ? { known: { head, detected } } : { detected }),
    };
  });
  const running = tasks.map((t) => pool.runPart(t));
  // The custody hash and the head's embedded evidence, read on this thread while the workers scan.
  const problems: Problem[] = headNulProblems(file, first);
  opened.recycleChunks();
  const tee = teeHead(rechain(first, it), HARVEST_MAX_BYTES);
  for await (const _ of tee.chunks) void _;
  const evidence = harvestHead(file, tee.head(), problems);
  const results = await Promise.all(running);
  const whole = opened.result();
  if (whole.problems.length > 0 || whole.rawBytes !== src.size) return undefined;
  const logs: LogScanResult[] = [];
  for (const res of results) {
    if ('redo' in res) return undefined;
    logs.push(res.log);
  }
  if (logs[0]!.format !== detected.format || logs[0]!.wrapper !== detected.wrapper) return undefined;
  const log = joinParts(
    file,
    logs.map((l, k) => ({ log: l, marginLines: parts[k]!.marginLines, last: k === logs.length - 1 })),
  );
  return {
    info: {
      file,
      bytes: whole.bytes,
      lines: log.lines,
      sha256: whole.sha256,
      role: `log:${log.format}`,
      ...(log.wrapper !== 'none' ? { wrapper: log.wrapper } : {}),
    },
    findings: log.findings,
    omitted: log.omitted,
    evidence,
    problems: [...problems, ...log.problems],
    candidates: log.candidates,
  };
}
