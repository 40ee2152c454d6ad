// The only module that composes the stages: discover → open → prefilter/scan → records →
// match → group → correlate → diagnose. Everything else is a stage that knows nothing of
// the order. Returns the Report that the renderers print.

import path from 'node:path';
import { Readable } from 'node:stream';
import picomatch from 'picomatch';
import type { EvidenceFile, Finding, InputInfo, OmittedFindings, Problem, Report, Rule } from '../core/index.js';
import { formatProblem, nothingRead, problemSeverity } from '../core/index.js';
import { correlate } from '../correlate/correlate.js';
import { discover, type FileSource, type ScannableSource, type Source } from '../discover/discover.js';
import { diagnoseScope, sortIncidents } from '../diagnose/incidents.js';
import { harvestEvidence, harvestsKind, HARVEST_MAX_BYTES, parseCmdline, parseEvidence } from '../evidence/index.js';
import { looksLikeDataDir, readDataDir } from '../evidence/datadir.js';
import { openFile, openStream, type OpenedInput } from '../io/open.js';
import { DEFAULT_ARCHIVE_LIMITS, readArchive, type ArchiveLimits, type ArchiveMember } from '../io/archive.js';
import { fileIdentity } from '../io/write.js';
import { rawInputKind, textInputKind, type RawInputKind } from '../discover/kind.js';
import { decodeUtf16, detectUtf16, rechain, stripLeadingNuls } from '../io/decode.js';
import { buildPrefilter } from '../rules/compile.js';
import { ruleNotes } from '../rules/notes.js';
import { harvestHead, headNulProblems, scanLog, splitLines, teeHead } from './log.js';
import { startPool } from './pool.js';
import { scanSplit, SPLIT_MIN_BYTES } from './split.js';
import { planShards, type PlannedRole, type ShardPlan, type ShardSpec } from './shard.js';
import type { FileOutcome, MemberPlace, SourceOptions } from './outcome.js';

export type { FileOutcome, MemberPlace, SourceOptions } from './outcome.js';
export { MAX_FINDINGS_PER_RULE, scanLog } from './log.js';

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
  /** Scan only this part of the inputs (`--shard`): whole hosts, as planned in pipeline/shard.ts. */
  readonly shard?: ShardSpec;
  /** Paths that came from a --files-from list, and where: a missing one names its list and line. */
  readonly listedAt?: ReadonlyMap<string, string>;
  /** A plain log at least this big is scanned as byte ranges on all workers (default SPLIT_MIN_BYTES; tests pass less). */
  readonly splitMinBytes?: number;
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

