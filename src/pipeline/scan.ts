// The only module that composes the stages: discover → open → prefilter/scan → records →
// match → group → correlate → diagnose. Everything else is a stage that knows nothing of
// the order. Returns the Report that the renderers print.

import path from 'node:path';
import { Readable } from 'node:stream';
import picomatch from 'picomatch';
import type {
  EvidenceFile,
  Finding,
  InputInfo,
  Problem,
  Report,
  Rule,
  SystemName,
} from '../core/index.js';
import { formatProblem, nothingRead, problemSeverity } from '../core/index.js';
import { assignScopes, discover, type FileSource, type ScannableSource, type Source } from '../discover/discover.js';
import { diagnoseScope, sortIncidents } from '../diagnose/incidents.js';
import { detectEvidence, parseCmdline, parseEvidence } from '../evidence/index.js';
import { looksLikeDataDir, readDataDir } from '../evidence/datadir.js';
import { assembleRecord, detectFormat } from '../formats/index.js';
import { openFile, openStream, type OpenedInput } from '../io/open.js';
import { DEFAULT_ARCHIVE_LIMITS, detectArchive, readArchive, type ArchiveLimits, type ArchiveMember } from '../io/archive.js';
import { looksBinary } from '../io/sniff.js';
import { fileIdentity } from '../io/write.js';
import { ownReportFormat } from '../discover/own-report.js';
import { countNuls, decodeUtf16, detectUtf16, stripLeadingNuls } from '../io/decode.js';
import { buildPrefilter, matchRecord, rulesApplyingTo } from '../rules/compile.js';
import { scanChunks } from '../scan/scanner.js';
import { startPool } from './pool.js';

export interface ScanRequest {
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly rules: readonly Rule[];
  /** Lines of context shown around each record (-C). */
  readonly context: number;
  readonly maxLineBytes: number;
  readonly now: Date;
  readonly version: string;
  readonly stdin?: NodeJS.ReadableStream;
  /** Caps on what one archive may expand to (zip bombs end as a reported problem). */
  readonly archiveLimits?: ArchiveLimits;
  /** Worker threads for files on disk (default 1: in-process). */
  readonly jobs?: number;
  /** Only findings with an event time in [since, until] are kept (findings without a time are kept). */
  readonly since?: Date;
  readonly until?: Date;
  /** Called once per input, in input order, as soon as its outcome is known (ndjson streaming). */
  readonly onFile?: (out: FileOutcome) => void;
  readonly onProgress?: (p: ScanProgress) => void;
  /** Absolute path the report will be written to: the scan stops before reading anything if it is an input. */
  readonly output?: string;
  /** The output path as the user gave it (for the message). */
  readonly outputShown?: string;
}

/** The report's output path is one of the inputs (inputs are evidence: never overwritten). */
export class OutputIsInput extends Error {
  constructor(
    readonly output: string,
    readonly input: string,
  ) {
    super(`the output ${output} is an input of this scan (${input}); nothing was read or written: choose another -o path`);
  }
}

/** Findings listed per file and rule; beyond this they are counted only. */
export const MAX_FINDINGS_PER_RULE = 1000;
/** Evidence and crash files are read whole up to this size. */
export const MAX_EVIDENCE_BYTES = 64 * 1024 * 1024;
const LOOK_BEHIND = 64;
const LOOK_AHEAD = 200;
const HEAD_LINES = 64;

export interface FileOutcome {
  /** For archive members: the archive is the root of their evidence scope. */
  readonly place?: MemberPlace;
  readonly info: InputInfo;
  readonly findings: Finding[];
  readonly omitted: { file: string; ruleId: string; systems: readonly SystemName[]; count: number }[];
  readonly evidence: EvidenceFile[];
  readonly problems: Problem[];
  readonly candidates: number;
}

async function* fromArray(bufs: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const b of bufs) yield b;
}

/** Re-yield a first chunk that was read ahead, then the rest. */
async function* rechain(first: Buffer | undefined, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  let finished = false;
  try {
    if (first) yield first;
    for (;;) {
      const n = await rest.next();
      if (n.done) {
        finished = true;
        return;
      }
      yield n.value;
    }
  } finally {
    // Stopped early (too large, binary): let the opener close its file.
    if (!finished) await rest.return?.();
  }
}

