// The precompiled rule pack (src/rules/precompiled.ts): the JSON written at build time gives
// back exactly the rules the YAML validates to, and is refused once a rule file changes.

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/core/index.js';
import { defaultRulesDir, parseRuleText } from '../../src/rules/load.js';
import { precompiledRules, rulePackJson, type RuleFileText } from '../../src/rules/precompiled.js';

const dir = defaultRulesDir();
const files: RuleFileText[] = readdirSync(dir)
  .filter((n) => /\.ya?ml$/.test(n))
  .sort()
  .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
let parsed: Rule[];
let packPath: string;

beforeAll(async () => {
  parsed = [];
  for (const f of files) {
    const res = await parseRuleText(join(dir, f.name), f.text);
    if (res.rule === undefined) throw new Error(JSON.stringify(res.errors));
    parsed.push(res.rule);
  }
  packPath = join(mkdtempSync(join(tmpdir(), 'mm-pack-')), 'rule-pack.json');
  writeFileSync(packPath, rulePackJson(files, parsed));
});

describe('the precompiled rule pack', () => {
  it('gives back every bundled rule as the YAML validates to, its source file under the directory read', () => {
    expect(precompiledRules(dir, files, packPath)).toEqual(parsed);
    const moved = precompiledRules('/opt/mm/rules', files, packPath);
    expect(moved?.map((r) => r.sourceFile)).toEqual(files.map((f) => join('/opt/mm/rules', f.name)));
  });

  it('is refused when a rule file was edited, added, renamed or removed since the build, or there is no pack', () => {
    const [first, ...rest] = files;
    if (first === undefined) throw new Error('no rule files');
    expect(precompiledRules(dir, [{ ...first, text: `${first.text}# edited\n` }, ...rest], packPath)).toBeUndefined();
    expect(precompiledRules(dir, [...files, { name: 'zz-new.yaml', text: first.text }], packPath)).toBeUndefined();
    expect(precompiledRules(dir, [{ ...first, name: `x-${first.name}` }, ...rest], packPath)).toBeUndefined();
    expect(precompiledRules(dir, rest, packPath)).toBeUndefined();
    expect(precompiledRules(dir, files, join(packPath, '..', 'missing.json'))).toBeUndefined();
  });
});
