// The typed view model of the HTML report: every number formatted, every file:line resolved
// to an anchor, every chart laid out (SVG coordinates computed here), so the Handlebars
// templates only loop and branch. The Markdown renderer reads the same model.

import { createHash } from 'node:crypto';
import type { Cause, Finding, Incident, Report, SourceRef } from '../core/index.js';
import { BYTE_FACT_KEYS, CAUSE_LABEL, systemLabel, unitRollupPhrase, verdictHeadline } from '../core/words.js';
import { fmtBytes, fmtCount, fmtPercent } from '../core/units.js';
import { incidentRules, referenceHref, ruleTag } from './rule-notes.js';

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export type Tone = Cause | 'none' | 'nothing-read';

export interface LinkView {
  readonly label: string;
  /** `#…` when the report shows that line (an excerpt, an evidence fact or the input row). */
  readonly href?: string;
}

export interface VerdictView {
  readonly cause: Tone;
  readonly headline: string;
  readonly failed: boolean;
  readonly confidence?: string;
  readonly system?: string;
  readonly process?: string;
  readonly summary?: string;
  readonly fix?: string;
  readonly firstCommand?: string;
  readonly scanned: string;
  readonly incidentCount: string;
  readonly otherIncidents?: string;
}

export interface LocationView {
  readonly link: LinkView;
  readonly ruleId: string;
  /** The rule's message filled from the finding's captures. */
  readonly message: string;
  readonly time?: string;
  readonly text: string;
}

export interface TrailStepView {
  readonly n: number;
  readonly step: string;
  readonly fact: string;
  readonly outcome: string;
  readonly sources: readonly LinkView[];
}

export interface BarView {
  readonly label: string;
  readonly value: string;
  readonly detail: string;
  readonly y: number;
  readonly textY: number;
  readonly width: number;
  readonly valueX: number;
  /** Bar length in percent of the longest bar (the HTML draws bars as rows, so text keeps its size on a phone). */
  readonly pct: number;
  readonly cls: string;
}

export interface BarChartView {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly labelWidth: number;
  readonly barX: number;
  readonly bars: readonly BarView[];
}

export interface GaugeView {
  readonly width: number;
  readonly height: number;
  readonly trackX: number;
  readonly trackWidth: number;
  readonly fillWidth: number;
  readonly limitX: number;
  readonly limitAnchor: 'start' | 'middle' | 'end';
  readonly neededX?: number;
  readonly neededAnchor?: 'start' | 'middle' | 'end';
  readonly tone: 'ok' | 'warn' | 'over';
  readonly countLabel: string;
  readonly limitLabel: string;
  readonly neededLabel?: string;
  readonly percent: string;
  readonly assumed: boolean;
  readonly caption: string;
}

export interface MapsView {
  readonly source: LinkView;
  readonly regions: string;
  readonly complete: boolean;
  readonly kind: string;
  readonly classes?: BarChartView;
  /** Regions by what the user controls ("2,000 tenants × 33 map areas"), before the top groups. */
  readonly units: readonly { readonly phrase: string; readonly regions: string; readonly share: string; readonly bytes: string }[];
  readonly top?: BarChartView;
  readonly topRows: readonly { readonly name: string; readonly cls: string; readonly count: string; readonly bytes: string }[];
}

export interface MemoryRowView {
  readonly label: string;
  readonly value: string;
  /** Bar length in percent of the largest finite value shown (0 for a negative headroom or no limit). */
  readonly pct: number;
  /** request, room (what was free), limit, used, short (a negative headroom). */
  readonly cls: 'request' | 'room' | 'limit' | 'used' | 'short';
  readonly sources: readonly LinkView[];
}

/** The memory picture of a memory verdict: the failed request against what was free and every limit, from the incident's numbers only. */
export interface MemoryView {
  readonly rows: readonly MemoryRowView[];
  readonly caption: string;
}

export interface StepView {
  readonly title: string;
  readonly detail: string;
  readonly commands: readonly string[];
  readonly hasCommands: boolean;
}

export interface RemediationView {
  readonly summary: string;
  readonly recommended?: string;
  readonly needed?: { readonly value: string; readonly basis: string; readonly sources: readonly LinkView[] };
  readonly steps: readonly StepView[];
  readonly capture: readonly string[];
}

export interface ExcerptLineView {
  readonly no: number;
  readonly id?: string;
  readonly hit: boolean;
  readonly context: boolean;
  readonly pre: string;
  readonly match: string;
  readonly post: string;
}

