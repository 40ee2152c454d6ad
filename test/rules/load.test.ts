import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRulesDir, groupNames, loadRuleDirs, parseRuleText } from '../../src/rules/load.js';
import { ruleDir, ruleYaml } from './helpers.js';

async function errorsOf(files: Record<string, string>) {
  const res = await loadRuleDirs([await ruleDir(files)]);
  if (res.ok) throw new Error('expected errors');
  return res.errors.map((e) => ({ file: e.file.split('/').pop(), field: e.field, message: e.message }));
}

describe('loadRuleDirs', () => {
  it('loads a valid rule with compiled regexes and typed samples', async () => {
    const res = await loadRuleDirs([await ruleDir({ 'good.yaml': ruleYaml('good'), 'notes.txt': 'ignored' })]);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.rules).toHaveLength(1);
    const r = res.rules[0]!;
    expect(r.id).toBe('good');
    expect(r.formats).toEqual([]);
    expect(r.match.all[0]!.source).toBe('mmap, size (?<size>\\d+): cannot allocate memory');
    expect(r.extract).toEqual({ size: 'bytes' });
    expect(r.tests.match[0]).toEqual({ text: 'mmap, size 12: cannot allocate memory', captures: { size: 12 } });
    expect(r.sourceFile.endsWith('good.yaml')).toBe(true);
  });

  it('reports an id that differs from the file name', async () => {
    const errs = await errorsOf({ 'right-name.yaml': ruleYaml('wrong-name') });
    expect(errs).toEqual([{ file: 'right-name.yaml', field: 'id', message: expect.stringContaining("must equal the file name 'right-name'") }]);
  });

  it('reports a regex that does not compile, with the engine error', async () => {
    const errs = await errorsOf({
      'bad-re.yaml': ruleYaml('bad-re', { match: "match:\n  scope: line\n  all: ['mmap, size (?<size>\\d+']" }),
    });
    expect(errs[0]).toMatchObject({ file: 'bad-re.yaml', field: 'match.all[0]' });
    expect(errs[0]!.message).toMatch(/does not compile \(Unterminated group\)/);
  });

  it('reports unknown keys at the top level and inside match', async () => {
    const errs = await errorsOf({
      'typo.yaml': ruleYaml('typo', { severty: 'severty: error', match: "match:\n  scope: line\n  al: ['x']\n  all: ['mmap, size (?<size>\\d+)']" }),
    });
    expect(errs.map((e) => e.field)).toEqual(['severty', 'match.al']);
    expect(errs[0]!.message).toContain("unknown key 'severty'");
  });

  it('reports missing tests and an empty noMatch list', async () => {
    expect(await errorsOf({ 'no-tests.yaml': ruleYaml('no-tests', { tests: null }) })).toEqual([
      { file: 'no-tests.yaml', field: 'tests', message: expect.stringContaining('is required') },
    ]);
    const errs = await errorsOf({
      'no-nomatch.yaml': ruleYaml('no-nomatch', { tests: "tests:\n  match: ['mmap, size 1: cannot allocate memory']\n  noMatch: []" }),
    });
    expect(errs).toEqual([{ file: 'no-nomatch.yaml', field: 'tests.noMatch', message: expect.stringContaining('at least one') }]);
  });

  it('reports an unknown severity with the allowed values', async () => {
    const errs = await errorsOf({ 'sev.yaml': ruleYaml('sev', { severity: 'severity: fatal' }) });
    expect(errs).toEqual([{ file: 'sev.yaml', field: 'severity', message: "unknown value 'fatal'; must be one of critical, error, warning, info" }]);
  });

  it('validates enums of systems, formats and signals', async () => {
    const errs = await errorsOf({
      'enums.yaml': ruleYaml('enums', {
        systems: 'systems: [kafka, Redis DB]',
        formats: 'formats: [json, syslog]',
        signals: 'signals: { failure: enomem, operation: mmap, hint: swap }',
      }),
    });
    expect(errs.map((e) => e.field)).toEqual(['systems[1]', 'formats[1]', 'signals.hint']);
  });

  it('rejects short literals, quotes and backslashes in literals', async () => {
    const errs = await errorsOf({ 'lits.yaml': ruleYaml('lits', { literals: 'literals: ["mma", "a\\"b c", "cannot allocate memory"]' }) });
    expect(errs.map((e) => e.field)).toEqual(['literals[0]', 'literals[1]']);
  });

  it('requires a literal in every match sample and names the sample', async () => {
    const errs = await errorsOf({
      'lit-sample.yaml': ruleYaml('lit-sample', {
        literals: 'literals: ["allocate memory"]',
        tests: "tests:\n  match:\n    - 'mmap, size 1: cannot allocate memory'\n    - 'mmap, size 2: ENOMEM'\n  noMatch: ['x']",
      }),
    });
    expect(errs).toEqual([{ file: 'lit-sample.yaml', field: 'tests.match[1]', message: expect.stringContaining('none of the literals') }]);
  });

  it('requires extract names to exist as named groups', async () => {
    const errs = await errorsOf({ 'ext.yaml': ruleYaml('ext', { extract: 'extract: { size: bytes, errno: errno, path: filename }' }) });
    expect(errs.map((e) => e.field)).toEqual(['extract.errno', 'extract.path']);
  });

  it('rejects flags other than i and any/none regexes that match an empty line', async () => {
    const errs = await errorsOf({
      'flags.yaml': ruleYaml('flags', {
        match: "match:\n  scope: line\n  all: ['mmap, size (?<size>\\d+)']\n  any: ['(?:x)?']\n  none: ['.*']\n  flags: g",
      }),
    });
    expect(errs.map((e) => e.field)).toEqual(['match.flags', 'match.any[0]', 'match.none[0]']);
  });

  it('reports YAML syntax errors with line and column', async () => {
    const errs = await errorsOf({ 'broken.yaml': 'id: broken\ntitle: [unclosed\nseverity: error\n' });
    expect(errs[0]).toMatchObject({ file: 'broken.yaml', field: '(yaml)' });
    expect(errs[0]!.message).toMatch(/at \d+:\d+/);
  });

  it('reports duplicate ids across directories and a missing directory', async () => {
    const a = await ruleDir({ 'dup.yaml': ruleYaml('dup') });
    const b = await ruleDir({ 'dup.yml': ruleYaml('dup') });
    const res = await loadRuleDirs([a, b, join(a, 'nope')]);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors.map((e) => [e.file, e.field])).toEqual([
      [join(b, 'dup.yml'), 'id'],
      [join(a, 'nope'), '(dir)'],
    ]);
  });

  it('accepts string samples and ignores non-yaml files', async () => {
    const res = await parseRuleText('/x/ok.yaml', ruleYaml('ok', { tests: "tests:\n  match: ['mmap, size 1: cannot allocate memory']\n  noMatch: ['n']" }));
    expect(res.errors).toEqual([]);
    expect(res.rule?.tests.match).toEqual([{ text: 'mmap, size 1: cannot allocate memory' }]);
  });
});

describe('groupNames', () => {
  it('finds named groups, not lookbehinds or escaped parens', () => {
    expect(groupNames('(?<a>x)(?<=y)(?<!z)\\(?<b>c)(?<c_1>d)')).toEqual(['a', 'c_1']);
  });
});

describe('defaultRulesDir', () => {
  it('resolves the repository rules directory', () => {
    const dir = defaultRulesDir();
    expect(dir.endsWith('/rules')).toBe(true);
    expect(existsSync(join(dir, 'kafka-index-map-failed.yaml'))).toBe(true);
  });
});

describe('docs/rules.md', () => {
  it('its example rule is valid', async () => {
    const md = readFileSync(join(defaultRulesDir(), '..', 'docs', 'rules.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md)?.[1] ?? '';
    const res = await parseRuleText('docs/kafka-index-map-failed.yaml', yaml);
    expect(res.errors).toEqual([]);
    expect(res.rule?.tests.match).toHaveLength(2);
  });
});
