// The rule notes of a report: every rule with a finding in its incidents, in the rule's own
// words (title, status, explanation, remediation, references) and where it came from (the
// bundled pack or the user's --rules), so renderers and `mapmortem report` need no rule pack.

import { dirname } from 'node:path';
import type { Incident, Rule, RuleNote } from '../core/index.js';
import { defaultRulesDir } from './load.js';

/** Ids of the rules with a finding in `incidents`, listed or counted past the examples. */
export function usedRuleIds(incidents: readonly Incident[]): Set<string> {
  const ids = new Set<string>();
  for (const inc of incidents) {
    for (const f of inc.findings) ids.add(f.ruleId);
    for (const id of inc.unlisted?.rules ?? []) ids.add(id);
  }
  return ids;
}

function byId(a: RuleNote, b: RuleNote): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The note of every rule the incidents used, sorted by id; a rule whose file lies in `bundledDir` is the bundled pack's. */
export function ruleNotes(rules: readonly Rule[], incidents: readonly Incident[], bundledDir: string = defaultRulesDir()): RuleNote[] {
  const used = usedRuleIds(incidents);
  return rules
    .filter((r) => used.has(r.id))
    .map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      origin: dirname(r.sourceFile) === bundledDir ? ('bundled' as const) : ('user' as const),
      explanation: r.explanation,
      remediation: r.remediation,
      references: r.references,
    }))
    .sort(byId);
}

/** Notes of several results for the merged incidents: one per used id (the first result's), sorted by id. */
export function mergeRuleNotes(lists: readonly (readonly RuleNote[] | undefined)[], incidents: readonly Incident[]): RuleNote[] {
  const used = usedRuleIds(incidents);
  const out = new Map<string, RuleNote>();
  for (const list of lists) for (const n of list ?? []) if (used.has(n.id) && !out.has(n.id)) out.set(n.id, n);
  return [...out.values()].sort(byId);
}
