// The rules an incident shows in its own words: the report's rule notes (report.rules) of the
// rules behind the incident's findings, failures first in order of appearance, and which of
// them name a fix the verdict's does not say (a user's rule always; a bundled rule when the
// verdict could not be specific: an unknown cause or a non-memory mmap error).

import type { Cause, Incident, Report, RuleNote } from '../core/index.js';

export interface IncidentRule {
  readonly note: RuleNote;
  /** The rule's remediation belongs beside the verdict's fix even in a short report. */
  readonly fixShown: boolean;
}

/** Causes whose verdict fix is generic: the matching rule knows more about the failure. */
const GENERIC_FIX: ReadonlySet<Cause> = new Set(['unknown', 'other-mmap-error']);

/** The notes of the rules behind `inc`'s findings (failures first, then context rules, then rules only counted past the examples). */
export function incidentRules(report: Report, inc: Incident): IncidentRule[] {
  const notes = new Map((report.rules ?? []).map((n) => [n.id, n]));
  const failures: string[] = [];
  const others: string[] = [];
  for (const f of inc.findings) {
    const list = f.signals.failure === 'context' ? others : failures;
    if (!failures.includes(f.ruleId) && !others.includes(f.ruleId)) list.push(f.ruleId);
  }
  for (const id of inc.unlisted?.rules ?? []) if (!failures.includes(id) && !others.includes(id)) others.push(id);
  const out: IncidentRule[] = [];
  for (const id of failures) {
    const note = notes.get(id);
    if (note) out.push({ note, fixShown: note.origin === 'user' || GENERIC_FIX.has(inc.cause) });
  }
  for (const id of others) {
    const note = notes.get(id);
    if (note) out.push({ note, fixShown: note.origin === 'user' });
  }
  return out;
}

/** "user rule, experimental" / "deprecated" / '' for a stable bundled rule. */
export function ruleTag(note: RuleNote): string {
  return [note.origin === 'user' ? 'user rule' : '', note.status === 'stable' ? '' : note.status].filter((s) => s !== '').join(', ');
}

/** A link target for a reference: only http(s) URLs become links. */
export function referenceHref(ref: string): string | undefined {
  return /^https?:\/\/[^\s"'<>[\]{}|`]+$/i.test(ref) ? ref : undefined;
}
