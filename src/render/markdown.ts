// Markdown renderer: a ticket comment for GitHub or GitLab. A summary first (the verdict, the
// incidents table by host, per incident the cause, the failures grouped, the fix), then the
// full detail of each incident, the problems and the inputs behind <details>, within a budget
// that keeps the whole comment well under GitHub's 65,536 characters. Log text is escaped for
// tables and inline use; excerpts go into fences longer than any backtick run they contain.

import type { Report } from '../core/index.js';
import { groupFailures, groupMessage, incidentsTable, verdictLine } from './text.js';
import { incidentHost } from './hosts.js';
import { buildViewModel, type ExcerptLineView, type IncidentView, type LinkView } from './view-model.js';

/** GitHub refuses comments over 65,536 characters; the whole document stays under this. */
export const MARKDOWN_BUDGET = 50_000;
/** Incidents summarised before the details (all are in the incidents table). */
const SUMMARY_INCIDENTS = 12;

export interface MarkdownOptions {
  /** Excerpts per incident (default 3). */
  readonly maxExcerptsPerIncident?: number;
}

const MAX_CELL = 200;
const MAX_EXCERPT_LINE = 300;
const MAX_EXCERPT_LINES = 16;

function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Inline text: Markdown punctuation escaped so log text is shown, never interpreted. */
export function mdEscape(s: string): string {
  return oneLine(s).replace(/[\\`*_[\]<>|#~&]/g, (c) => (c === '&' ? '&amp;' : `\\${c}`));
}

/** Inline code that survives backticks in the text; pipes escaped for table cells. */
export function mdCode(s: string): string {
  const text = oneLine(s);
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text.replace(/\|/g, '\\|')}${pad}${ticks}`;
}

function fence(body: string, lang = ''): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${body}\n${ticks}`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const out = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) out.push(`| ${r.join(' | ')} |`);
  return out.join('\n');
}

function refs(links: readonly LinkView[]): string {
  return links.map((l) => mdCode(l.label)).join(', ');
}

function excerptText(lines: readonly ExcerptLineView[]): string {
  const width = Math.max(...lines.map((l) => String(l.no).length));
  return lines.map((l) => `${l.hit ? '>' : ' '} ${String(l.no).padStart(width)} | ${cut(oneLine(l.pre + l.match + l.post), MAX_EXCERPT_LINE)}`).join('\n');
}

function incidentMd(inc: IncidentView, total: number, maxExcerpts: number): string[] {
  const out: string[] = [];
  out.push(`#### Incident ${inc.n} of ${total}: ${mdEscape(inc.title)}`, '');
  out.push(mdEscape(inc.summary), '');
  out.push(
    table(
      ['field', 'value'],
      [
        ['cause', `${mdCode(inc.cause)} ${mdEscape(inc.causeLabel)}`],
        ['confidence', mdEscape(inc.confidence)],
        ['severity', mdEscape(inc.severity)],
        ['system', mdEscape(inc.system)],
        ...(inc.seen ? [['when', mdEscape(inc.seen)]] : []),
        ['how often', mdEscape(inc.count)],
      ],
    ),
    '',
  );
  if (inc.locations.length > 0) {
    out.push('**What failed, where**', '');
    out.push(
      table(
        ['where', 'rule', 'time', 'message', 'log line'],
        inc.locations.map((l) => [mdCode(l.link.label), mdCode(l.ruleId), mdEscape(l.time ?? ''), mdEscape(cut(l.message, MAX_CELL)), mdEscape(cut(l.text, MAX_CELL))]),
      ),
    );
    if (inc.locationsOmitted) out.push('', mdEscape(inc.locationsOmitted));
    out.push('');
  }
  out.push('**Decision trail**', '');
  out.push(
    table(
      ['#', 'step', 'fact', 'outcome', 'source'],
      inc.trail.map((t) => [String(t.n), mdEscape(t.step), mdEscape(t.fact), mdEscape(t.outcome), refs(t.sources)]),
    ),
    '',
  );
  if (inc.gauge)
    out.push(
      `**Map areas:** ${mdEscape(inc.gauge.countLabel)} against ${mdEscape(inc.gauge.limitLabel)}: **${mdEscape(inc.gauge.percent)}** of the ` +
        `limit${inc.gauge.neededLabel ? ` (${mdEscape(inc.gauge.neededLabel)})` : ''}.`,
      '',
    );
  if (inc.maps) {
    const m = inc.maps;
    out.push(`**Memory map** (${mdCode(m.source.label)}, ${mdEscape(m.regions)} regions${m.complete ? '' : ', cut short: a lower bound'})`, '');
    if (m.classes)
      out.push(
        table(
          ['class', 'regions', 'size'],
          m.classes.bars.map((b) => [mdEscape(b.label), b.value, mdEscape(b.detail)]),
        ),
        '',
      );
    if (m.units.length > 0) out.push(`**By what you control:** ${m.units.map((u) => `${mdEscape(u.phrase)} (${u.regions} regions, ${u.share})`).join(' · ')}`, '');
    if (m.topRows.length > 0)
      out.push(
        table(
          ['top file or group', 'class', 'regions', 'size'],
          m.topRows.slice(0, 5).map((t) => [mdCode(t.name), mdEscape(t.cls), t.count, mdEscape(t.bytes)]),
        ),
        '',
      );
  }
  const r = inc.remediation;
  out.push('**Fix**', '', mdEscape(r.summary), '');
  if (r.needed) {
    const source = r.needed.sources.length > 0 ? ` (source: ${refs(r.needed.sources)})` : '';
    out.push(`Needed: **${r.needed.value}** map areas — ${mdEscape(r.needed.basis)}${source}.`, '');
  }
  r.steps.forEach((s, i) => {
    out.push(`${i + 1}. **${mdEscape(s.title)}** — ${mdEscape(s.detail)}`, '');
    if (s.hasCommands) out.push(fence(s.commands.join('\n'), 'sh'), '');
  });
  if (r.capture.length > 0) out.push('**Capture next time**', '', ...r.capture.map((c) => `- ${mdEscape(c)}`), '');
  if (inc.rules.length > 0) {
    out.push('**What the rules say**', '');
    for (const rule of inc.rules) {
      out.push(`- ${mdCode(rule.id)} ${mdEscape(rule.title)}${rule.tag ? ` (${mdEscape(rule.tag)})` : ''}: ${mdEscape(rule.explanation)}`);
      out.push(`  _Fix, in the rule's words:_ ${mdEscape(rule.remediation)}`);
      if (rule.references.length > 0) out.push(`  See: ${rule.references.map(mdReference).join(', ')}`);
    }
    out.push('');
  }
  if (inc.caveats.length > 0) out.push('**Caveats**', '', ...inc.caveats.map((c) => `- ${mdEscape(c)}`), '');
  const shown = inc.excerpts.slice(0, maxExcerpts);
  if (shown.length > 0) {
    out.push('**Excerpts**', '');
    for (const e of shown) {
      const lines = [...e.lines, ...e.more];
      const listed = lines.slice(0, MAX_EXCERPT_LINES);
      out.push(`${mdCode(e.ref)} ${mdCode(e.ruleId)}${e.time ? ` ${mdEscape(e.time)}` : ''}`, '', fence(excerptText(listed), 'text'), '');
      if (lines.length > listed.length) out.push(`(${lines.length - listed.length} more lines in the HTML or JSON report)`, '');
    }
    const left = inc.excerpts.length - shown.length;
    if (left > 0 || inc.excerptsOmitted)
      out.push(`${left > 0 ? `${left} more excerpts in the HTML report. ` : ''}${inc.excerptsOmitted ? mdEscape(inc.excerptsOmitted) : ''}`.trim(), '');
  }
  return out;
}

/** A reference: an http(s) URL as a link, anything else as code. */
function mdReference(l: LinkView): string {
  return l.href ? `[${mdEscape(l.label)}](${l.href.replace(/[()]/g, (c) => encodeURIComponent(c))})` : mdCode(l.label);
}

function details(summary: string, body: readonly string[]): string {
  return ['<details>', `<summary>${summary.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'))}</summary>`, '', ...body, '', '</details>', ''].join('\n');
}

function joined(lines: readonly string[]): string {
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const v = buildViewModel(report, {});
  const out: string[] = [];
  const verdict = v.verdict;
  const many = report.incidents.length > 1;
  out.push(`## mapmortem verdict: ${mdCode(verdict.cause)} ${mdEscape(many ? verdictLine(report) : verdict.headline)}`, '');
  if (verdict.system && !many) {
    out.push(`**Confidence:** ${mdEscape(verdict.confidence ?? '')} · **system:** ${mdEscape(verdict.system)} · **process:** ${mdCode(verdict.process ?? '')}`, '');
  }
  out.push(`_${mdEscape(verdict.scanned)}; ${mdEscape(verdict.incidentCount)}; generated ${mdEscape(v.generatedAt)} by mapmortem ${mdEscape(v.toolVersion)}_`, '');
  if (many) {
    out.push('### Incidents', '');
    out.push(
      table(
        ['#', 'host', 'system', 'cause', 'confidence', 'findings'],
        incidentsTable(report).map((r) => [r[0]!, mdCode(r[1]!), mdEscape(r[2]!), mdCode(r[3]!), mdEscape(r[4]!), r[5]!]),
      ),
      '',
    );
  }
  report.incidents.slice(0, SUMMARY_INCIDENTS).forEach((inc, i) => {
    const view = v.incidents[i]!;
    out.push(`### ${many ? `${i + 1}. ` : ''}${mdEscape(view.title)}: ${mdCode(inc.cause)}`, '');
    out.push(`> ${mdEscape(inc.summary)}`, '');
    const host = incidentHost(inc);
    for (const g of groupFailures(inc, host).slice(0, 3)) {
      const msg = groupMessage(g);
      out.push(
        `- **${g.count}x** ${mdCode(g.ruleId)} at ${mdCode(g.where)}${g.every ? `, ${mdEscape(g.every)}` : ''}${g.first ? ` (from ${mdEscape(g.first)})` : ''}` +
          `${msg ? `: ${mdEscape(msg)}` : ''}`,
      );
    }
    for (const t of inc.trail.filter((x) => x.step !== 'what failed')) {
      const src = t.sources
        .map((s) => mdCode(s.line > 0 ? `${s.file}:${s.line}` : s.file))
        .slice(0, 3)
        .join(', ');
      out.push(`- ${mdEscape(t.step)}: ${mdEscape(t.fact)}${src ? ` (${src})` : ''}`);
    }
    out.push('', `**Fix:** ${mdEscape(inc.remediation.summary)}`, '');
    const cmds = inc.remediation.steps.flatMap((s) => s.commands).slice(0, 3);
    if (cmds.length > 0) out.push(fence(cmds.join('\n'), 'sh'), '');
    for (const rule of view.rules) if (rule.fixShown) out.push(`**Rule ${mdCode(rule.id)}:** ${mdEscape(rule.remediation)}`, '');
  });
  if (report.incidents.length > SUMMARY_INCIDENTS) out.push(`${report.incidents.length - SUMMARY_INCIDENTS} more incidents are in the table above and in the details below.`, '');
  const head = joined(out);
  // The details, in order, while they fit the budget; what does not fit is named.
  let used = head.length + 400;
  const blocks: string[] = [];
  const left: string[] = [];
  const add = (title: string, body: readonly string[]): void => {
    const block = details(title, body);
    if (used + block.length > MARKDOWN_BUDGET) {
      left.push(title);
      return;
    }
    used += block.length + 1;
    blocks.push(block);
  };
  for (const inc of v.incidents)
    add(`Incident ${inc.n}: full detail (decision trail, memory map, every step, excerpts)`, incidentMd(inc, v.incidents.length, opts.maxExcerptsPerIncident ?? 3));
  if (v.problems.length > 0) {
    add(`Problems (${v.problems.length})`, [
      table(
        ['severity', 'where', 'problem'],
        v.problems.map((p) => [mdEscape(p.severity), p.link ? mdCode(p.link.label) : '', mdEscape(cut(p.message, MAX_CELL))]),
      ),
    ]);
  }
  const inputRows = v.inputs.map((i) => [mdCode(i.file), mdEscape(i.role), mdEscape(i.size), i.lines, mdCode(i.sha256)]);
  let rows = inputRows.length;
  const inputsBlock = (n: number): string[] => [
    table(['file', 'role', 'size', 'lines', 'SHA-256'], inputRows.slice(0, n)),
    ...(n < inputRows.length ? ['', `${inputRows.length - n} more inputs in the JSON or HTML report.`] : []),
  ];
  while (rows > 0 && used + details('Inputs', inputsBlock(rows)).length > MARKDOWN_BUDGET) rows = Math.floor(rows / 2);
  if (rows > 0) add(`Inputs (${v.inputs.length})`, inputsBlock(rows));
  else if (inputRows.length > 0) left.push(`Inputs (${v.inputs.length})`);
  const tail = left.length > 0 ? [`_Left out to fit a comment: ${left.map(mdEscape).join('; ')}. The HTML or JSON report has everything._`] : [];
  return joined([head, ...blocks, ...tail]);
}