export interface ExcerptView {
  readonly id: string;
  readonly ref: string;
  readonly ruleId: string;
  readonly time?: string;
  readonly level?: string;
  readonly logger?: string;
  readonly lines: readonly ExcerptLineView[];
  readonly more: readonly ExcerptLineView[];
  readonly moreLabel?: string;
}

/** A rule behind an incident's findings, in its own words. */
export interface RuleNoteView {
  readonly id: string;
  readonly title: string;
  /** "user rule", "experimental"…; absent for a stable bundled rule. */
  readonly tag?: string;
  readonly explanation: string;
  readonly remediation: string;
  /** The rule's remediation adds to the verdict's fix (a user rule, or a verdict that could not be specific). */
  readonly fixShown: boolean;
  readonly references: readonly LinkView[];
}

export interface IncidentView {
  readonly id: string;
  readonly n: number;
  readonly title: string;
  readonly cause: Cause;
  readonly causeLabel: string;
  readonly confidence: string;
  readonly severity: string;
  readonly system: string;
  readonly process: string;
  readonly summary: string;
  readonly seen?: string;
  readonly count: string;
  readonly locations: readonly LocationView[];
  readonly locationsOmitted?: string;
  readonly trail: readonly TrailStepView[];
  readonly evidence: readonly { readonly link: LinkView; readonly kind: string; readonly reason: string }[];
  readonly gauge?: GaugeView;
  readonly memory?: MemoryView;
  readonly maps?: MapsView;
  readonly remediation: RemediationView;
  readonly rules: readonly RuleNoteView[];
  readonly caveats: readonly string[];
  readonly excerpts: readonly ExcerptView[];
  readonly excerptsOmitted?: string;
}

export interface TimelineView {
  readonly width: number;
  readonly height: number;
  readonly plotX: number;
  readonly plotWidth: number;
  readonly axisY: number;
  readonly ticks: readonly { readonly x: number; readonly label: string }[];
  readonly lanes: readonly { readonly y: number; readonly lineY: number; readonly label: string }[];
  readonly marks: readonly { readonly x: number; readonly y: number; readonly kind: string; readonly title: string; readonly href?: string }[];
  readonly legend: readonly { readonly kind: string; readonly label: string; readonly count: string }[];
  readonly range: string;
  readonly untimed?: string;
  readonly zoneNote?: string;
}

export interface FactRowView {
  readonly id?: string;
  readonly ref: string;
  readonly key: string;
  readonly value: string;
  readonly method?: string;
}

export interface EvidenceView {
  readonly file: string;
  readonly kind: string;
  readonly facts: readonly FactRowView[];
  readonly collapsed: boolean;
}

export interface ReportView {
  readonly title: string;
  readonly toolVersion: string;
  readonly generatedAt: string;
  readonly roots: string;
  readonly verdict: VerdictView;
  readonly incidents: readonly IncidentView[];
  readonly hasIncidents: boolean;
  /** Some incident has rule notes to show. */
  readonly hasRuleNotes: boolean;
  readonly timeline?: TimelineView;
  readonly caveats: readonly { readonly incident: string; readonly href: string; readonly text: string }[];
  readonly problems: readonly { readonly severity: string; readonly message: string; readonly link?: LinkView }[];
  readonly inputs: readonly { readonly id: string; readonly file: string; readonly role: string; readonly size: string; readonly lines: string; readonly sha256: string }[];
  readonly inputsTotal: string;
  readonly evidence: readonly EvidenceView[];
  readonly hasAppendix: boolean;
}

export interface ViewOptions {
  /** Excerpts shown per incident in the appendix (default 20). */
  readonly maxExcerptsPerIncident?: number;
}

export const DEFAULT_MAX_EXCERPTS = 20;
const MAX_SHOWN_LINE = 1000;
const VISIBLE_AFTER_HIT = 4;
const MAX_LOCATIONS = 12;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmtCount(n)} ${n === 1 ? one : many}`;
}

function refLabel(s: SourceRef): string {
  return s.line > 0 ? `${s.file}:${s.line}` : s.file;
}

function anchorId(prefix: string, key: string): string {
  return `${prefix}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** Control characters and line/paragraph separators of log text made visible (`\u2028`). */
