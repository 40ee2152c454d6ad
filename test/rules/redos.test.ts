import { beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/core/index.js';
import { matchRecord } from '../../src/rules/compile.js';
import { defaultRulesDir, loadRuleDirs } from '../../src/rules/load.js';
import { record } from './helpers.js';

// Every bundled rule against adversarial 1 MiB lines: a run of one character, each literal
// repeated, each literal followed by a long run, and a sample's hit line repeated. Regexes run
// on V8 only when proved linear, on re2js otherwise, so each rule finishes; a super-linear one
// would hang here (the test's timeout fails it). No timing is asserted.

const MiB = 1024 * 1024;
const fill = (unit: string): string => unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB);

let rules: Rule[] = [];
beforeAll(async () => {
  const res = await loadRuleDirs([defaultRulesDir()]);
  if (!res.ok) throw new Error(res.errors.map((e) => `${e.file} ${e.field}: ${e.message}`).join('\n'));
  rules = res.rules;
});

function adversarial(r: Rule): string[] {
  const lines = [fill('a'), fill('0'), fill('( ')];
  for (const l of r.literals) lines.push(fill(`${l} `), l + fill('0'), `${l} (${fill('x')}`);
  return lines;
}

describe('ReDoS: every rule on adversarial 1 MiB lines', () => {
  it('runs the pack mostly on V8 (proved linear), the rest on re2js', () => {
    const patterns = rules.flatMap((r) => [...r.match.all, ...r.match.any, ...r.match.none, ...r.captures]);
    expect(patterns.every((p) => p.engine === 'v8' || p.engine === 're2')).toBe(true);
    expect(patterns.filter((p) => p.engine === 'v8').length / patterns.length).toBeGreaterThan(0.9);
  });

  it('finishes every rule on every adversarial line, and still finds a repeated hit line', { timeout: 300_000 }, () => {
    const missed: string[] = [];
    for (const r of rules) {
      for (const line of adversarial(r)) matchRecord(r, record(line));
      const sample = r.tests.match[0]!;
      const hitLine = sample.text.split('\n')[(sample.line ?? 1) - 1]!;
      if (r.match.scope === 'line' && matchRecord(r, record(hitLine)) !== null) {
        const long = fill(`${hitLine} `);
        if (matchRecord(r, record(long)) === null) missed.push(r.id);
      }
    }
    expect(missed).toEqual([]);
  });
});
