// Build step (after tsc and the bundle): validates the bundled rule pack as any run would
// (YAML, schema, precedence, regex engines and ReDoS proofs) and writes it as JSON,
// rule-pack.json, beside the modules that read it (dist/src/rules/, dist/bundle/), so a run
// skips the YAML parse. A rule file that does not validate fails the build.

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRulesDir, loadRuleDirs, parseRuleText } from '../src/rules/load.js';
import { RULE_PACK_NAME, rulePackJson, type RuleFileText } from '../src/rules/precompiled.js';
import type { Rule } from '../src/core/index.js';

const TARGETS = ['dist/src/rules', 'dist/bundle'];

async function main(): Promise<number> {
  const root = join(defaultRulesDir(), '..');
  // An earlier build's pack would stand in for the YAML below: check the files themselves.
  for (const t of TARGETS) rmSync(join(root, t, RULE_PACK_NAME), { force: true });
  const dir = defaultRulesDir();
  const full = await loadRuleDirs([dir]);
  if (!full.ok) {
    for (const e of full.errors) process.stderr.write(`${e.file}: ${e.field}: ${e.message}\n`);
    return 1;
  }
  const files: RuleFileText[] = readdirSync(dir, { withFileTypes: true })
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.ya?ml$/i.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
  const rules: Rule[] = [];
  for (const f of files) {
    const { rule } = await parseRuleText(join(dir, f.name), f.text);
    if (rule === undefined) throw new Error(`${f.name} validated in the pack but not alone`);
    rules.push(rule);
  }
  const json = rulePackJson(files, rules);
  for (const t of TARGETS) writeFileSync(join(root, t, RULE_PACK_NAME), json);
  return 0;
}

process.exitCode = await main();