/** Evidence and crash files are read whole up to this size. */
export const MAX_EVIDENCE_BYTES = 64 * 1024 * 1024;
/** Small files sent to a worker in one message: at most this many, and this many bytes. */
const BATCH_FILES = 64;
const BATCH_BYTES = 4 << 20;
async function collect(first: Buffer | undefined, rest: AsyncIterator<Buffer>, limit: number, file: string, problems: Problem[], opened: Readable1): Promise<Buffer> {
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
export async function scanSource(src: ScannableSource, req: SourceOptions, prefilter: RegExp | null, onRawBytes?: (bytes: number) => void): Promise<FileOutcome[]> {
  const file = src.display;
  const how = { hashAll: true, ...(onRawBytes ? { onRawBytes } : {}) };
  const opened: OpenedInput = src.kind === 'stdin' ? openStream(req.stdin ?? process.stdin, file, how) : openFile(src.absPath, file, { ...how, sizeHint: src.size });
  const it = opened.chunks[Symbol.asyncIterator]();
  const firstRes = await it.next();
  const first = firstRes.done ? undefined : firstRes.value;
  const raw = first ? rawInputKind(path.basename(file), first, { archives: true }) : undefined;
  if (!first || raw?.kind !== 'archive') return [await scanOpened(file, topLevel(opened), it, first, req, prefilter, raw)];
  const kind = raw.archive;
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
  known?: RawInputKind,
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
  const raw = known ?? rawInputKind(path.basename(file), first, { archives: false });
  if (raw.kind === 'own-report') {
    // A report mapmortem wrote earlier (under a scanned directory): its quoted lines are not new evidence.
    await skipRest(opened, it);
    problems.push({ code: 'own-report', file, args: { format: raw.format } });
    return finish('skipped', 0);
  }
  if (raw.kind === 'cmdline') {
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
    else if (first)
      problems.push({ code: 'nul-bytes', file, args: { count: stripped!.dropped(), where: 'a leading run, as logrotate copytruncate leaves; line 1 starts after it' } });
    if (!first) {
      problems.push({ code: 'binary', file, args: { reason: utf16 ? 'no text after the UTF-16 byte-order mark' : 'nothing but NUL bytes' } });
      return finish('skipped', 0);
    }
  }
  const input = textInputKind(path.basename(file), first);
  if (input.kind === 'binary') {
    await skipRest(opened, it);
    problems.push({ code: 'binary', file, args: { reason: input.reason } });
    return finish('skipped', 0);
  }
  problems.push(...headNulProblems(file, first));
  const { head, detected } = input;
  if (input.kind === 'log-with-limits') {
    const startup = parseEvidence(input.evidence, file, head);
    opened.recycleChunks?.();
    const tee = teeHead(rechain(first, it), HARVEST_MAX_BYTES);
    const log = await scanLog(file, tee.chunks, req.rules, prefilter, { ...req, known: { head, detected } });
    return finish(`log:${log.format}`, log.lines, {
      evidence: [...(startup.evidence.facts.length > 0 ? [startup.evidence] : []), ...harvestHead(file, tee.head(), problems)],
      findings: log.findings,
      omitted: log.omitted,
      problems: log.problems,
      candidates: log.candidates,
      wrapper: log.wrapper,
    });
  }
  if (input.kind === 'evidence' || input.kind === 'crash') {
    const evidenceKind = input.kind === 'crash' ? 'hs-err' : input.evidence;
    const buf = await collect(first, it, MAX_EVIDENCE_BYTES, file, problems, opened);
    const lines = splitLines(buf);
    const parsed = parseEvidence(evidenceKind, file, lines);
    // Every file is read for failures too: a ticket that opens with `free -m` still has its stack trace.
    const log = await scanLog(file, [buf], req.rules, prefilter, req);
    if (evidenceKind !== 'hs-err') {
      const own = new Set(parsed.evidence.facts.map((f) => f.key));
      const more = harvestsKind(evidenceKind, lines) ? harvestEvidence(file, lines, evidenceKind === 'maps' ? new Set() : own) : undefined;
      const unparsed = parsed.problems.filter((p) => !(p.code === 'evidence-unparsed' && (more !== undefined || log.findings.length > 0)));
      problems.push(...unparsed);
      return finish(`evidence:${evidenceKind}`, lines.length, {
        evidence: [parsed.evidence, ...(more ? [more] : [])],
        findings: log.findings,
        omitted: log.omitted,
        problems: log.problems,
        candidates: log.candidates,
      });
    }
    problems.push(...parsed.problems);
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
  const tee = teeHead(rechain(first, it), HARVEST_MAX_BYTES);
  const log = await scanLog(file, tee.chunks, req.rules, prefilter, { ...req, known: { head, detected } });
  const embedded = harvestHead(file, tee.head(), problems);
  return finish(`log:${log.format}`, log.lines, {
    evidence: embedded,
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
  return isoInWindow(f.time?.iso, since, until);
}

/** The same test on a compact hit's time (an EventTime's iso: no zone means wall clock, read as UTC). */
function isoInWindow(time: string | null | undefined, since: Date | undefined, until: Date | undefined): boolean {
  if (!time || (!since && !until)) return true;
  const iso = /(?:Z|[+-]\d\d:?\d\d)$/.test(time) ? time : `${time}Z`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return true;
  if (since && t < since.getTime()) return false;
  if (until && t > until.getTime()) return false;
  return true;
}

function filterOutcome(out: FileOutcome, since: Date | undefined, until: Date | undefined): FileOutcome {
  if (!since && !until) return out;
  const omitted = out.omitted.flatMap((o): OmittedFindings[] => {
    const h = o.hits;
    if (!h) return [o];
    const keep = h.line.map((_, i) => i).filter((i) => isoInWindow(h.time[i], since, until));
    if (keep.length === 0) return [];
    const hits = { ...h, line: keep.map((i) => h.line[i]!), time: keep.map((i) => h.time[i] ?? null), captures: keep.map((i) => h.captures[i]!) };
    return [{ ...o, count: keep.length, hits }];
  });
  return { ...out, findings: out.findings.filter((f) => inWindow(f, since, until)), omitted };
}

/** Run a whole scan and build the report. Files are scanned on `jobs` worker threads; the result does not depend on `jobs`. */
export async function runScan(req: ScanRequest): Promise<Report> {
  // A data directory is recognised by a cheap look at its first two levels; it is walked once, below.
  const found = await discover(req.paths, {
    cwd: req.cwd,
    include: req.include,
    exclude: req.exclude,
    isDataDir: looksLikeDataDir,
    ...(req.listedAt ? { listedAt: req.listedAt } : {}),
  });
  if (req.output !== undefined) {
    const out = await fileIdentity(req.output);
    const clash = out === null ? undefined : found.sources.find((s) => s.kind === 'file' && s.id === out);
    if (clash) throw new OutputIsInput(req.outputShown ?? req.output, clash.display);
  }
  const plan = req.shard ? await planShards(found.sources, req.shard) : undefined;
  const sources = plan ? plan.own : found.sources;
  const prefilter = buildPrefilter(req.rules);
  const problems: Problem[] = [...found.problems];
  const inputs: InputInfo[] = [];
  let bytes = 0;
  let lines = 0;
  let candidates = 0;
  let findingsTotal = 0;
  const files = sources.filter((s): s is ScannableSource => s.kind === 'file' || s.kind === 'stdin');
  const bytesTotal = files.reduce((n, s) => n + (s.kind === 'file' ? s.size : 0), 0);
  let filesDone = 0;
  let bytesDone = 0;
  /** Bytes read so far of the files being scanned now (by work unit), for progress inside big files. */
  const partial = new Map<number, number>();
  let current = '';
  const report = (): void => {
    let inFlight = 0;
    for (const n of partial.values()) inFlight += n;
    req.onProgress?.({ filesDone, filesTotal: files.length, bytesDone: bytesDone + inFlight, bytesTotal, current });
  };
  const done: { source: Source; outcome?: FileOutcome; evidence?: EvidenceFile }[] = [];
  const accept = (src: ScannableSource, raw: FileOutcome): void => {
    const out = filterOutcome(raw, req.since, req.until);
    const source: Source = out.place ? { kind: 'member', display: out.info.file, scope: out.place.root, root: out.place.root, unit: out.place.unit } : src;
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
    current = src.display;
    report();
  };
  for (const src of sources) {
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
  const splitMin = req.splitMinBytes ?? SPLIT_MIN_BYTES;
  const onDisk = files.filter((f): f is FileSource => f.kind === 'file');
  // Workers for several files, or for the byte ranges of one big file.
  const workers = Math.min(jobs, onDisk.some((f) => f.size >= splitMin) ? jobs : onDisk.length);
  const pool = workers > 1 ? await startPool(workers, opts) : undefined;
  try {
    // Work units in source order: consecutive small files on disk go to a worker together (up to
    // BATCH_FILES files or BATCH_BYTES), a big file or stdin alone.
    const units: ScannableSource[][] = [];
    let cur: ScannableSource[] = [];
    let curBytes = 0;
    for (const src of files) {
      const small = pool !== undefined && src.kind === 'file' && src.size < BATCH_BYTES;
      if (!small || cur.length >= BATCH_FILES || curBytes + (src.kind === 'file' ? src.size : 0) > BATCH_BYTES) {
        if (cur.length > 0) units.push(cur);
        cur = [];
        curBytes = 0;
      }
      if (!small) {
        units.push([src]);
        continue;
      }
      cur.push(src);
      curBytes += src.kind === 'file' ? src.size : 0;
    }
    if (cur.length > 0) units.push(cur);
    const pending = new Map<number, Promise<FileOutcome[][]>>();
    // Progress inside a unit: bytes of its files read so far (a file's own count, plus the files before it).
    const progressOf = (i: number, unit: readonly ScannableSource[]) =>
      req.onProgress
        ? (k: number, bytes: number): void => {
            let before = 0;
            for (let j = 0; j < k; j++) before += unit[j]?.kind === 'file' ? (unit[j] as FileSource).size : 0;
            partial.set(i, before + bytes);
            current = unit[k]?.display ?? current;
            report();
          }
        : undefined;
    const launch = (i: number): void => {
      const unit = units[i];
      if (!unit || pending.has(i)) return;
      const onDiskOnly = unit.every((s): s is FileSource => s.kind === 'file');
      const onBytes = progressOf(i, unit);
      const big = unit.length === 1 && unit[0]!.kind === 'file' && unit[0]!.size >= splitMin ? unit[0] : undefined;
      pending.set(
        i,
        pool && big
          ? (async () => {
              const whole = await scanSplit(big, pool, opts, onBytes && ((n: number) => onBytes(0, n)));
              return whole ? [[whole]] : pool.run([big], onBytes);
            })()
          : pool && onDiskOnly
            ? pool.run(unit, onBytes)
            : (async () => {
                const outs: FileOutcome[][] = [];
                for (const [k, src] of unit.entries()) outs.push(await scanSource(src, opts, prefilter, onBytes && ((n: number) => onBytes(k, n))));
                return outs;
              })(),
      );
    };
    // Keep the pool busy a few units ahead, and accept results strictly in source order.
    const ahead = pool ? pool.size * 2 : 1;
    for (let i = 0; i < units.length; i++) {
      for (let j = i; j < Math.min(units.length, i + ahead); j++) launch(j);
      const outs = await pending.get(i)!;
      pending.delete(i);
      partial.delete(i);
      units[i]!.forEach((src, k) => acceptAll(src, outs[k] ?? []));
    }
  } finally {
    await pool?.close();
  }
  const scopes = correlate(
    done.map((d) => ({
      source: d.source,
      isLog: d.outcome?.info.role.startsWith('log:') ?? false,
      ...(d.outcome ? { findings: d.outcome.findings, omitted: d.outcome.omitted, evidence: d.outcome.evidence } : {}),
      ...(d.evidence ? { evidence: [d.evidence] } : {}),
    })),
    plan?.peers,
  ).map((s) => {
    const evidence = [...s.evidence];
    distrust(evidence, problems);
    return { ...s, evidence };
  });
  if (plan) problems.push(...roleDrift(plan, inputs));
  const incidents = sortIncidents(scopes.flatMap((s) => diagnoseScope(s)));
  const evidence = scopes.flatMap((s) => s.evidence).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
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
    rules: ruleNotes(req.rules, incidents),
    ...(plan ? { shard: plan.info } : {}),
  };
}

/** A shard's file read otherwise than its first bytes planned: the partition may have split its host. */
function roleDrift(plan: ShardPlan, inputs: readonly InputInfo[]): Problem[] {
  const out: Problem[] = [];
  const word = (r: PlannedRole): string => (r === 'log' ? 'a log' : r === 'archive' ? 'an archive' : 'not a log');
  for (const i of inputs) {
    const planned = plan.planned.get(i.file);
    if (planned === undefined) continue;
    const read: PlannedRole = i.role.startsWith('log:') ? 'log' : i.role.startsWith('archive:') ? 'archive' : 'other';
    if (read !== planned) out.push({ code: 'shard-role-mismatch', file: i.file, args: { planned: word(planned), role: i.role } });
  }
  return out;
}
