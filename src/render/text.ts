// Terminal renderer: the verdict first, then each incident with what failed (file:line),
// the decision trail, the maps breakdown, the fix with copy-ready commands, caveats, and
// the problems met while reading. Colour only when asked (a TTY).

import type { Incident, Report, SourceRef } from '../core/index.js';
import { CAUSE_LABEL, systemLabel } from '../core/words.js';
import { fmtBytes, fmtCount } from '../core/units.js';

export interface TextOptions {
  readonly color: boolean;
  /** Findings listed per incident in the terminal. */
  readonly maxFindings?: number;
}

type Paint = (code: string, s: string) => string;

/** Colour is marked with private-use characters and turned into SGR codes only after every line is made safe. */
const SGR_OPEN = '\uE000';
const SGR_CLOSE = '\uE001';

function painter(color: boolean): Paint {
  return color ? (code, s) => `${SGR_OPEN}${code}${SGR_CLOSE}${s}${SGR_OPEN}0${SGR_CLOSE}` : (_code, s) => s;
}

/**
 * The last pass over every output line: no control character or escape sequence from a file
 * name, a log line or a report read back reaches the terminal raw (newlines in a name included);
 * then our own colour markers become SGR codes.
 */
function terminalSafe(lines: readonly string[]): string {
  return lines
    .map((l) => l.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
    .join('\n')
    .replace(/\uE000([0-9;]{1,8})\uE001/g, '\u001b[$1m')
    .replace(/[\uE000\uE001]/g, '\uFFFD');
}

/** Strip control characters from log-derived text so it cannot drive the terminal. */
export function safe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function refs(sources: readonly SourceRef[]): string {
  return sources.map((s) => (s.line > 0 ? `${s.file}:${s.line}` : s.file)).join(', ');
}

const CAUSE_COLOR: Record<string, string> = {
  'map-count-exhaustion': '1;31',
  'memory-exhaustion': '1;31',
  'address-space-limit': '1;31',
  'cgroup-memory-limit': '1;31',
  'thread-limit': '1;31',
  'map-count-limit-low': '1;33',
  'other-mmap-error': '1;33',
  unknown: '1;35',
  none: '1;32',
};

function renderIncident(inc: Incident, n: number, total: number, p: Paint, maxFindings: number): string[] {
  const out: string[] = [];
  out.push(p('1', `Incident ${n} of ${total}: ${systemLabel(inc.system)} (${inc.process})`) + `  [${inc.severity}]`);
  out.push(`  cause:      ${p(CAUSE_COLOR[inc.cause] ?? '1', inc.cause)} — ${CAUSE_LABEL[inc.cause]}`);
  out.push(`  confidence: ${inc.confidence}`);
  out.push(`  summary:    ${safe(inc.summary)}`);
  if (inc.firstSeen) out.push(`  seen:       ${inc.firstSeen}${inc.lastSeen && inc.lastSeen !== inc.firstSeen ? ` → ${inc.lastSeen}` : ''} (${fmtCount(inc.count)} findings)`);
  const failures = inc.findings.filter((f) => f.signals.failure !== 'context');
  if (failures.length > 0) {
    out.push('', p('1', '  What failed'));
    for (const f of failures.slice(0, maxFindings)) {
      out.push(`    ${f.file}:${f.line}  ${p('2', `[${f.ruleId}]`)}`);
      out.push(`      ${cut(safe(f.text.trim()), 220)}`);
    }
    const more = inc.count - Math.min(failures.length, maxFindings);
    if (more > 0) out.push(`    … ${fmtCount(more)} more finding${more === 1 ? '' : 's'}, context lines included (see --format json)`);
  }
  out.push('', p('1', '  Decision trail'));
  inc.trail.forEach((t, i) => {
    out.push(`    ${i + 1}. ${t.step}: ${safe(t.fact)}${t.sources.length > 0 ? p('2', `  [${refs(t.sources)}]`) : ''}`);
    out.push(`       → ${t.outcome}`);
  });
  if (inc.evidence.length > 0) {
    out.push('', p('1', '  Evidence used'));
    for (const e of inc.evidence) out.push(`    ${e.file} (${e.kind}): ${e.reason}`);
  }
  if (inc.maps) {
    const m = inc.maps;
    out.push('', p('1', `  Memory map (${m.source.file}): ${fmtCount(m.regions)} regions${m.complete ? '' : ' (cut short: a lower bound)'}`));
    out.push(`    ${m.classes.slice(0, 8).map((c) => `${c.class} ${fmtCount(c.count)}`).join(' · ')}`);
    for (const t of m.top.slice(0, 5)) out.push(`    ${fmtCount(t.count).padStart(8)}  ${safe(t.name)} (${t.class}, ${fmtBytes(t.bytes)})`);
  }
  const r = inc.remediation;
  out.push('', p('1', '  Fix'));
  out.push(`    ${safe(r.summary)}`);
  if (r.neededMapCount) out.push(`    needed: ${fmtCount(r.neededMapCount.value)} map areas — ${r.neededMapCount.basis}${r.neededMapCount.sources.length ? ` [${refs(r.neededMapCount.sources)}]` : ''}`);
  for (const s of r.steps) {
    out.push(`    • ${s.title}: ${s.detail}`);
    for (const c of s.commands) out.push(`        ${p('36', `$ ${c}`)}`);
  }
  if (r.capture.length > 0) {
    out.push('', p('1', '  Capture next'));
    for (const c of r.capture) out.push(`    • ${c}`);
  }
  if (inc.caveats.length > 0) {
    out.push('', p('1', '  Caveats'));
    for (const c of inc.caveats) out.push(`    • ${safe(c)}`);
  }
  return out;
}

export function renderText(report: Report, opts: TextOptions): string {
  const p = painter(opts.color);
  const out: string[] = [];
  const top = report.incidents[0];
  const verdictLine =
    report.verdict === 'none'
      ? 'no mmap, memory-map or thread-creation failure found'
      : `${CAUSE_LABEL[report.verdict]}${top ? ` (${top.confidence} confidence, ${systemLabel(top.system)})` : ''}`;
  out.push(`${p(CAUSE_COLOR[report.verdict] ?? '1', `VERDICT: ${report.verdict}`)} — ${verdictLine}`);
  if (top) {
    out.push(`  ${safe(top.summary)}`);
    out.push(`  fix: ${safe(top.remediation.summary)}`);
  }
  const s = report.stats;
  out.push(`  scanned ${fmtCount(s.files)} file${s.files === 1 ? '' : 's'}, ${fmtBytes(s.bytes)}, ${fmtCount(s.lines)} lines with ${s.rules} rules; ${fmtCount(report.incidents.length)} incident${report.incidents.length === 1 ? '' : 's'}, ${fmtCount(s.findings)} findings`);
  if (report.groups && report.groups.length > 0) {
    out.push('', p('1', `Merged from ${report.mergedFrom?.length ?? 0} results; incidents by system and cause:`));
    for (const g of report.groups) out.push(`  ${systemLabel(g.system).padEnd(20)} ${g.cause.padEnd(22)} ${fmtCount(g.incidents.length)} incident${g.incidents.length === 1 ? '' : 's'}, ${fmtCount(g.findings)} findings`);
  }
  report.incidents.forEach((inc, i) => {
    out.push('');
    out.push(...renderIncident(inc, i + 1, report.incidents.length, p, opts.maxFindings ?? 8));
  });
  if (report.problems.length > 0) {
    out.push('', p('1', `Problems (${report.problems.length})`));
    for (const pr of report.problems) out.push(`  ${pr.severity.padEnd(7)} ${safe(pr.message)}`);
  }
  const roles = new Map<string, number>();
  for (const i of report.inputs) roles.set(i.role, (roles.get(i.role) ?? 0) + 1);
  out.push('', `Inputs: ${[...roles.entries()].sort().map(([r, n]) => `${r} ×${n}`).join(', ') || 'none'}`);
  return `${terminalSafe(out)}\n`;
}
