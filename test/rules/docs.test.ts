// docs/rules.md and the loader in step: every key and value the loader accepts is documented,
// the page's example rule loads in the bundled pack (replacing the shipped one) and its samples
// pass with the finding line, captures and message the page states, the v1 example and its v2
// conversion load and agree, the quoted errors are the loader's words, and the shipped-rules
// table lists the pack.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAUSE_HINTS, EXTRACT_KINDS, FAILURE_SIGNALS, LOG_FORMATS, MATCH_SCOPES, OPERATIONS, RULE_STATUSES, SEVERITIES, SYSTEM_NAMES, type Rule } from '../../src/core/index.js';
import { findingsForText, runRuleSamples } from '../../src/pipeline/rule-samples.js';
import { chooseEngines, defaultRulesDir, loadRuleDirs, parseRuleText, resolvePrecedence, RULE_FILE_KEYS } from '../../src/rules/load.js';
import { REPO } from '../helpers/cli.js';

let doc = '';
let yamlBlocks: string[] = [];
let pack: Rule[] = [];

beforeAll(async () => {
  doc = await readFile(join(REPO, 'docs/rules.md'), 'utf8');
  yamlBlocks = [...doc.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const res = await loadRuleDirs([defaultRulesDir()]);
  if (!res.ok) throw new Error(res.errors.map((e) => `${e.file} ${e.field}: ${e.message}`).join('\n'));
  pack = res.rules;
});

async function load(name: string, text: string): Promise<Rule> {
  const { rule, errors } = await parseRuleText(name, text);
  expect(errors).toEqual([]);
  return rule!;
}

async function withEngines(rules: Rule[]): Promise<Rule[]> {
  const resolved = resolvePrecedence(rules);
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
  const res = await chooseEngines(resolved.rules);
  if (!res.ok) throw new Error(JSON.stringify(res.errors));
  return res.rules;
}

describe('docs/rules.md', () => {
  it('documents every key the loader accepts, each top-level key in the fields table', () => {
    for (const list of Object.values(RULE_FILE_KEYS)) for (const key of list) expect(doc, key).toContain(`\`${key}\``);
    for (const key of RULE_FILE_KEYS.top) expect(doc, key).toMatch(new RegExp(`^\\| \`${key}\` \\|`, 'm'));
  });

  it('names every value of every closed list the loader checks', () => {
    const lists = { SEVERITIES, RULE_STATUSES, FAILURE_SIGNALS, OPERATIONS, CAUSE_HINTS, EXTRACT_KINDS, MATCH_SCOPES, LOG_FORMATS, SYSTEM_NAMES };
    for (const [name, values] of Object.entries(lists)) for (const v of values) expect(doc, `${name}: ${v}`).toContain(`\`${v}\``);
  });

  it('the example rule loads in the pack in place of the shipped one, and its samples pass with the stated line, captures and message', async () => {
    const example = await load('kafka-index-map-failed.yaml', yamlBlocks[0]!);
    expect(example.formatVersion).toBe(2);
    expect(example.tests.match[0]).toMatchObject({ line: 2, captures: { partition: 'orders-3', dir: '/var/lib/kafka/data' } });
    const rules = await withEngines([...pack.filter((r) => r.id !== example.id), example]);
    const mine = rules.find((r) => r.id === example.id)!;
    const results = await runRuleSamples(rules, [mine]);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results).toHaveLength(4);
    const first = await findingsForText(mine.tests.match[0]!.text, rules, mine.id);
    expect(first[0]?.message).toBe('Kafka could not map an index of orders-3 in /var/lib/kafka/data');
    const second = await findingsForText(mine.tests.match[1]!.text, rules, mine.id);
    expect(second[0]?.message).toBe('Kafka could not map an index of a partition');
    expect(doc).toContain('message `Kafka could not map an index of orders-3 in /var/lib/kafka/data`');
    expect(doc).toContain('reads `Kafka could not map an index of a partition`');
  });

  it('the v1 example loads as v1, its v2 conversion as v2, and both find the same line and captures', async () => {
    const v1 = await load('my-tsdb-mmap.yaml', yamlBlocks[1]!);
    const v2 = await load('my-tsdb-mmap.yaml', yamlBlocks[2]!);
    expect([v1.formatVersion, v2.formatVersion]).toEqual([1, 2]);
    expect(v1.match.all).toHaveLength(1);
    expect(v1.captures.map((p) => p.source)).toEqual(['/tsdb/(?<tenant>[\\w-]+):']);
    const [a, b] = [await withEngines([v1]), await withEngines([v2])];
    expect((await runRuleSamples(a)).filter((r) => !r.ok)).toEqual([]);
    expect((await runRuleSamples(b)).filter((r) => !r.ok)).toEqual([]);
    const text = v1.tests.match[0]!.text;
    const [fa] = await findingsForText(text, a);
    const [fb] = await findingsForText(text, b);
    expect(fa?.captures).toEqual(fb?.captures);
    expect(fa?.line).toBe(fb?.line);
    expect(fb?.message).toBe('TSDB could not map a block of tenant 10414 (mmap, size 30.6 KiB)');
    expect(doc).toContain("Its finding's message: `TSDB could not map a block of tenant 10414 (mmap, size 30.6 KiB)`.");
  });

  it('quotes the loader’s own words for a super-linear regex and for a lookahead', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mapmortem-docs-'));
    const rule = (id: string, regex: string): string =>
      [
        'version: 2',
        `id: ${id}`,
        'title: T',
        'severity: error',
        'systems: [generic]',
        'literals: ["aaaa"]',
        `match: { scope: line, all: ['${regex}'] }`,
        'signals: { failure: enomem, operation: mmap, hint: none }',
        'explanation: x',
        'remediation: y',
        "tests: { match: ['aaaa'], noMatch: ['b'] }",
        '',
      ].join('\n');
    for (const [id, regex] of [
      ['nested', '^(a+)+$'],
      ['ahead', 'aaaa(?=b)'],
    ] as const) {
      await writeFile(join(dir, `${id}.yaml`), rule(id, regex));
      const res = await loadRuleDirs([join(dir, `${id}.yaml`)]);
      const e = res.ok ? undefined : res.errors[0];
      expect(e?.field).toBe('match.all[0]');
      const quoted = `my-rules/${id}.yaml: ${e!.field}: ${e!.message}`.replace(/an input such as ".*?" makes/, 'an input such as "…" makes');
      expect(doc).toContain(quoted);
    }
  });

  it('the shipped-rules table lists every bundled rule with its severity, signals and precedence', () => {
    const table = doc.slice(doc.indexOf('## The shipped rules'));
    const rows = (table.match(/^\| [a-z0-9-]+ \|.*$/gm) ?? []).filter((r) => !r.startsWith('| id |') && !r.startsWith('| --- |'));
    const expected = pack.map(
      (r) =>
        `| ${r.id} | ${r.severity} | ${r.signals.failure} / ${r.signals.hint}${r.signals.decides ? ' (decides)' : ''} | ${r.supersedes.join(', ')} | ${r.title.replace(/\|/g, '\\|')} |`,
    );
    for (const row of expected) expect(rows, `docs/rules.md "The shipped rules" needs the row\n${row}`).toContain(row);
    expect(rows).toHaveLength(pack.length);
  });
});
