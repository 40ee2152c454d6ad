// Terminal renderer. By default one screen per incident: a verdict line per incident group,
// then per incident the cause, the failures grouped by rule ("8x rule, file:56-250, every ~2
// min") with the record's first line, the numbers the verdict used with their sources, the fix
// with copy-ready commands and where it came from. `verbose` keeps the full detail (every
// finding, the decision trail, evidence, caveats). Every line is wrapped to `width` columns.

import pc from 'picocolors';
import wrapAnsi from 'wrap-ansi';
import type { Finding, Incident, Report, SourceRef } from '../core/index.js';
import { CAUSE_LABEL, systemLabel, unitRollupPhrase, verdictHeadline } from '../core/words.js';
import { fmtBytes, fmtCount } from '../core/units.js';
import { causeCounts, incidentHost } from './hosts.js';
import { incidentRules, ruleTag, type IncidentRule } from './rule-notes.js';

export interface TextOptions {
  readonly color: boolean;
  /** Findings listed per incident with `verbose`. */
  readonly maxFindings?: number;
  /** Columns to wrap to (default 100). */
  readonly width?: number;
  /** Today's full detail: every listed finding, the decision trail, evidence and caveats. */
  readonly verbose?: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;
type Paint = (s: string) => string;

/** ESC of our own colour codes, kept apart from text read from files until the last pass. */
const MARK = '\uE000';

/**
 * picocolors' functions, emitting their codes with MARK instead of ESC: the last pass escapes
 * every control character that came from a file or log line, then turns MARK back into ESC.
 */
function markedColors(enabled: boolean): Colors {
  const real = pc.createColors(enabled);
  const out: Record<string, unknown> = { ...real };
  for (const [k, fn] of Object.entries(real)) {
    if (typeof fn !== 'function') continue;
    const [open = '', close = ''] = (fn as Paint)('\u0001').split('\u0001');
    const o = open.replaceAll('\u001b', MARK);
    const cl = close.replaceAll('\u001b', MARK);
    out[k] = (t: string) => `${o}${t}${cl}`;
  }
  return out as unknown as Colors;
}

/** The last pass over the output: file-borne control characters escaped, our colour codes restored. */
function terminalSafe(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/\uE000(\[[0-9;]{1,8}m)/g, '\u001b$1')
    .replaceAll(MARK, '\uFFFD');
}

/** Strip control characters from log-derived text so it cannot drive the terminal. */
export function safe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s;
}

function causePaint(c: Colors, cause: string): Paint {
  if (cause === 'none') return (s) => c.bold(c.green(s));
  if (cause === 'map-count-limit-low' || cause === 'other-mmap-error') return (s) => c.bold(c.yellow(s));
  if (cause === 'unknown') return (s) => c.bold(c.magenta(s));
  return (s) => c.bold(c.red(s));
}

/** Lines of `text` after `head` (a label column), wrapped to `width` with a hanging indent. */
function field(head: string, text: string, width: number, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const first = head.padEnd(indent);
  const body = wrapAnsi(text, Math.max(20, width - indent), { hard: true, trim: true });
  return body.split('\n').map((l, i) => (i === 0 ? first : pad) + l);
}

/** Words of a shell command, quotes and $(…) kept together, so it can be broken only between them. */
function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let depth = 0;
  for (let i = 0; i < cmd.length; i++) {
    const ch = cmd[i]!;
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ' ' && depth === 0) {
      if (cur) words.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur) words.push(cur);
  return words;
}

/** A copy-ready command wrapped with ` \` continuations between words (still pastes as one). */
export function wrapCommand(cmd: string, width: number, indent: string): string[] {
  // A here-document: the command line is wrapped, the document's lines are shown as they are.
  const nl = cmd.indexOf('\n');
  if (nl !== -1)
    return [
      ...wrapCommand(cmd.slice(0, nl), width, indent),
      ...cmd
        .slice(nl + 1)
        .split('\n')
        .map((l) => `${indent}  ${l}`),
    ];
  const words = shellWords(cmd);
  const out: string[] = [];
  let line = `${indent}$ `;
  let fresh = true;
  for (const w of words) {
    if (!fresh && line.length + 1 + w.length + 2 > width) {
      out.push(`${line} \\`);
      line = `${indent}    ${w}`;
      continue;
    }
    line += fresh ? w : ` ${w}`;
    fresh = false;
  }
  out.push(line);
  return out;
}