export function visible(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Parse an ISO time for placing it on the axis; times without an offset are read as written (UTC). */
function timeMs(iso: string): number | undefined {
  const withZone = /(?:Z|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`;
  const t = Date.parse(withZone);
  return Number.isNaN(t) ? undefined : t;
}

function isoShort(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC');
}

/** Registry of the anchors the report defines, so a link is only made to something shown. */
class Anchors {
  private readonly lines = new Map<string, string>();
  private readonly files = new Map<string, string>();

  defineLine(file: string, line: number): string | undefined {
    const key = `${file}:${line}`;
    if (this.lines.has(key)) return undefined;
    const id = anchorId('L', key);
    this.lines.set(key, id);
    return id;
  }

  defineFile(file: string): string {
    const id = anchorId('input', file);
    this.files.set(file, id);
    return id;
  }

  link(s: SourceRef): LinkView {
    const label = refLabel(s);
    const line = s.line > 0 ? this.lines.get(`${s.file}:${s.line}`) : undefined;
    if (line) return { label, href: `#${line}` };
    const file = this.files.get(s.file);
    return file ? { label, href: `#${file}` } : { label };
  }
}

function excerptLine(no: number, text: string, id: string | undefined, hit: boolean, context: boolean, match?: readonly [number, number]): ExcerptLineView {
  let [s, e] = match ?? [0, 0];
  let body = text;
  let lead = '';
  let tail = '';
  if (body.length > MAX_SHOWN_LINE) {
    const from = e > s && e > MAX_SHOWN_LINE ? Math.max(0, s - 200) : 0;
    const to = Math.min(body.length, from + MAX_SHOWN_LINE);
    lead = from > 0 ? '…' : '';
    tail = to < body.length ? `… (${fmtCount(body.length - to)} more characters)` : '';
    body = body.slice(from, to);
    s = Math.max(0, s - from);
    e = Math.min(body.length, Math.max(0, e - from));
  }
  const base = { no, hit, context, ...(id ? { id } : {}) };
  if (e > s) return { ...base, pre: lead + visible(body.slice(0, s)), match: visible(body.slice(s, e)), post: visible(body.slice(e)) + tail };
  return { ...base, pre: lead + visible(body) + tail, match: '', post: '' };
}

/** Where the first regex matched, located in the hit line as shown (the message may be a part of it). */
function matchInLine(f: Finding, lineText: string): readonly [number, number] | undefined {
  if (!f.span) return undefined;
  const [s, e] = f.span;
  if (e <= s || e > f.text.length) return undefined;
  if (lineText === f.text) return [s, e];
  const matched = f.text.slice(s, e);
  const offset = lineText.indexOf(f.text);
  if (offset >= 0) return [offset + s, offset + e];
  const at = lineText.indexOf(matched);
  return at >= 0 ? [at, at + matched.length] : undefined;
}

function buildExcerpt(f: Finding, id: string, anchors: Anchors): ExcerptView {
  const all: ExcerptLineView[] = [];
  let hitIndex = -1;
  const push = (l: { line: number; text: string }, context: boolean): void => {
    const hit = !context && l.line === f.line;
    if (hit) hitIndex = all.length;
    all.push(excerptLine(l.line, l.text, anchors.defineLine(f.file, l.line), hit, context, hit ? matchInLine(f, l.text) : undefined));
  };
  for (const l of f.contextBefore) push(l, true);
  for (const l of f.recordLines) push(l, false);
  for (const l of f.contextAfter) push(l, true);
  if (hitIndex < 0) {
    hitIndex = all.length;
    all.push(excerptLine(f.line, f.text, anchors.defineLine(f.file, f.line), true, false, f.span));
  }
  const visibleEnd = Math.min(all.length, hitIndex + 1 + VISIBLE_AFTER_HIT);
  const keepAll = all.length <= visibleEnd + 2;
  const lines = keepAll ? all : all.slice(0, visibleEnd);
  const more = keepAll ? [] : all.slice(visibleEnd);
  return {
    id,
    ref: `${f.file}:${f.line}`,
    ruleId: f.ruleId,
    ...(f.time ? { time: f.time.iso } : {}),
    ...(f.level ? { level: f.level } : {}),
    ...(f.logger ? { logger: f.logger } : {}),
    lines,
    more,
    ...(more.length > 0 ? { moreLabel: `${plural(more.length, 'more line')} of this record (${more[0]?.no}–${more[more.length - 1]?.no})` } : {}),
  };
}

const MAP_CAUSES: ReadonlySet<Cause> = new Set(['map-count-exhaustion', 'map-count-limit-low', 'unknown']);

/** The gauge reads only the incident's numbers (computed once in diagnose), never raw evidence. */
function buildGauge(inc: Incident): GaugeView | undefined {
  const n = inc.numbers;
  const count = n.mapCount?.value;
  const needed = n.mapCountNeeded?.value;
  const assumed = n.mapLimit.origin === 'assumed';
  if (count === undefined && needed === undefined) return undefined;
  if (assumed && !MAP_CAUSES.has(inc.cause)) return undefined;
  const limit = n.mapLimit.value;
  if (!Number.isFinite(limit) || limit <= 0) return undefined;
  const observed = count ?? 0;
  const scaleMax = Math.max(limit, observed, needed ?? 0) * 1.12;
  const width = 720;
  const trackX = 0;
  const trackWidth = width;
  const x = (v: number): number => Math.round((v / scaleMax) * trackWidth * 10) / 10;
  const ratio = (count ?? needed ?? 0) / limit;
  const tone = ratio >= 0.98 ? 'over' : ratio >= 0.8 ? 'warn' : 'ok';
  const usedNeeded = needed !== undefined && needed > limit && (count === undefined || needed > count);
  const anchor = (px: number): 'start' | 'middle' | 'end' => (px > trackWidth * 0.75 ? 'end' : px < trackWidth * 0.25 ? 'start' : 'middle');
  return {
    width,
    height: 64,
    trackX,
    trackWidth,
    fillWidth: x(count ?? needed ?? 0),
    limitX: x(limit),
    limitAnchor: anchor(x(limit)),
    ...(usedNeeded ? { neededX: x(needed), neededAnchor: anchor(x(needed)), neededLabel: `needed ${fmtCount(needed)}` } : {}),
    tone,
    countLabel: count !== undefined ? `${fmtCount(count)} map areas${n.mapCount?.lowerBound ? ' (at least)' : ''}` : `${fmtCount(needed ?? 0)} map areas needed (predicted)`,
    limitLabel: `vm.max_map_count ${fmtCount(limit)}${assumed ? ' (assumed default)' : ''}`,
    percent: fmtPercent(ratio, 1),
    assumed,
    caption: count !== undefined ? 'map areas in use against the limit' : 'map areas the data needs against the limit',
  };
}

const MEMORY_CAUSES: ReadonlySet<Cause> = new Set(['memory-exhaustion', 'cgroup-memory-limit', 'address-space-limit']);

/** The memory picture reads only the incident's numbers (requests, headrooms and the winning facts), never raw evidence. */
function buildMemory(inc: Incident, anchors: Anchors): MemoryView | undefined {
  if (!MEMORY_CAUSES.has(inc.cause)) return undefined;
  const n = inc.numbers;
  const f = n.facts;
  const rows: { label: string; bytes: number; cls: MemoryRowView['cls']; sources: readonly SourceRef[] }[] = [];
  const fact = (key: keyof typeof f, label: string, cls: MemoryRowView['cls']): void => {
    const u = f[key];
    if (u) rows.push({ label, bytes: u.value, cls, sources: u.source ? [u.source] : [] });
  };
  const requests = [...n.requests].sort((a, b) => b.bytes - a.bytes);
  const largest = requests[0];
  if (largest) rows.push({ label: requests.length > 1 ? 'largest failed request' : 'failed request', bytes: largest.bytes, cls: 'request', sources: [largest.source] });
  fact('mem-available', 'MemAvailable', 'room');
  fact('swap-free', 'free swap', 'room');
  if (n.memoryHeadroom) rows.push({ label: 'MemAvailable + free swap', bytes: n.memoryHeadroom.value, cls: 'room', sources: n.memoryHeadroom.sources });
  fact('commit-limit', 'CommitLimit', 'limit');
  fact('committed-as', 'Committed_AS', 'used');
  if (n.commitHeadroom) {
    const h = n.commitHeadroom.value;
    rows.push({ label: h < 0 ? 'over the commit limit' : 'commit headroom', bytes: Math.abs(h), cls: h < 0 ? 'short' : 'room', sources: n.commitHeadroom.sources });
  }
  fact('cgroup-memory-limit', 'cgroup memory limit', 'limit');
  fact('cgroup-memory-usage', 'cgroup memory usage', 'used');
  fact('cgroup-memory-max-usage', 'cgroup peak usage', 'used');
  fact('rlimit-as', 'ulimit -v (RLIMIT_AS)', 'limit');
  fact('vm-size', 'process size (VmSize)', 'used');
  if (rows.length === 0 || (rows.length === 1 && largest)) return undefined;
  const max = Math.max(...rows.map((r) => (Number.isFinite(r.bytes) ? r.bytes : 0)), 1);
  const room = n.memoryHeadroom?.value;
  const cgLimit = f['cgroup-memory-limit']?.value;
  const cgUsed = (f['cgroup-memory-max-usage'] ?? f['cgroup-memory-usage'])?.value;
  const cgroupCaption =
    inc.cause === 'cgroup-memory-limit' && cgLimit !== undefined && Number.isFinite(cgLimit) && cgUsed !== undefined
      ? `The container used ${fmtBytes(cgUsed)} of its ${fmtBytes(cgLimit)} limit (${fmtPercent(cgUsed, cgLimit)})` +
        (room !== undefined ? ` while the host had ${fmtBytes(room)} available with swap.` : '.')
      : undefined;
  const caption =
    cgroupCaption ??
    (largest && room !== undefined
      ? largest.bytes > room
        ? `The request (${fmtBytes(largest.bytes)}) is larger than the memory available with swap (${fmtBytes(room)}).`
        : `The request (${fmtBytes(largest.bytes)}) is smaller than the memory available with swap (${fmtBytes(room)}): a limit below refused it.`
      : 'What was free and every memory limit captured for this process.');
  return {
    rows: rows.map((r) => ({
      label: r.label,
      value: !Number.isFinite(r.bytes) ? 'unlimited' : r.cls === 'short' ? `−${fmtBytes(r.bytes)}` : fmtBytes(r.bytes),
      pct: r.cls === 'short' || !Number.isFinite(r.bytes) ? 0 : Math.max(0.5, Math.round((r.bytes / max) * 1000) / 10),
      cls: r.cls,
      // The file's base name keeps the row on one line; the link leads to the full line.
      sources: r.sources.map((s) => ({ ...anchors.link(s), label: refLabel({ file: s.file.slice(s.file.lastIndexOf('/') + 1), line: s.line }) })),
    })),
    caption,
  };
}

function barChart(title: string, rows: readonly { label: string; value: number; detail: string; cls: string }[], labelWidth: number): BarChartView | undefined {
  if (rows.length === 0) return undefined;
  const rowH = 24;
  const chartWidth = 900;
  const barX = labelWidth + 8;
  const barMax = chartWidth - barX - 150;
  const max = Math.max(...rows.map((r) => r.value), 1);
  const bars = rows.map((r, i) => ({
    label: r.label,
    value: fmtCount(r.value),
    detail: r.detail,
    y: i * rowH + 4,
    textY: i * rowH + 19,
    width: Math.max(1.5, Math.round((r.value / max) * barMax * 10) / 10),
    valueX: barX + Math.max(1.5, Math.round((r.value / max) * barMax * 10) / 10) + 6,
    pct: Math.max(0.5, Math.round((r.value / max) * 1000) / 10),
    cls: r.cls,
  }));
  return { title, width: chartWidth, height: rows.length * rowH + 8, labelWidth, barX, bars };
}

function buildMaps(inc: Incident, anchors: Anchors): MapsView | undefined {
  const m = inc.maps;
  if (!m) return undefined;
  const classes = barChart(
    'Regions by class',
    m.classes.slice(0, 12).map((c) => ({ label: c.class, value: c.count, detail: fmtBytes(c.bytes), cls: c.class })),
    200,
  );
  const top = barChart(
    'Top files and groups by regions',
    m.top.slice(0, 10).map((t) => ({ label: cut(t.name, 44), value: t.count, detail: fmtBytes(t.bytes), cls: t.class })),
    330,
  );
  return {
    source: anchors.link(m.source),
    regions: fmtCount(m.regions),
    complete: m.complete,
    kind: m.kind,
    ...(classes ? { classes } : {}),
    units: (m.units ?? []).map((u) => ({
      phrase: unitRollupPhrase(u),
      regions: fmtCount(u.regions),
      share: fmtPercent(u.regions, Math.max(1, m.regions)),
      bytes: fmtBytes(u.bytes),
    })),
    ...(top ? { top } : {}),
    topRows: m.top.map((t) => ({ name: t.name, cls: t.class, count: fmtCount(t.count), bytes: fmtBytes(t.bytes) })),
  };
}

function eventKind(f: Finding): string {
  if (f.signals.failure === 'oom-kill') return 'kill';
  if (f.format === 'hs-err') return 'crash';
  if (f.signals.failure === 'limit-warning') return 'warning';
  if (f.signals.failure === 'context') return 'context';
  return 'error';
}

const KIND_LABEL: Record<string, string> = {
  error: 'mmap / allocation failure',
  crash: 'crash (hs_err)',
  kill: 'OOM kill',
  warning: 'limit warning',
  context: 'context',
};

function buildTimeline(report: Report, findingAnchor: (f: Finding) => string | undefined): TimelineView | undefined {
  const all = report.incidents.flatMap((i) => i.findings);
  const timed = all.filter((f) => f.time && timeMs(f.time.iso) !== undefined);
  if (timed.length === 0) return undefined;
  const files = [...new Set(timed.map((f) => f.file))].sort();
  const times = timed.map((f) => timeMs(f.time?.iso ?? '') ?? 0);
  const min = Math.min(...times);
  const max = Math.max(...times);
  const plotX = 250;
  const plotWidth = 620;
  const laneH = 30;
  const top = 10;
  const span = max - min;
  const axis = timeAxis(min, max);
  const x = (t: number): number => Math.round((plotX + ((t - axis.from) / (axis.to - axis.from)) * plotWidth) * 10) / 10;
  const lanes = files.map((file, i) => ({ y: top + i * laneH + 19, lineY: top + i * laneH + 15, label: file.length > 34 ? `…${file.slice(-33)}` : file }));
  const laneOf = new Map(files.map((f, i) => [f, top + i * laneH + 15]));
  const marks = timed
    .map((f) => {
      const t = timeMs(f.time?.iso ?? '') ?? min;
      const href = findingAnchor(f);
      return {
        x: x(t),
        y: laneOf.get(f.file) ?? 0,
        kind: eventKind(f),
        title: `${isoShort(f.time?.iso ?? '')} ${f.file}:${f.line} ${f.ruleId}`,
        ...(href ? { href } : {}),
        t,
      };
    })
    .sort((a, b) => a.t - b.t || a.y - b.y)
    .map(({ t: _t, ...m }) => m);
  const axisY = top + files.length * laneH + 8;
  const ticks = axis.ticks.map((t) => ({ x: x(t.t), label: t.label }));
  const counts = new Map<string, number>();
  for (const m of marks) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  const legend = [...counts.entries()].sort().map(([kind, n]) => ({ kind, label: KIND_LABEL[kind] ?? kind, count: fmtCount(n) }));
  const untimed = all.length - timed.length;
  const zoneless = timed.some((f) => f.time && !f.time.hasOffset);
  const minIso = new Date(min).toISOString();
  const maxIso = new Date(max).toISOString();
  return {
    // Room right of the plot for half of the widest label ("2025-03-11 04:19", where a merged report's day changes).
    width: plotX + plotWidth + 70,
    height: axisY + 30,
    plotX,
    plotWidth,
    axisY,
    ticks,
    lanes,
    marks,
    legend,
    range: span === 0 ? isoShort(minIso) : `${isoShort(minIso)} → ${isoShort(maxIso)} (${fmtDuration(span)})`,
    ...(untimed > 0 ? { untimed: `${plural(untimed, 'listed finding')} without a timestamp (crash files) not on the axis` } : {}),
    ...(zoneless ? { zoneNote: 'some timestamps carry no time zone: they are placed as written' } : {}),
  };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Round tick steps, smallest first: milliseconds to weeks. */
const TICK_STEPS = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
];
const MAX_TICKS = 6;

/**
 * A time axis over [min, max] (epoch ms, UTC): the domain widened to whole steps of a round
 * size (1-2-5 ms…s, 15/30 s, minutes, hours, days) with at most six ticks, so no two labels
 * read the same; a zero span is given a second either side. Labels carry the date on the first
 * tick and where the day changes, milliseconds only when the step is below a second.
 */
export function timeAxis(min: number, max: number): { from: number; to: number; ticks: { t: number; label: string }[] } {
  const lo = max > min ? min : min - SECOND;
  const hi = max > min ? max : max + SECOND;
  const step = TICK_STEPS.find((st) => Math.ceil(hi / st) - Math.floor(lo / st) <= MAX_TICKS - 1) ?? Math.ceil((hi - lo) / (MAX_TICKS - 1) / DAY) * DAY;
  const from = Math.floor(lo / step) * step;
  const to = Math.ceil(hi / step) * step;
  const ticks: { t: number; label: string }[] = [];
  let lastDay = '';
  for (let t = from; t <= to; t += step) {
    const iso = new Date(t).toISOString();
    const day = iso.slice(0, 10);
    const clock = step < SECOND ? iso.slice(11, 23) : step < MINUTE ? iso.slice(11, 19) : step < DAY ? iso.slice(11, 16) : '';
    ticks.push({ t, label: day !== lastDay || clock === '' ? `${day}${clock ? ` ${clock}` : ''}` : clock });
    lastDay = day;
  }
  return { from, to, ticks };
}

function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

function factValue(f: Report['evidence'][number]['facts'][number]): string {
  if (typeof f.value === 'boolean') return 'yes';
  if (typeof f.value === 'string') return f.value;
  if (f.key === 'heap-base' || f.key === 'native-heap-top') return `0x${f.value.toString(16)}`;
  return BYTE_FACT_KEYS.has(f.key) ? fmtBytes(f.value) : fmtCount(f.value);
}

export function buildViewModel(report: Report, opts: ViewOptions = {}): ReportView {
  const maxExcerpts = Math.max(0, opts.maxExcerptsPerIncident ?? DEFAULT_MAX_EXCERPTS);
  const anchors = new Anchors();
  const inputs = report.inputs.map((i) => ({
    id: anchors.defineFile(i.file),
    file: i.file,
    role: i.wrapper && i.wrapper !== 'none' ? `${i.role} (${i.wrapper})` : i.role,
    size: fmtBytes(i.bytes),
    lines: fmtCount(i.lines),
    sha256: i.sha256,
  }));

  // Excerpts first: they define the line anchors that every other section links to.
  const excerptIds = new Map<Finding, string>();
  const excerptsByIncident = report.incidents.map((inc, n) =>
    inc.findings.slice(0, maxExcerpts).map((f, k) => {
      const id = `ex-${n + 1}-${k + 1}`;
      excerptIds.set(f, id);
      return buildExcerpt(f, id, anchors);
    }),
  );
  const evidence: EvidenceView[] = report.evidence
    .filter((e) => e.facts.length > 0)
    .map((e) => {
      const facts = e.facts.map((f) => {
        const id = f.source.line > 0 ? anchors.defineLine(f.source.file, f.source.line) : undefined;
        return {
          ...(id ? { id } : {}),
          ref: refLabel(f.source),
          key: f.key,
          value: cut(factValue(f), 400),
          ...('method' in f && f.method ? { method: f.method } : {}),
        };
      });
      return { file: e.file, kind: e.kind, facts, collapsed: facts.length > 12 };
    });

  const incidents: IncidentView[] = report.incidents.map((inc, idx) => {
    const n = idx + 1;
    const excerpts = excerptsByIncident[idx] ?? [];
    const left = inc.findings.length - excerpts.length + inc.omittedFindings;
    const locations = inc.findings.slice(0, MAX_LOCATIONS).map((f) => ({
      link: anchors.link({ file: f.file, line: f.line }),
      ruleId: f.ruleId,
      message: visible(f.message ?? ''),
      ...(f.time ? { time: isoShort(f.time.iso) } : {}),
      text: visible(cut(f.text.trim(), 240)),
    }));
    const rules = incidentRules(report, inc).map(({ note, fixShown }) => {
      const tag = ruleTag(note);
      return {
        id: note.id,
        title: note.title,
        ...(tag ? { tag } : {}),
        explanation: note.explanation,
        remediation: note.remediation,
        fixShown,
        references: note.references.map((ref) => {
          const href = referenceHref(ref);
          return href ? { label: ref, href } : { label: ref };
        }),
      };
    });
    const locLeft = inc.count - locations.length;
    const gauge = buildGauge(inc);
    const memory = buildMemory(inc, anchors);
    const maps = buildMaps(inc, anchors);
    const r = inc.remediation;
    return {
      id: `incident-${n}`,
      n,
      title: `${systemLabel(inc.system)} — ${inc.process}`,
      cause: inc.cause,
      causeLabel: CAUSE_LABEL[inc.cause],
      confidence: inc.confidence,
      severity: inc.severity,
      system: systemLabel(inc.system),
      process: inc.process,
      summary: inc.summary,
      ...(inc.firstSeen
        ? { seen: inc.lastSeen && isoShort(inc.lastSeen) !== isoShort(inc.firstSeen) ? `${isoShort(inc.firstSeen)} → ${isoShort(inc.lastSeen)}` : isoShort(inc.firstSeen) }
        : {}),
      count: plural(inc.count, 'finding'),
      locations,
      ...(locLeft > 0 ? { locationsOmitted: `… and ${plural(locLeft, 'more finding')}` } : {}),
      trail: inc.trail.map((t, i) => ({ n: i + 1, step: t.step, fact: t.fact, outcome: t.outcome, sources: t.sources.map((s) => anchors.link(s)) })),
      evidence: inc.evidence.map((e) => ({ link: anchors.link({ file: e.file, line: 0 }), kind: e.kind, reason: e.reason })),
      ...(gauge ? { gauge } : {}),
      ...(memory ? { memory } : {}),
      ...(maps ? { maps } : {}),
      remediation: {
        summary: r.summary,
        ...(r.recommendedMaxMapCount !== undefined ? { recommended: fmtCount(r.recommendedMaxMapCount) } : {}),
        ...(r.neededMapCount
          ? { needed: { value: fmtCount(r.neededMapCount.value), basis: r.neededMapCount.basis, sources: r.neededMapCount.sources.map((s) => anchors.link(s)) } }
          : {}),
        steps: r.steps.map((s) => ({ title: s.title, detail: s.detail, commands: s.commands, hasCommands: s.commands.length > 0 })),
        capture: r.capture,
      },
      rules,
      caveats: inc.caveats,
      excerpts,
      ...(left > 0
        ? {
            excerptsOmitted:
              `${plural(left, 'more finding')} of this incident not shown here (the embedded JSON lists ${fmtCount(inc.findings.length)}; ` +
              `${fmtCount(inc.count)} counted in all)`,
          }
        : {}),
    };
  });

  const top = report.incidents[0];
  const firstCommand = top?.remediation.steps.flatMap((s) => s.commands)[0];
  const s = report.stats;
  const others = report.incidents.length - 1;
  const verdict: VerdictView = {
    cause: report.verdict,
    headline: report.verdict === 'none' || report.verdict === 'nothing-read' ? upperFirst(verdictHeadline(report.verdict)) : CAUSE_LABEL[report.verdict],
    failed: report.verdict !== 'none' && report.verdict !== 'nothing-read',
    ...(top
      ? {
          confidence: top.confidence,
          system: systemLabel(top.system),
          process: top.process,
          summary: top.summary,
          fix: top.remediation.summary,
          ...(firstCommand ? { firstCommand } : {}),
        }
      : {}),
    scanned: `${plural(s.files, 'file')}, ${fmtBytes(s.bytes)}, ${plural(s.lines, 'line')} scanned with ${plural(s.rules, 'rule')}`,
    incidentCount: plural(report.incidents.length, 'incident'),
    ...(others > 0 ? { otherIncidents: `${plural(others, 'other incident')} below` } : {}),
  };

  const findingAnchor = (f: Finding): string | undefined => {
    const id = excerptIds.get(f);
    return id ? `#${id}` : anchors.link({ file: f.file, line: f.line }).href;
  };
  const timeline = buildTimeline(report, findingAnchor);
  const caveats = incidents.flatMap((inc) => inc.caveats.map((text) => ({ incident: `Incident ${inc.n}`, href: `#${inc.id}`, text })));
  const problems = report.problems.map((p) => ({
    severity: p.severity,
    message: p.message,
    ...(p.file && p.file !== '-' ? { link: anchors.link({ file: p.file, line: p.line ?? 0 }) } : {}),
  }));
  const totalBytes = report.inputs.reduce((a, i) => a + i.bytes, 0);
  return {
    title:
      report.verdict === 'nothing-read'
        ? 'mapmortem: nothing was read'
        : report.verdict === 'none'
          ? 'mapmortem: no failure found'
          : `mapmortem: ${report.verdict}${top ? ` — ${systemLabel(top.system)}` : ''}`,
    toolVersion: report.tool.version,
    generatedAt: isoShort(report.generatedAt),
    roots: report.roots.join(', '),
    verdict,
    incidents,
    hasIncidents: incidents.length > 0,
    hasRuleNotes: incidents.some((i) => i.rules.length > 0),
    ...(timeline ? { timeline } : {}),
    caveats,
    problems,
    inputs,
    inputsTotal: `${plural(report.inputs.length, 'input')}, ${fmtBytes(totalBytes)}`,
    evidence,
    hasAppendix: incidents.some((i) => i.excerpts.length > 0) || evidence.length > 0,
  };
}
