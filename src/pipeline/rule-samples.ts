// Runs every rule's own samples (tests.match / tests.noMatch) through the real scan path:
// format detection, the prefilter, record assembly and the matcher (with precedence between
// rules), exactly as a log would go; checks the finding's line and captures the sample states.

import type { Finding, Rule } from '../core/index.js';
import { buildPrefilter } from '../rules/compile.js';
import { scanLog } from './scan.js';

export interface SampleResult {
  readonly ruleId: string;
  readonly kind: 'match' | 'noMatch';
  readonly index: number;
  readonly ok: boolean;
  /** Why it failed, in words. */
  readonly message?: string;
}

/** Findings of one rule on one text, scanned as a file of its own. */
export async function findingsForText(text: string, rules: readonly Rule[], ruleId?: string): Promise<Finding[]> {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  const res = await scanLog('(sample)', [Buffer.from(body, 'utf8')], rules, buildPrefilter(rules), { context: 0, maxLineBytes: 1024 * 1024 });
  return ruleId ? res.findings.filter((f) => f.ruleId === ruleId) : res.findings;
}

function sameValue(a: unknown, b: unknown): boolean {
  return typeof a === 'number' || typeof b === 'number' ? Number(a) === Number(b) : String(a) === String(b);
}

/** Run the samples of `only` (default: every rule) against the whole pack `rules`. */
export async function runRuleSamples(rules: readonly Rule[], only?: readonly Rule[]): Promise<SampleResult[]> {
  const results: SampleResult[] = [];
  for (const rule of only ?? rules) {
    for (const [index, sample] of rule.tests.match.entries()) {
      const found = await findingsForText(sample.text, rules, rule.id);
      let message: string | undefined;
      if (found.length === 0) message = 'the rule did not match this sample';
      else if (sample.line !== undefined && found[0]!.line !== sample.line) {
        message = `finding on line ${found[0]!.line} (${found[0]!.text.slice(0, 120)}), the sample says line ${sample.line}`;
      } else if (sample.captures) {
        const caps = found[0]!.captures;
        for (const [k, v] of Object.entries(sample.captures)) {
          if (!sameValue(caps[k], v)) {
            message = `capture ${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(caps[k])}`;
            break;
          }
        }
      }
      results.push({ ruleId: rule.id, kind: 'match', index, ok: message === undefined, ...(message ? { message } : {}) });
    }
    for (const [index, text] of rule.tests.noMatch.entries()) {
      const found = await findingsForText(text, rules, rule.id);
      results.push({
        ruleId: rule.id,
        kind: 'noMatch',
        index,
        ok: found.length === 0,
        ...(found.length > 0 ? { message: `the rule matched line ${found[0]!.line}: ${found[0]!.text.slice(0, 160)}` } : {}),
      });
    }
  }
  return results;
}