function headLines(buf: Buffer): string[] {
  const text = buf.subarray(0, Math.min(buf.length, 256 * 1024)).toString('utf8');
  const lines = text.split('\n').slice(0, HEAD_LINES);
  if (buf.length > 256 * 1024 || !text.endsWith('\n')) lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

async function collect(
  first: Buffer | undefined,
  rest: AsyncIterator<Buffer>,
  limit: number,
  file: string,
  problems: Problem[],
  opened: Readable1,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  let chunk = first;
  for (;;) {
    if (chunk === undefined) {
      const n = await rest.next();
      if (n.done) break;
      chunk = n.value;
    }
    if (size + chunk.length > limit) {
      parts.push(chunk.subarray(0, limit - size));
      size = limit;
      problems.push({ code: 'too-large', file, args: { what: 'evidence file', limit } });
      await skipRest(opened, rest);
      break;
    }
    parts.push(chunk);
    size += chunk.length;
    chunk = undefined;
  }
  return Buffer.concat(parts, size);
}

function splitLines(buf: Buffer): string[] {
  const text = buf.toString('utf8');
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

interface LogScanResult {
  findings: Finding[];
  omitted: FileOutcome['omitted'];
  problems: Problem[];
  lines: number;
  candidates: number;
  format: string;
  wrapper: string;
}

/** Scan one log stream: prefilter hits → records → rule matches. */
export async function scanLog(
  file: string,
  input: AsyncIterable<Buffer> | readonly Buffer[],
  rules: readonly Rule[],
  prefilter: RegExp | null,
  opts: { context: number; maxLineBytes: number },
): Promise<LogScanResult> {
  const chunks = Array.isArray(input) ? fromArray(input as readonly Buffer[]) : (input as AsyncIterable<Buffer>);
  const findings: Finding[] = [];
  const problems: Problem[] = [];
  const perRule = new Map<string, number>();
  const omittedBy = new Map<string, { file: string; ruleId: string; systems: readonly SystemName[]; count: number }>();
  let detected = detectFormat([]);
  let applicable = rulesApplyingTo(rules, detected.format);
  let lines = 0;
  let candidates = 0;
  let lastRecordEnd = 0;
  for await (const item of scanChunks(chunks, file, {
    prefilter,
    lookBehind: Math.max(LOOK_BEHIND, opts.context),
    lookAhead: Math.max(LOOK_AHEAD, opts.context),
    maxLineBytes: opts.maxLineBytes,
    headLines: HEAD_LINES,
  })) {
    switch (item.type) {
      case 'head':
        detected = detectFormat(item.lines.map((l) => l.text));
        applicable = rulesApplyingTo(rules, detected.format);
        break;
      case 'problem':
        problems.push(item.problem);
        break;
      case 'end':
        lines = item.lines;
        break;
      case 'window': {
        candidates++;
        if (item.window.hit.lineNo <= lastRecordEnd) break;
        const { record, problems: recProblems } = assembleRecord(item.window, detected, file, opts.context);
        problems.push(...recProblems);
        const last = record.lines[record.lines.length - 1];
        lastRecordEnd = Math.max(item.window.hit.lineNo, last?.lineNo ?? 0);
        for (const rule of applicable) {
          const finding = matchRecord(rule, record);
          if (!finding) continue;
          const n = (perRule.get(rule.id) ?? 0) + 1;
          perRule.set(rule.id, n);
          if (n <= MAX_FINDINGS_PER_RULE) findings.push(finding);
          else {
            const o = omittedBy.get(rule.id) ?? { file, ruleId: rule.id, systems: rule.systems, count: 0 };
            o.count++;
            omittedBy.set(rule.id, o);
          }
        }
        break;
      }
    }
  }
  for (const o of omittedBy.values()) problems.push({ code: 'findings-capped', file, args: { count: o.count, rule: o.ruleId } });
  return { findings, omitted: [...omittedBy.values()], problems, lines, candidates, format: detected.format, wrapper: detected.wrapper };
}

export interface SourceOptions {
  readonly rules: readonly Rule[];
  readonly context: number;
  readonly maxLineBytes: number;
  readonly stdin?: NodeJS.ReadableStream;
  readonly archiveLimits?: ArchiveLimits;
  /** --include / --exclude globs, applied to archive members as to files under directories. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

/** Where an archive member sits, for evidence scopes: the archive is its root. */
export interface MemberPlace {
  readonly root: string;
  readonly unit: string;
}

interface Readable1 {
  readonly chunks: AsyncIterable<Buffer>;
  /** bytes: decompressed bytes read; storedBytes and sha256: the input as stored (chain of custody). */
  result(): { bytes: number; storedBytes: number; sha256: string; problems: Problem[] };
  /** Let the opener reuse its read buffers: only for consumers that copy each chunk (the scanner). */
  recycleChunks?: () => void;
  /** True when returning the iterator early still hashes the rest (a top-level input); else the rest is read through. */
  readonly hashesOnReturn: boolean;
}

function topLevel(o: OpenedInput): Readable1 {
  return {
    chunks: o.chunks,
    result: () => {
      const r = o.result();
      return { bytes: r.bytes, storedBytes: r.rawBytes, sha256: r.sha256, problems: r.problems };
    },
    recycleChunks: o.recycleChunks,
    hashesOnReturn: true,
  };
}

/** An archive member: counts its decompressed bytes; its custody hash is the archive reader's. */
function memberInput(m: ArchiveMember): Readable1 {
  let bytes = 0;
  return {
    chunks: (async function* () {
      for await (const c of m.chunks) {
        bytes += c.length;
        yield c;
      }
    })(),
    result: () => {
      const st = m.stored();
      return { bytes, storedBytes: st.bytes, sha256: st.sha256, problems: [] };
    },
    hashesOnReturn: false,
  };
}

/** Stop scanning an input early while its size and hash still cover all of it. */
async function skipRest(opened: Readable1, it: AsyncIterator<Buffer>): Promise<void> {
  if (!opened.hashesOnReturn) {
    // An archive member: read through (bounded by the archive cap) so its hash is complete.
    for (let r = await it.next(); !r.done; r = await it.next()) void r;
  }
  await it.return?.();
}

/** Scan one file or stdin: expand it when it is an archive, else classify and scan it. */
export async function scanSource(src: ScannableSource, req: SourceOptions, prefilter: RegExp | null): Promise<FileOutcome[]> {
  const file = src.display;
  const opened: OpenedInput =
    src.kind === 'stdin' ? openStream(req.stdin ?? process.stdin, file, { hashAll: true }) : openFile(src.absPath, file, { hashAll: true });
  const it = opened.chunks[Symbol.asyncIterator]();
  const firstRes = await it.next();
  const first = firstRes.done ? undefined : firstRes.value;
  const kind = first ? detectArchive(first.subarray(0, 4096), path.basename(file)) : null;
  if (!first || !kind) return [await scanOpened(file, topLevel(opened), it, first, req, prefilter)];
  // An archive: its members are inputs of their own, named archive!/member.
  const outcomes: FileOutcome[] = [];
  const archiveProblems: Problem[] = [];
  const stream = src.kind === 'stdin' || kind !== 'zip' ? Readable.from(rechain(first, it)) : null;
  if (!stream) await it.return?.();
  const root = `${file}!`;
  const includes = req.include && req.include.length > 0 ? picomatch([...req.include], { dot: true }) : undefined;
  const excludes = req.exclude && req.exclude.length > 0 ? picomatch([...req.exclude], { dot: true }) : undefined;
  const wanted = (p: string): boolean => (!includes || includes(p)) && !(excludes && excludes(p));
  for await (const item of readArchive(stream ? null : (src as FileSource).absPath, stream, file, req.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS)) {
    if (item.type === 'problem') {
      archiveProblems.push(item.problem);
      continue;
    }
    const m = item.member;
    const rel = m.name.startsWith(root) ? m.name.slice(root.length).replace(/^\/+/, '') : m.name;
    const inner = rel.split('!/').pop() ?? rel;
    if (!wanted(inner)) {
      for await (const _ of m.chunks) void _;
      continue;
    }
    const firstSeg = rel.split('!')[0]!.split('/')[0] ?? '';
    const place: MemberPlace = { root, unit: rel.includes('/') ? `${root}/${firstSeg}` : root };
    const member = memberInput(m);
    const mit = member.chunks[Symbol.asyncIterator]();
    const mfirst = await mit.next();
    const out = await scanOpened(m.name, member, mit, mfirst.done ? undefined : mfirst.value, req, prefilter);
    outcomes.push({ ...out, place });
  }
  // A cap may have stopped the archive reader: the rest of the archive is still hashed (raw, not
  // decompressed), so its size and digest cover all of it.
  stream?.destroy();
  await it.return?.();
  const r = opened.result();
  outcomes.push({
    info: { file, bytes: r.rawBytes, lines: 0, sha256: r.sha256, role: `archive:${kind}` },
    findings: [],
    omitted: [],
    evidence: [],
    problems: [...r.problems, ...archiveProblems],
    candidates: 0,
  });
  return outcomes;
}

/** Classify one opened input (log, crash file, evidence) and run the matching stages. */
async function scanOpened(
  file: string,
  opened: Readable1,
  it: AsyncIterator<Buffer>,
  first: Buffer | undefined,
  req: SourceOptions,
  prefilter: RegExp | null,
): Promise<FileOutcome> {
  const problems: Problem[] = [];
  const finish = (role: string, lines: number, extra: Partial<FileOutcome> & { wrapper?: string } = {}): FileOutcome => {
    const r = opened.result();
    const info: InputInfo = {
      file,
      bytes: r.bytes,
      ...(r.storedBytes !== r.bytes ? { storedBytes: r.storedBytes } : {}),
      lines,
      sha256: r.sha256,
      role,
      ...(extra.wrapper && extra.wrapper !== 'none' ? { wrapper: extra.wrapper } : {}),
    };
    return {
      info,
      findings: extra.findings ?? [],
      omitted: extra.omitted ?? [],
      evidence: extra.evidence ?? [],
      problems: [...r.problems, ...problems, ...(extra.problems ?? [])],
      candidates: extra.candidates ?? 0,
    };
  };
  if (!first) {
    const r = opened.result();
    if (r.problems.length === 0) problems.push({ code: 'empty', file, args: {} });
    return finish('skipped', 0);
  }
  const own = ownReportFormat(first);
  if (own) {
    // A report mapmortem wrote earlier (under a scanned directory): its quoted lines are not new evidence.
    await skipRest(opened, it);
    problems.push({ code: 'own-report', file, args: { format: own } });
    return finish('skipped', 0);
  }
  if (path.basename(file) === 'cmdline') {
    // /proc/<pid>/cmdline of a capture bundle: NUL-separated arguments, not a binary log.
    const buf = await collect(first, it, 1024 * 1024, file, problems, opened);
    return finish('evidence:cmdline', 1, { evidence: [parseCmdline(file, buf)] });
  }
  // UTF-16 is decoded to UTF-8, a leading NUL run (logrotate copytruncate) dropped; the scanner sees text.
  const utf16 = detectUtf16(first);
  if (utf16 || first[0] === 0) {
    const stripped = utf16 ? null : stripLeadingNuls(rechain(first, it));
    const gen = stripped ? stripped.chunks : decodeUtf16(utf16!, rechain(first, it));
    const n = await gen.next();
    first = n.done ? undefined : n.value;
    it = gen;
    if (utf16) problems.push({ code: 'transcoded', file, args: { encoding: utf16 } });
    else if (first) problems.push({ code: 'nul-bytes', file, args: { count: stripped!.dropped(), where: 'a leading run, as logrotate copytruncate leaves; line 1 starts after it' } });
    if (!first) {
      problems.push({ code: 'binary', file, args: { reason: utf16 ? 'no text after the UTF-16 byte-order mark' : 'nothing but NUL bytes' } });
      return finish('skipped', 0);
    }
  }
  const binary = looksBinary(first.subarray(0, 8192));
  if (binary) {
    await skipRest(opened, it);
    problems.push({ code: 'binary', file, args: { reason: binary } });
    return finish('skipped', 0);
  }
  const nuls = countNuls(first.subarray(0, 8192));
  if (nuls > 0) problems.push({ code: 'nul-bytes', file, args: { count: nuls, where: 'in the first 8 KiB' } });
  const head = headLines(first);
  const detected = detectFormat(head);
  const sniffed = detected.format === 'hs-err' ? 'hs-err' : detectEvidence(head, path.basename(file));
  // A JVM's stdout quotes the hs_err banner; only a file the format layer calls hs-err is a crash file.
  const evidenceKind = sniffed === 'hs-err' && detected.format !== 'hs-err' ? null : sniffed;
  if (evidenceKind === 'prometheus-startup') {
    // A server log whose startup lines state its rlimits: evidence from the head, rules over all of it.
    const startup = parseEvidence(evidenceKind, file, head);
    opened.recycleChunks?.();
    const log = await scanLog(file, rechain(first, it), req.rules, prefilter, req);
    return finish(`log:${log.format}`, log.lines, {
      evidence: startup.evidence.facts.length > 0 ? [startup.evidence] : [],
      findings: log.findings,
      omitted: log.omitted,
      problems: log.problems,
      candidates: log.candidates,
      wrapper: log.wrapper,
    });
  }
  if (evidenceKind) {
    const buf = await collect(first, it, MAX_EVIDENCE_BYTES, file, problems, opened);
    const lines = splitLines(buf);
    const parsed = parseEvidence(evidenceKind, file, lines);
    problems.push(...parsed.problems);
    if (evidenceKind !== 'hs-err') return finish(`evidence:${evidenceKind}`, lines.length, { evidence: [parsed.evidence] });
    const log = await scanLog(file, [buf], req.rules, prefilter, req);
    return finish('log:hs-err', log.lines, {
      evidence: [parsed.evidence],
      findings: log.findings,
      omitted: log.omitted,
      problems: log.problems,
      candidates: log.candidates,
    });
  }
  // The scanner copies every chunk into its own buffer, so the opener may reuse its read buffers.
  opened.recycleChunks?.();
  const log = await scanLog(file, rechain(first, it), req.rules, prefilter, req);
  return finish(`log:${log.format}`, log.lines, {
    findings: log.findings,
    omitted: log.omitted,
    problems: log.problems,
    candidates: log.candidates,
    wrapper: log.wrapper,
  });
}


/**
 * A capture manifest that says a file was read while its process changed (or was cut) makes that
 * file's counts lower bounds: its map count is marked incomplete, so the verdict says "at least".
 */
function distrust(evidence: EvidenceFile[], problems: Problem[]): void {
  const why = new Map<string, string>();
  for (const e of evidence) for (const d of e.distrusts ?? []) why.set(d.file, d.reason);
  if (why.size === 0) return;
  evidence.forEach((e, i) => {
    const reason = why.get(e.file);
    if (reason === undefined || e.kind === 'capture-manifest') return;
    evidence[i] = {
      ...e,
      facts: e.facts.map((f) => (f.key === 'map-count' ? { ...f, complete: false } : f)),
      ...(e.maps ? { maps: { ...e.maps, complete: false } } : {}),
    };
    problems.push({ code: 'evidence-cut', file: e.file, args: { what: 'the captured memory map', reason: `capture manifest: ${reason}` } });
  });
}

/** The same problem reported twice (an archive cap met by a member and by the archive) is listed once. */
function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = formatProblem(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function cmpProblem(a: Problem, b: Problem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0);
}

/** Progress of a scan, for a progress display. */
export interface ScanProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly current: string;
}

/** Keep a finding when its event time lies in [since, until]; findings without a time are kept. */
export function inWindow(f: Finding, since: Date | undefined, until: Date | undefined): boolean {
  if (!f.time || (!since && !until)) return true;
  const iso = f.time.hasOffset ? f.time.iso : `${f.time.iso}Z`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return true;
  if (since && t < since.getTime()) return false;
  if (until && t > until.getTime()) return false;
  return true;
}

function filterOutcome(out: FileOutcome, since: Date | undefined, until: Date | undefined): FileOutcome {
  if (!since && !until) return out;
  return { ...out, findings: out.findings.filter((f) => inWindow(f, since, until)) };
}

/** Run a whole scan and build the report. Files are scanned on `jobs` worker threads; the result does not depend on `jobs`. */
export async function runScan(req: ScanRequest): Promise<Report> {
  // A data directory is recognised by a cheap look at its first two levels; it is walked once, below.
  const found = await discover(req.paths, { cwd: req.cwd, include: req.include, exclude: req.exclude, isDataDir: looksLikeDataDir });
  if (req.output !== undefined) {
    const out = await fileIdentity(req.output);
    const clash = out === null ? undefined : found.sources.find((s) => s.kind === 'file' && s.id === out);
    if (clash) throw new OutputIsInput(req.outputShown ?? req.output, clash.display);
  }
  const prefilter = buildPrefilter(req.rules);
  const problems: Problem[] = [...found.problems];
  const inputs: InputInfo[] = [];
  const scopes = new Map<string, { findings: Finding[]; omitted: FileOutcome['omitted']; evidence: EvidenceFile[] }>();
  const scopeOf = (s: string) => {
    let v = scopes.get(s);
    if (!v) {
      v = { findings: [], omitted: [], evidence: [] };
      scopes.set(s, v);
    }
    return v;
  };
  let bytes = 0;
  let lines = 0;
  let candidates = 0;
  let findingsTotal = 0;
  const files = found.sources.filter((s): s is ScannableSource => s.kind === 'file' || s.kind === 'stdin');
  const bytesTotal = files.reduce((n, s) => n + (s.kind === 'file' ? s.size : 0), 0);
  let filesDone = 0;
  let bytesDone = 0;
  const done: { source: Source; outcome?: FileOutcome; evidence?: EvidenceFile }[] = [];
  const accept = (src: ScannableSource, raw: FileOutcome): void => {
    const out = filterOutcome(raw, req.since, req.until);
    const source: Source = out.place
      ? { kind: 'member', display: out.info.file, scope: out.place.root, root: out.place.root, unit: out.place.unit }
      : src;
    done.push({ source, outcome: out });
    inputs.push(out.info);
    problems.push(...out.problems);
    bytes += out.info.bytes;
    lines += out.info.lines;
    candidates += out.candidates;
    findingsTotal += out.findings.length + out.omitted.reduce((n, o) => n + o.count, 0);
    req.onFile?.(out);
  };
  const acceptAll = (src: ScannableSource, outs: readonly FileOutcome[]): void => {
    for (const o of outs) accept(src, o);
    filesDone++;
    bytesDone += src.kind === 'file' ? src.size : 0;
    req.onProgress?.({ filesDone, filesTotal: files.length, bytesDone, bytesTotal, current: src.display });
  };
  for (const src of found.sources) {
    if (src.kind !== 'dir') continue;
    const { evidence: ev, problems: walkProblems } = await readDataDir(src.absPath, src.display);
    problems.push(...walkProblems);
    done.push({ source: src, ...(ev ? { evidence: ev } : {}) });
    inputs.push({ file: src.display, bytes: 0, lines: 0, sha256: '', role: `evidence:${ev?.kind ?? 'directory'}` });
  }
  const opts: SourceOptions = {
    rules: req.rules,
    context: req.context,
    maxLineBytes: req.maxLineBytes,
    include: req.include,
    exclude: req.exclude,
    ...(req.archiveLimits ? { archiveLimits: req.archiveLimits } : {}),
    ...(req.stdin ? { stdin: req.stdin } : {}),
  };
  const jobs = Math.max(1, req.jobs ?? 1);
  const onDisk = files.filter((f): f is FileSource => f.kind === 'file');
  const pool = jobs > 1 && onDisk.length > 1 ? await startPool(Math.min(jobs, onDisk.length), opts) : undefined;
  try {
    const pending = new Map<number, Promise<FileOutcome[]>>();
    const launch = (i: number): void => {
      const src = files[i];
      if (!src || pending.has(i)) return;
      pending.set(i, pool && src.kind === 'file' ? pool.run(src) : scanSource(src, opts, prefilter));
    };
    // Keep the pool busy a few files ahead, and accept results strictly in source order.
    const ahead = pool ? pool.size * 2 : 1;
    for (let i = 0; i < files.length; i++) {
      for (let j = i; j < Math.min(files.length, i + ahead); j++) launch(j);
      const out = await pending.get(i)!;
      pending.delete(i);
      acceptAll(files[i]!, out);
    }
  } finally {
    await pool?.close();
  }
  const scopeOfSource = assignScopes(done.map((d) => ({ source: d.source, isLog: d.outcome?.info.role.startsWith('log:') ?? false })));
  for (const d of done) {
    const sc = scopeOf(scopeOfSource.get(d.source.display) ?? d.source.scope);
    if (d.evidence) sc.evidence.push(d.evidence);
    if (d.outcome) {
      sc.findings.push(...d.outcome.findings);
      sc.omitted.push(...d.outcome.omitted);
      sc.evidence.push(...d.outcome.evidence);
    }
  }
  for (const s of scopes.values()) distrust(s.evidence, problems);
  const incidents = sortIncidents(
    [...scopes.keys()].sort().flatMap((scope) => {
      const s = scopes.get(scope)!;
      return diagnoseScope({ scope, findings: s.findings, omitted: s.omitted, evidence: s.evidence });
    }),
  );
  const evidence = [...scopes.values()].flatMap((s) => s.evidence).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return {
    schemaVersion: 1,
    tool: { name: 'mapmortem', version: req.version },
    generatedAt: req.now.toISOString(),
    roots: [...req.paths],
    verdict: incidents[0]?.cause ?? (nothingRead(inputs) ? 'nothing-read' : 'none'),
    incidents,
    evidence,
    inputs: inputs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    problems: dedupe(problems.sort(cmpProblem)).map((p) => ({ ...p, message: formatProblem(p), severity: problemSeverity(p.code) })),
    stats: { files: inputs.length, bytes, lines, candidates, findings: findingsTotal, rules: req.rules.length },
  };
}
