// `mapmortem rules list|test|show`: the rule pack as a table, every rule's own samples run
// through the real scanner, and one rule explained.

import type { Command } from 'commander';
import type { Pattern, Rule } from '../../core/index.js';
import { runRuleSamples } from '../../pipeline/rule-samples.js';
import { loadRules, UsageError, type RegisterCommand } from '../context.js';
import { collectList } from '../options.js';

export interface RulesConfig {
  readonly extraDirs: readonly string[];
  readonly noDefaultRules: boolean;
}

interface RulesFlags {
  rules: string[];
  defaultRules?: boolean;
}

/** --rules DIR or FILE (repeatable) and --no-default-rules, as list and test take them. */
function withRuleDirs(cmd: Command): Command {
  return cmd
    .option('--rules <path>', 'extra rule directory or rule file (repeatable)', collectList, [] as string[])
    .option('--no-default-rules', 'do not load the bundled rule pack');
}

function rulesConfig(o: RulesFlags): RulesConfig {
  return { extraDirs: o.rules, noDefaultRules: o.defaultRules === false };
}

function listRules(list: readonly Rule[]): string {
  const w = Math.max(...list.map((r) => r.id.length), 4);
  const rows = list.map((r) => {
    const st = r.status === 'stable' ? '' : ` [${r.status}]`;
    return `${r.id.padEnd(w)}  ${r.severity.padEnd(8)}  ${r.systems.join(',').padEnd(28)}  ${r.title}${st}\n`;
  });
  return `${'id'.padEnd(w)}  ${'severity'.padEnd(8)}  ${'systems'.padEnd(28)}  title\n${rows.join('')}${list.length} rules\n`;
}

const re = (p: Pattern): string => `/${p.source}/${p.flags}${p.engine === 'v8' ? '' : ' (re2)'}`;

function showRule(r: Rule): string {
  const m = r.match;
  return [
    `${r.id} — ${r.title}`,
    `file:        ${r.sourceFile}`,
    `severity:    ${r.severity}`,
    `systems:     ${r.systems.join(', ')}`,
    `formats:     ${r.formats.length ? r.formats.join(', ') : 'any'}`,
    `literals:    ${r.literals.map((l) => JSON.stringify(l)).join(', ')}`,
    `status:      ${r.status} (rule format v${r.formatVersion})`,
    ...(r.message ? [`message:     ${r.message}`] : []),
    `match:       scope ${m.scope}; all ${m.all.map(re).join(' ')}; any ${m.any.map(re).join(' ')}; none ${m.none.map(re).join(' ')}`,
    ...(r.captures.length ? [`captures:    ${r.captures.map(re).join(' ')}`] : []),
    ...(r.supersedes.length ? [`supersedes:  ${r.supersedes.join(', ')}`] : []),
    `signals:     failure ${r.signals.failure}, operation ${r.signals.operation}, hint ${r.signals.hint}`,
    '',
    r.explanation.trim(),
    '',
    `Remediation: ${r.remediation.trim()}`,
    ...(r.references.length ? ['', 'References:', ...r.references.map((x) => `  ${x}`)] : []),
    '',
  ].join('\n');
}

export const registerRules: RegisterCommand = (program: Command, { io, exit }) => {
  const rules = program.command('rules').description('the rule pack: list, test, show');
  withRuleDirs(rules.command('list').description('list the rules')).action(async (o: RulesFlags) => {
    const c = rulesConfig(o);
    io.stdout(listRules(await loadRules(c.extraDirs, c.noDefaultRules, io)));
  });
  withRuleDirs(rules.command('test').description("run every rule's tests.match / tests.noMatch samples through the real scanner")).action(async (o: RulesFlags) => {
    const c = rulesConfig(o);
    const results = await runRuleSamples(await loadRules(c.extraDirs, c.noDefaultRules, io));
    const failed = results.filter((r) => !r.ok);
    for (const r of failed) io.stdout(`FAIL ${r.ruleId} ${r.kind}[${r.index}]: ${r.message ?? ''}\n`);
    const byRule = new Set(results.map((r) => r.ruleId));
    io.stdout(`${results.length - failed.length} passed, ${failed.length} failed (${byRule.size} rules)\n`);
    exit(failed.length > 0 ? 1 : 0);
  });
  rules
    .command('show')
    .description('explain one rule')
    .argument('<id>', 'rule id')
    .option('--rules <path>', 'extra rule directory or rule file (repeatable)', collectList, [] as string[])
    .action(async (id: string, o: RulesFlags) => {
      const c = rulesConfig(o);
      const r = (await loadRules(c.extraDirs, false, io)).find((x) => x.id === id);
      if (!r) throw new UsageError(`no rule "${id}"; \`mapmortem rules list\` shows the ids`);
      io.stdout(showRule(r));
    });
};