/** A path shown relative to the incident's host directory when it lies inside it. */
function short(file: string, host: string): string {
  return host && host !== '.' && file.startsWith(`${host}/`) ? file.slice(host.length + 1) : file;
}

function refs(sources: readonly SourceRef[], host = ''): string {
  const seen = new Set<string>();
  for (const s of sources) seen.add(s.line > 0 ? `${short(s.file, host)}:${s.line}` : short(s.file, host));
  const list = [...seen];
  return list.length > 3 ? `${list.slice(0, 3).join(', ')}, +${list.length - 3}` : list.join(', ');
}

function ms(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

function duration(msecs: number): string {
  const s = msecs / 1000;
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** Hits closer than this are one burst (one crash logs several lines): "every ~" counts bursts. */
const BURST_MS = 30_000;

export interface FailureGroup {
  readonly ruleId: string;
  readonly count: number;
  readonly findings: readonly Finding[];
  /** "ingester.log:56-250" or "a.log:3, b.log:9-12". */
  readonly where: string;
  /** "every ~2 min", when the hits repeat over time. */
  readonly every?: string;
  readonly first?: string;
  readonly last?: string;
}

/** Failures of one incident grouped by rule, in order of first appearance. */
export function groupFailures(inc: Incident, host: string): FailureGroup[] {
  const failures = inc.findings.filter((f) => f.signals.failure !== 'context');
  const byRule = new Map<string, Finding[]>();
  for (const f of failures) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  const listed = failures.length;
  const hidden = Math.max(0, inc.count - inc.findings.length);
  const groups: FailureGroup[] = [];
  for (const [ruleId, list] of byRule) {
    const byFile = new Map<string, number[]>();
    for (const f of list) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f.line]);
    const where = [...byFile.entries()]
      .map(([file, lines]) => {
        const lo = Math.min(...lines);
        const hi = Math.max(...lines);
        return `${short(file, host)}:${lo}${hi > lo ? `-${hi}` : ''}`;
      })
      .join(', ');
    const times = list
      .map((f) => ms(f.time?.iso))
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => a - b);
    let bursts = times.length > 0 ? 1 : 0;
    for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! > BURST_MS) bursts++;
    const span = times.length > 1 ? times[times.length - 1]! - times[0]! : 0;
    const every = bursts >= 3 && span > 0 ? `every ~${duration(span / (bursts - 1))}` : undefined;
    // Findings past the listed cap belong to the incident's first rule group (counted, not shown).
    const count = list.length + (groups.length === 0 && listed > 0 ? hidden : 0);
    const firstTime = times.length > 0 ? new Date(times[0]!).toISOString() : undefined;
    const lastTime = times.length > 1 ? new Date(times[times.length - 1]!).toISOString() : undefined;
    groups.push({
      ruleId,
      count,
      findings: list,
      where,
      ...(every ? { every } : {}),
      ...(firstTime ? { first: firstTime } : {}),
      ...(lastTime ? { last: lastTime } : {}),
    });
  }
  return groups;
}

/** The message of a group's findings: theirs when they all say the same, else the first one's marked as the first ('' for findings without one). */
export function groupMessage(g: FailureGroup): string {
  const first = g.findings[0]?.message ?? '';
  if (first === '') return '';
  return g.findings.every((f) => f.message === first) ? first : `first: ${first}`;
}

function clock(iso: string): string {
  return iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
    .replace(/Z$/, ' UTC');
}

