import { describe, expect, it } from 'vitest';
import { fillMessage, matchRules } from '../../src/rules/compile.js';
import { loadRuleDirs } from '../../src/rules/load.js';
import { runRuleSamples } from '../../src/pipeline/rule-samples.js';
import { record, ruleDir, ruleYaml } from './helpers.js';

// Rule format v2: version key, message, captures, supersedes, status, open systems, sample
// lines, the linear-time guarantee for user regexes, and v1 files still loading.

const v2 = (id: string, patch: Record<string, string | null> = {}) => ruleYaml(id, { version: 'version: 2', ...patch });

async function load(files: Record<string, string>) {
  return loadRuleDirs([await ruleDir(files)]);
}

async function errorsOf(files: Record<string, string>) {
  const res = await load(files);
  if (res.ok) throw new Error('expected errors');
  return res.errors.map((e) => ({ file: e.file.split('/').pop(), field: e.field, message: e.message }));
}

describe('rule format v2', () => {
  it('fills the message template from typed captures, with fallbacks for missing ones', async () => {
    const res = await load({
      'm.yaml': v2('m', {
        message: "message: 'could not map {size} for {tenant|no tenant}'",
        captures: "captures: ['user=(?<tenant>[\\w-]+)']",
      }),
    });
    if (!res.ok) throw new Error(JSON.stringify(res.errors));
    const [a] = matchRules(res.rules, record('mmap, size 31301: cannot allocate memory user=t-1'));
    expect(a?.message).toBe('could not map 30.6 KiB for t-1');
    expect(a?.captures).toEqual({ size: 31301, tenant: 't-1' });
    const [b] = matchRules(res.rules, record('mmap, size 4096: cannot allocate memory'));
    expect(b?.message).toBe('could not map 4.00 KiB for no tenant');
  });

  it('a message placeholder that names no capture is an error', async () => {
    const errs = await errorsOf({ 'm.yaml': v2('m', { message: "message: 'lost {partition}'" }) });
    expect(errs).toEqual([{ file: 'm.yaml', field: 'message', message: expect.stringContaining('{partition} names no capture') }]);
  });

  it('supersedes drops the other rule on the same record, transitively', async () => {
    const res = await load({
      'a.yaml': v2('a', { supersedes: 'supersedes: [b]' }),
      'b.yaml': v2('b', { supersedes: 'supersedes: [c]' }),
      'c.yaml': v2('c'),
    });
    if (!res.ok) throw new Error(JSON.stringify(res.errors));
    expect(res.rules.find((r) => r.id === 'a')?.supersedes).toEqual(['b', 'c']);
    expect(matchRules(res.rules, record('mmap, size 12: cannot allocate memory')).map((f) => f.ruleId)).toEqual(['a']);
    const withoutA = res.rules.filter((r) => r.id !== 'a');
    expect(matchRules(withoutA, record('mmap, size 12: cannot allocate memory')).map((f) => f.ruleId)).toEqual(['b']);
  });

  it('supersedes must name a loaded rule and may not form a cycle', async () => {
    expect(await errorsOf({ 'a.yaml': v2('a', { supersedes: 'supersedes: [nope]' }) })).toEqual([
      { file: 'a.yaml', field: 'supersedes[0]', message: expect.stringContaining("no loaded rule has the id 'nope'") },
    ]);
    const cyc = await errorsOf({ 'a.yaml': v2('a', { supersedes: 'supersedes: [b]' }), 'b.yaml': v2('b', { supersedes: 'supersedes: [a]' }) });
    expect(cyc.map((e) => e.field)).toEqual(['supersedes', 'supersedes']);
    expect(cyc[0]!.message).toContain('cycle');
  });

  it('systems are open: a user rule may name redis; a non-slug is an error', async () => {
    const res = await load({ 'r.yaml': v2('r', { systems: 'systems: [redis]' }) });
    expect(res.ok && res.rules[0]!.systems).toEqual(['redis']);
    expect((await errorsOf({ 'r.yaml': v2('r', { systems: 'systems: [Redis Server]' }) }))[0]!.field).toBe('systems[0]');
  });

  it('status defaults to stable and takes experimental / deprecated only', async () => {
    const res = await load({ 'a.yaml': v2('a'), 'b.yaml': v2('b', { status: 'status: experimental' }) });
    expect(res.ok && res.rules.map((r) => r.status)).toEqual(['stable', 'experimental']);
    expect((await errorsOf({ 'c.yaml': v2('c', { status: 'status: beta' }) }))[0]).toMatchObject({ field: 'status' });
  });

  it('a v2 match regex that matches an empty line is sent to captures', async () => {
    const errs = await errorsOf({ 'e.yaml': v2('e', { match: "match:\n  scope: line\n  all: ['mmap, size (?<size>\\d+): cannot allocate memory', '^(?:.*?user=(?<u>\\w+))?']" }) });
    expect(errs).toEqual([{ file: 'e.yaml', field: 'match.all[1]', message: expect.stringContaining('belongs in `captures`') }]);
  });

  it('a v1 file still loads: capture-only regexes become extraction patterns', async () => {
    const res = await load({
      'old.yaml': ruleYaml('old', { match: "match:\n  scope: line\n  all: ['mmap, size (?<size>\\d+): cannot allocate memory', '^(?:.*?user=(?<tenant>[\\w-]+))?']" }),
    });
    if (!res.ok) throw new Error(JSON.stringify(res.errors));
    const r = res.rules[0]!;
    expect(r.formatVersion).toBe(1);
    expect(r.match.all.map((p) => p.source)).toEqual(['mmap, size (?<size>\\d+): cannot allocate memory']);
    expect(r.captures.map((p) => p.source)).toEqual(['user=(?<tenant>[\\w-]+)']);
    expect(matchRules(res.rules, record('mmap, size 8: cannot allocate memory user=t-9'))[0]?.captures).toEqual({ size: 8, tenant: 't-9' });
  });

  it('a v2 key in a v1 file says how to convert', async () => {
    expect(await errorsOf({ 'old.yaml': ruleYaml('old', { message: "message: 'x'" }) })).toEqual([
      { file: 'old.yaml', field: 'message', message: expect.stringContaining("add 'version: 2'") },
    ]);
  });

  it('rejects an exponential user regex at load, naming file, field and reason', async () => {
    const errs = await errorsOf({
      'bad.yaml': v2('bad', {
        literals: 'literals: ["aaaa"]',
        match: "match:\n  scope: line\n  all: ['^(a+)+$']",
        extract: null,
        tests: "tests:\n  match: ['aaaa']\n  noMatch: ['b']",
      }),
    });
    expect(errs).toEqual([{ file: 'bad.yaml', field: 'match.all[0]', message: expect.stringMatching(/super-linear time.*exponential/) }]);
  });

  it('rejects lookaround and backreferences with the reason', async () => {
    const errs = await errorsOf({ 'la.yaml': v2('la', { match: "match:\n  scope: line\n  all: ['mmap, size (?<size>\\d+)(?!0): cannot allocate memory']" }) });
    expect(errs).toEqual([{ file: 'la.yaml', field: 'match.all[0]', message: expect.stringContaining('cannot run in linear time') }]);
  });

  it('rules test checks the finding line a sample states', async () => {
    const res = await load({
      'l.yaml': v2('l', { tests: 'tests:\n  match:\n    - text: "first line\\nmmap, size 12: cannot allocate memory\\n"\n      line: 1\n  noMatch: [\'ok\']' }),
    });
    if (!res.ok) throw new Error(JSON.stringify(res.errors));
    const results = await runRuleSamples(res.rules);
    expect(results.find((r) => r.kind === 'match')).toMatchObject({ ok: false, message: expect.stringContaining('finding on line 2') });
  });
});

describe('message templates', () => {
  const extract = { dir: 'path', size: 'bytes', partition: 'string' } as const;
  it('keeps an optional segment only when its captures are there, and never leaves a dangling space', () => {
    const t = 'Kafka could not map an index of {partition|a partition}[[ in {dir}]]';
    expect(fillMessage(t, { partition: 'orders-3', dir: '/data' }, extract)).toBe('Kafka could not map an index of orders-3 in /data');
    expect(fillMessage(t, { partition: 'orders-3' }, extract)).toBe('Kafka could not map an index of orders-3');
    expect(fillMessage(t, {}, extract)).toBe('Kafka could not map an index of a partition');
  });
  it('drops a segment when any one of its captures is missing, formats byte sizes, and collapses the gap', () => {
    const t = 'could not map {partition|a file}[[ ({size} in {dir})]] [[at {dir}]] now';
    expect(fillMessage(t, { size: 1048576 }, extract)).toBe('could not map a file now');
    expect(fillMessage(t, { size: 1048576, dir: '/d' }, extract)).toBe('could not map a file (1.00 MiB in /d) at /d now');
  });
});
