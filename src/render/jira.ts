// Jira wiki markup renderer (`--format jira`): Jira renders neither Markdown tables nor
// <details>, so this is the summary of the Markdown comment in Jira's own markup (h2., ||head||,
// {code}, {noformat}), within Jira's default 32,767-character comment limit. Log text is
// escaped so it is shown, never interpreted as markup.

import type { Report } from '../core/index.js';
import { incidentHost } from './hosts.js';
import { groupFailures, groupMessage, incidentsTable, verdictLine } from './text.js';
import { buildViewModel } from './view-model.js';

/** Jira's default comment limit is 32,767 characters; the document stays under this. */
export const JIRA_BUDGET = 30_000;

function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
}

/** Inline text: Jira's markup characters escaped with a backslash. */
export function jiraEscape(s: string): string {
  return oneLine(s).replace(/[\\*_+^~{}[\]|!#-]/g, (c) => `\\${c}`);
}

/** Monospace text: {{…}} with the characters that would end or break it escaped. */
export function jiraCode(s: string): string {
  return `{{${oneLine(s).replace(/[\\{}[\]|*_]/g, (c) => `\\${c}`)}}}`;
}

/** A {noformat} block cannot contain its own closing tag. */
function noformat(body: string): string {
  return `{noformat}\n${body.replace(/\{noformat\}/gi, '{ noformat}')}\n{noformat}`;
}

function code(body: string): string {
  return `{code:bash}\n${body.replace(/\{code\}/gi, '{ code}')}\n{code}`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`||${head.join('||')}||`, ...rows.map((r) => `|${r.map((c) => c || ' ').join('|')}|`)];
}

export function renderJira(report: Report): string {
  const v = buildViewModel(report, {});
  const many = report.incidents.length > 1;
  const out: string[] = [];
  out.push(`h2. mapmortem verdict: ${jiraCode(v.verdict.cause)} ${jiraEscape(many ? verdictLine(report) : v.verdict.headline)}`, '');
  out.push(`_${jiraEscape(v.verdict.scanned)}; ${jiraEscape(v.verdict.incidentCount)}; generated ${jiraEscape(v.generatedAt)} by mapmortem ${jiraEscape(v.toolVersion)}_`, '');
  if (many) {
    out.push('h3. Incidents', '');
    out.push(
      ...table(
        ['#', 'host', 'system', 'cause', 'confidence', 'findings'],
        incidentsTable(report).map((r) => [r[0]!, jiraCode(r[1]!), jiraEscape(r[2]!), jiraCode(r[3]!), jiraEscape(r[4]!), r[5]!]),
      ),
      '',
    );
  }
  const head = out.join('\n');
  let used = head.length + 300;
  const blocks: string[] = [];
  let omitted = 0;
  report.incidents.forEach((inc, i) => {
    const view = v.incidents[i]!;
    const b: string[] = [];
    b.push(`h3. ${many ? `${i + 1}. ` : ''}${jiraEscape(view.title)}: ${jiraCode(inc.cause)}`, '');
    b.push(`bq. ${jiraEscape(inc.summary)}`, '');
    const host = incidentHost(inc);
    const groups = groupFailures(inc, host).slice(0, 3);
    for (const g of groups) {
      const msg = groupMessage(g);
      b.push(
        `* *${g.count}x* ${jiraCode(g.ruleId)} at ${jiraCode(g.where)}${g.every ? `, ${jiraEscape(g.every)}` : ''}${g.first ? ` (from ${jiraEscape(g.first)})` : ''}` +
          `${msg ? `: ${jiraEscape(msg)}` : ''}`,
      );
    }
    for (const t of inc.trail.filter((x) => x.step !== 'what failed')) {
      const src = t.sources
        .map((s) => jiraCode(s.line > 0 ? `${s.file}:${s.line}` : s.file))
        .slice(0, 3)
        .join(', ');
      b.push(`* ${jiraEscape(t.step)}: ${jiraEscape(t.fact)}${src ? ` (${src})` : ''}`);
    }
    const example = groups[0]?.findings[0];
    if (example) {
      const head = example.recordLines[0];
      const lines = [
        ...(head && example.recordStartLine < example.line && head.line !== example.line ? [`${head.line}  ${oneLine(head.text).slice(0, 300)}`] : []),
        `${example.line}  ${oneLine(example.text).slice(0, 300)}`,
      ];
      b.push('', `${jiraCode(example.file)}:`, noformat(lines.join('\n')));
    }
    b.push('', `*Fix:* ${jiraEscape(inc.remediation.summary)}`, '');
    for (const s of inc.remediation.steps) {
      b.push(`# *${jiraEscape(s.title)}* — ${jiraEscape(s.detail)}`);
      if (s.commands.length > 0) b.push(code(s.commands.join('\n')));
    }
    for (const rule of view.rules) if (rule.fixShown) b.push('', `*Rule ${jiraCode(rule.id)}:* ${jiraEscape(rule.remediation)}`);
    if (inc.remediation.capture.length > 0) b.push('', '*Capture next time:*', ...inc.remediation.capture.map((c) => `* ${jiraEscape(c)}`));
    if (view.rules.length > 0) {
      b.push('', '*What the rules say:*');
      for (const rule of view.rules) {
        const refs = rule.references.map((l) => (l.href ? `[${l.href}]` : jiraCode(l.label))).join(', ');
        b.push(
          `* ${jiraCode(rule.id)} ${jiraEscape(rule.title)}${rule.tag ? ` (${jiraEscape(rule.tag)})` : ''}: ${jiraEscape(rule.explanation)}` +
            `${rule.fixShown ? '' : ` _Fix:_ ${jiraEscape(rule.remediation)}`}${refs ? ` See: ${refs}` : ''}`,
        );
      }
    }
    const block = b.join('\n');
    if (used + block.length > JIRA_BUDGET) {
      omitted++;
      return;
    }
    used += block.length + 1;
    blocks.push(block, '');
  });
  if (omitted > 0) blocks.push(`_${omitted} incident${omitted === 1 ? '' : 's'} left out to fit a Jira comment; the HTML or JSON report has every one._`, '');
  if (v.problems.length > 0) {
    const rows = v.problems.slice(0, 10).map((p) => [jiraEscape(p.severity), p.link ? jiraCode(p.link.label) : '', jiraEscape(p.message.slice(0, 200))]);
    const t = [
      'h3. Problems',
      '',
      ...table(['severity', 'where', 'problem'], rows),
      ...(v.problems.length > rows.length ? ['', `_${v.problems.length - rows.length} more in the HTML or JSON report._`] : []),
      '',
    ].join('\n');
    if (used + t.length <= JIRA_BUDGET) {
      blocks.push(t);
      used += t.length;
    }
  }
  const inputs = v.inputs.slice(0, 20).map((i) => [jiraCode(i.file), jiraEscape(i.role), jiraEscape(i.size), i.lines]);
  const t = [
    'h3. Inputs',
    '',
    ...table(['file', 'role', 'size', 'lines'], inputs),
    ...(v.inputs.length > inputs.length ? ['', `_${v.inputs.length - inputs.length} more inputs (with SHA-256) in the HTML or JSON report._`] : []),
  ].join('\n');
  if (used + t.length <= JIRA_BUDGET) blocks.push(t);
  return `${[head, ...blocks]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