function whenRange(g: FailureGroup): string {
  if (!g.first) return '';
  if (!g.last) return clock(g.first);
  const a = clock(g.first);
  const b = clock(g.last);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a.slice(11, 19)}–${b.slice(11)}, ${a.slice(0, 10)}` : `${a} → ${b}`;
}

/** Leading logfmt keys the report already shows (level, time, caller), dropped from an example line. */
function messageOf(text: string): string {
  return text.replace(/^(?:(?:level|lvl|ts|time|t|caller|source)=(?:"[^"]*"|\S+)\s+)+/, '');
}

/** The hit line shown on one line of `room` columns: from its start, or from just before the match when the match lies past the end. */
function aroundMatch(f: Finding, room: number): string {
  const shown = messageOf(f.text.trim());
  if (shown.length <= room || f.span === undefined) return shown;
  const at = shown.indexOf(f.text.slice(f.span[0], f.span[1]));
  if (at < 0 || at + (f.span[1] - f.span[0]) <= room - 1) return shown;
  return `…${shown.slice(Math.max(0, at - 12))}`;
}

/**
 * The example of a group: the finding's message (the rule's words, filled from its captures),
 * -C context before, the record's first line when the hit is inside the record (it names the
 * partition or tenant), the hit (one line around the match), -C context after.
 */
function exampleLines(f: Finding, manyFiles: boolean, host: string, width: number, indent: number, c: Colors): string[] {
  const pad = ' '.repeat(indent);
  const numWidth = String(Math.max(f.line, ...f.contextAfter.map((a) => a.line))).length;
  const room = Math.max(20, width - indent - numWidth - 3);
  const out: string[] = [];
  if (manyFiles) out.push(`${pad}${c.dim(short(f.file, host))}`);
  if (f.message) out.push(...field(pad, safe(f.message), width, indent));
  const line = (no: number, text: string, hit: boolean, max: number): void => {
    const label = `${no}`.padStart(numWidth);
    const all = wrapAnsi(safe(hit ? aroundMatch(f, room) : messageOf(text.trim())), room, { hard: true, trim: true }).split('\n');
    const body = all.slice(0, max);
    if (all.length > max) body[max - 1] = cut(`${body[max - 1]!} `, room);
    if (all.length > max && !body[max - 1]!.endsWith('…')) body[max - 1] = `${body[max - 1]!.slice(0, room - 1)}…`;
    body.forEach((b, i) => {
      const mark = i === 0 ? `${hit ? c.bold('>') : ' '} ${c.dim(label)} ` : ' '.repeat(numWidth + 3);
      out.push(`${pad}${mark}${hit ? b : c.dim(b)}`);
    });
  };
  for (const b of f.contextBefore) line(b.line, b.text, false, 1);
  const head = f.recordLines[0];
  if (head && f.recordStartLine < f.line && head.line !== f.line) line(head.line, head.text, false, 1);
  line(f.line, f.text, true, f.message ? 1 : 2);
  for (const a of f.contextAfter) line(a.line, a.text, false, 1);
  return out;
}

/** The incident's summary without the "System: cause label — " the header and verdict already say. */
function summaryTail(inc: Incident): string {
  const s = safe(inc.summary).replace(/\s*\(\d[\d,]* findings?\)$/, '');
  const i = s.indexOf(' — ');
  return i >= 0 ? s.slice(i + 3) : s;
}

/** The first sentence of a remediation summary (the rest is in --verbose). */
function firstSentence(s: string): string {
  const m = /^(.+?[.!])(\s|$)/.exec(s);
  return m ? m[1]! : s;
}

const INDENT = 11;

/** Most lines a rule's remediation takes in the short report (the rest is in --verbose). */
const RULE_FIX_LINES = 3;

/** A rule's remediation beside the verdict's fix: wrapped, at most RULE_FIX_LINES lines. */
function ruleFixLines(r: IncidentRule, width: number): string[] {
  const lines = field('', `rule ${r.note.id}: ${safe(r.note.remediation)}`, width, INDENT);
  if (lines.length <= RULE_FIX_LINES) return lines;
  const kept = lines.slice(0, RULE_FIX_LINES);
  kept[RULE_FIX_LINES - 1] = `${cut(kept[RULE_FIX_LINES - 1]!, width - 12)} (--verbose)`;
  return kept;
}

function compactIncident(inc: Incident, rules: readonly IncidentRule[], n: number, total: number, c: Colors, width: number, maxGroups: number): string[] {
  const host = incidentHost(inc);
  const paint = causePaint(c, inc.cause);
  const out: string[] = [];
  out.push(...field('', c.bold(`Incident ${n} of ${total}: ${systemLabel(inc.system)} (${safe(inc.process)})`) + ` — ${inc.severity}, ${inc.confidence} confidence`, width, 0));
  const tail = summaryTail(inc);
  const inTail = inc.trail.filter((t) => t.step !== 'what failed' && tail.includes(safe(t.fact)));
  const tailSrc = inTail.flatMap((t) => t.sources);
  out.push(...field('  cause', `${paint(inc.cause)} — ${tail}${tailSrc.length > 0 ? c.dim(` [${refs(tailSrc, host)}]`) : ''}`, width, INDENT));
  const groups = groupFailures(inc, host);
  groups.slice(0, maxGroups).forEach((g, i) => {
    const range = whenRange(g);
    const head = `${fmtCount(g.count)}x ${g.ruleId}, ${g.where}${g.every ? `, ${g.every}` : ''}${range ? ` (${range})` : ''}`;
    out.push(...field(i === 0 ? '  failed' : '', head, width, INDENT));
    out.push(...exampleLines(g.findings[0]!, g.where.includes(', '), host, width, INDENT, c));
  });
  if (groups.length > maxGroups) out.push(`${' '.repeat(INDENT)}… ${groups.length - maxGroups} more rule groups (--verbose)`);
  if (groups.length === 0 && inc.count > 0) out.push(...field('  failed', `${fmtCount(inc.count)} findings (context lines only)`, width, INDENT));
  const numbers = inc.trail.filter((t) => t.step !== 'what failed' && !tail.includes(safe(t.fact)));
  numbers.forEach((t, i) => {
    const src = t.sources.length > 0 ? c.dim(` [${refs(t.sources, host)}]`) : '';
    out.push(...field(i === 0 ? '  numbers' : '', `${t.step}: ${safe(t.fact)}${src}`, width, INDENT));
  });
  // A bare count (wc -l, a maps-count file) has no classes: the cause line already shows it.
  if (inc.maps && inc.maps.classes.length > 0) {
    const m = inc.maps;
    const classes = m.classes
      .slice(0, 5)
      .map((k) => `${k.class} ${fmtCount(k.count)}`)
      .join(' · ');
    out.push(
      ...field('  map', `${fmtCount(m.regions)} regions${m.complete ? '' : ' (cut short: a lower bound)'}: ${classes}${c.dim(` [${short(m.source.file, host)}]`)}`, width, INDENT),
    );
  }
  const r = inc.remediation;
  out.push(...field('  fix', c.bold(firstSentence(safe(r.summary))), width, INDENT));
  const titles: string[] = [];
  for (const s of r.steps) {
    if (s.commands.length === 0) {
      titles.push(s.title);
      continue;
    }
    for (const cmd of s.commands) for (const l of wrapCommand(cmd, width, ' '.repeat(INDENT))) out.push(c.cyan(l));
  }
  if (titles.length > 0) out.push(...field('', `also: ${titles.join('; ')} (--verbose)`, width, INDENT));
  for (const rule of rules) if (rule.fixShown) out.push(...ruleFixLines(rule, width));
  if (r.capture.length > 0) out.push(...field('  capture', r.capture.join('; '), width, INDENT));
  const ruleIds = [...new Set(inc.findings.map((f) => f.ruleId))].sort();
  const ev = [...new Set(inc.evidence.map((e) => short(e.file, host)))];
  const from = [`rule${ruleIds.length === 1 ? '' : 's'} ${ruleIds.join(', ') || 'none'}`, ev.length > 0 ? `evidence ${ev.join(', ')}` : 'no evidence files'];
  out.push(...field('  from', c.dim(from.join('; ')), width, INDENT));
  return out;
}

function verboseIncident(inc: Incident, rules: readonly IncidentRule[], n: number, total: number, c: Colors, maxFindings: number, width: number): string[] {
  const out: string[] = [];
  const w = (head: string, text: string, indent: number): void => {
    out.push(...field(head, text, width, indent));
  };
  out.push(c.bold(`Incident ${n} of ${total}: ${systemLabel(inc.system)} (${safe(inc.process)})`) + `  [${inc.severity}]`);
  w('  cause:', `${causePaint(c, inc.cause)(inc.cause)} — ${CAUSE_LABEL[inc.cause]}`, 14);
  w('  confidence:', inc.confidence, 14);
  w('  summary:', safe(inc.summary), 14);
  if (inc.firstSeen) w('  seen:', `${inc.firstSeen}${inc.lastSeen && inc.lastSeen !== inc.firstSeen ? ` → ${inc.lastSeen}` : ''} (${fmtCount(inc.count)} findings)`, 14);
  const failures = inc.findings.filter((f) => f.signals.failure !== 'context');
  if (failures.length > 0) {
    out.push('', c.bold('  What failed'));
    for (const f of failures.slice(0, maxFindings)) {
      out.push(`    ${f.file}:${f.line}  ${c.dim(`[${f.ruleId}]`)}`);
      if (f.message) w('      ', safe(f.message), 6);
      out.push(`      ${c.dim(cut(safe(f.text.trim()), Math.max(20, width - 6)))}`);
    }
    const more = inc.count - Math.min(failures.length, maxFindings);
    if (more > 0) w('    ', `… ${fmtCount(more)} more finding${more === 1 ? '' : 's'}, context lines included (see --format json)`, 4);
  }
  out.push('', c.bold('  Decision trail'));
  inc.trail.forEach((t, i) => {
    w(`    ${i + 1}.`, `${t.step}: ${safe(t.fact)}${t.sources.length > 0 ? c.dim(`  [${refs(t.sources)}]`) : ''}`, 7);
    w('', `→ ${t.outcome}`, 7);
  });
  if (inc.evidence.length > 0) {
    out.push('', c.bold('  Evidence used'));
    for (const e of inc.evidence) w('', `${e.file} (${e.kind}): ${e.reason}`, 4);
  }
  if (inc.maps) {
    const m = inc.maps;
    out.push('', ...field('', c.bold(`  Memory map (${m.source.file}): ${fmtCount(m.regions)} regions${m.complete ? '' : ' (cut short: a lower bound)'}`), width, 0));
    w(
      '',
      m.classes
        .slice(0, 8)
        .map((k) => `${k.class} ${fmtCount(k.count)}`)
        .join(' · '),
      4,
    );
    if (m.units?.length) w('', `by what you control: ${m.units.map((u) => `${unitRollupPhrase(u)} (${fmtCount(u.regions)} regions)`).join(' · ')}`, 4);
    for (const t of m.top.slice(0, 5)) w(`    ${fmtCount(t.count).padStart(8)}`, `${safe(t.name)} (${t.class}, ${fmtBytes(t.bytes)})`, 14);
  }
  const r = inc.remediation;
  out.push('', c.bold('  Fix'));
  w('', safe(r.summary), 4);
  if (r.neededMapCount)
    w('', `needed: ${fmtCount(r.neededMapCount.value)} map areas — ${r.neededMapCount.basis}${r.neededMapCount.sources.length ? ` [${refs(r.neededMapCount.sources)}]` : ''}`, 4);
  for (const s of r.steps) {
    w('    •', `${s.title}: ${s.detail}`, 6);
    for (const cmd of s.commands) for (const l of wrapCommand(cmd, width, '        ')) out.push(c.cyan(l));
  }
  if (rules.length > 0) {
    out.push('', c.bold('  What the rules say'));
    for (const { note } of rules) {
      const tag = ruleTag(note);
      w('    •', `${note.id}${tag ? ` (${tag})` : ''}: ${safe(note.title)}`, 6);
      w('', safe(note.explanation), 6);
      w('      fix:', safe(note.remediation), 11);
      note.references.forEach((ref, i) => w(i === 0 ? '      see:' : '', safe(ref), 11));
    }
  }
  if (r.capture.length > 0) {
    out.push('', c.bold('  Capture next'));
    for (const x of r.capture) w('    •', x, 6);
  }
  if (inc.caveats.length > 0) {
    out.push('', c.bold('  Caveats'));
    for (const x of inc.caveats) w('    •', safe(x), 6);
  }
  return out;
}

/** The incidents table (host, system, cause, confidence, findings), aligned; only with 2+ incidents. */
export function incidentsTable(report: Report): string[][] {
  const root = report.roots.length === 1 ? report.roots[0]!.replace(/\/+$/, '') : '';
  const rel = (h: string): string => (root && h.startsWith(`${root}/`) ? h.slice(root.length + 1) : h || '.');
  return report.incidents.map((inc, i) => [String(i + 1), rel(incidentHost(inc)), systemLabel(inc.system), inc.cause, inc.confidence, fmtCount(inc.count)]);
}

function alignedTable(head: readonly string[], rows: readonly (readonly string[])[], width: number): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const hostCol = 1;
  const fixed = widths.reduce((a, b, i) => (i === hostCol ? a : a + b + 2), 2);
  widths[hostCol] = Math.max(8, Math.min(widths[hostCol]!, width - fixed));
  const fmt = (r: readonly string[]): string => `  ${r.map((v, i) => (i === r.length - 1 ? v : cut(v, widths[i]!).padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

export function verdictLine(report: Report): string {
  const top = report.incidents[0];
  if (report.verdict === 'none' || report.verdict === 'nothing-read') return verdictHeadline(report.verdict);
  if (report.incidents.length > 1) {
    const counts = causeCounts(report.incidents).map(([cause, k]) => `${fmtCount(k)} ${cause}`);
    return `${fmtCount(report.incidents.length)} incidents: ${counts.join(', ')}`;
  }
  return `${CAUSE_LABEL[report.verdict]}${top ? ` (${top.confidence} confidence, ${systemLabel(top.system)})` : ''}`;
}

export function renderText(report: Report, opts: TextOptions): string {
  const c = markedColors(opts.color);
  const width = Math.max(40, opts.width ?? 100);
  const out: string[] = [];
  const verdict = report.verdict;
  out.push(...field('', `${causePaint(c, verdict === 'nothing-read' ? 'unknown' : verdict)(`VERDICT: ${verdict}`)} — ${verdictLine(report)}`, width, 0));
  const s = report.stats;
  const scanned =
    `scanned ${fmtCount(s.files)} file${s.files === 1 ? '' : 's'}, ${fmtBytes(s.bytes)}, ${fmtCount(s.lines)} lines with ${s.rules} rules; ` +
    `${fmtCount(report.incidents.length)} incident${report.incidents.length === 1 ? '' : 's'}, ${fmtCount(s.findings)} findings`;
  if (report.incidents.length > 1) {
    out.push('', c.bold(report.groups && report.mergedFrom ? `Incidents (merged from ${report.mergedFrom.length} results)` : 'Incidents'));
    out.push(...alignedTable(['#', 'host', 'system', 'cause', 'confidence', 'findings'], incidentsTable(report), width));
  }
  report.incidents.forEach((inc, i) => {
    out.push('');
    const rules = incidentRules(report, inc);
    if (opts.verbose) out.push(...verboseIncident(inc, rules, i + 1, report.incidents.length, c, opts.maxFindings ?? 8, width));
    else out.push(...compactIncident(inc, rules, i + 1, report.incidents.length, c, width, 3));
  });
  if (report.problems.length > 0) {
    const shown = opts.verbose ? report.problems : report.problems.slice(0, 5);
    out.push('', c.bold(`Problems (${report.problems.length})`));
    for (const pr of shown) out.push(...field(`  ${pr.severity.padEnd(7)}`, safe(pr.message), width, 10));
    if (shown.length < report.problems.length) out.push(`  … ${report.problems.length - shown.length} more (--verbose)`);
  }
  out.push('');
  out.push(...field('', scanned, width, 0));
  if (opts.verbose) {
    const roles = new Map<string, number>();
    for (const i of report.inputs) roles.set(i.role, (roles.get(i.role) ?? 0) + 1);
    out.push(
      ...field(
        '',
        `Inputs: ${
          [...roles.entries()]
            .sort()
            .map(([r, n]) => `${r} ×${n}`)
            .join(', ') || 'none'
        }`,
        width,
        0,
      ),
    );
  } else if (report.incidents.length > 0) {
    out.push(...field('', c.dim('--verbose: every finding, the decision trail and caveats; -o report.html: the postmortem'), width, 0));
  }
  return terminalSafe(`${out.map((l) => l.trimEnd()).join('\n')}\n`);
}
