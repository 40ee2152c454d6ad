// Every way a rule file can be wrong stops the load with an error that names the file, the
// field and the fix: one row per mistake a user makes (typos, v1/v2 mix-ups, regexes that
// cannot run in linear time, captures and messages that do not line up, bad --rules paths).

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleDirs } from '../../src/rules/load.js';

/** A valid v2 rule file; each key of `patch` replaces (or with null removes) one top-level block. */
function v2(id: string, patch: Record<string, string | null> = {}): string {
  const blocks: Record<string, string> = {
    version: 'version: 2',
    id: `id: ${id}`,
    title: 'title: A test rule',
    severity: 'severity: critical',
    systems: 'systems: [generic]',
    literals: 'literals: ["cannot allocate memory"]',
    match: "match:\n  scope: line\n  all: ['mmap, size (?<size>\\d+): cannot allocate memory']",
    signals: 'signals: { failure: enomem, operation: mmap, hint: none }',
    explanation: 'explanation: x',
    remediation: 'remediation: y',
    tests: "tests:\n  match:\n    - text: 'mmap, size 12: cannot allocate memory'\n  noMatch:\n    - 'mmap, size 12: ok'",
  };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete blocks[k];
    else blocks[k] = v;
  }
  return `${Object.values(blocks).join('\n')}\n`;
}

const line = (all: string): string => `match:\n  scope: line\n  all: [${all}]`;

/** [what is wrong, file name, file text, field, the fix the message must name]. */
const CASES: readonly (readonly [string, string, string, string, RegExp])[] = [
  ['a typo in a key', 't.yaml', v2('t', { extra: 'severty: critical' }), 'severty', /unknown key 'severty'; allowed keys here: .*severity.*check the spelling/],
  ['YAML syntax', 't.yaml', 'id: t\ntitle: [unclosed\n', '(yaml)', /YAML syntax error at \d+:\d+: .*; fix the YAML/],
  ['not a mapping', 't.yaml', '- a\n- b\n', '(root)', /must be a YAML mapping .*see docs\/rules\.md/],
  ['a missing key', 't.yaml', v2('t', { explanation: null }), 'explanation', /is required; add 'explanation:' to the file/],
  ['the id is not the file name', 't.yaml', v2('other'), 'id', /'other' must equal the file name 't'; rename the file or change the id/],
  ['version 1 written out', 't.yaml', v2('t', { version: 'version: 1' }), 'version', /remove it, or convert the file to 'version: 2'/],
  ['an unknown version', 't.yaml', v2('t', { version: 'version: 3' }), 'version', /unknown rule format version '3'.*write 'version: 2'/],
  [
    'a v2 key in a v1 file',
    't.yaml',
    v2('t', { version: null, message: "message: 'x'" }),
    'message',
    /v2 key; add 'version: 2' at the top of the file \(docs\/rules\.md, "Converting a v1 rule"\)/,
  ],
  ['an unknown severity', 't.yaml', v2('t', { severity: 'severity: fatal' }), 'severity', /unknown value 'fatal'; must be one of critical, error, warning, info/],
  ['an unknown status', 't.yaml', v2('t', { status: 'status: beta' }), 'status', /unknown value 'beta'; must be one of stable, experimental, deprecated/],
  ['a system that is not a slug', 't.yaml', v2('t', { systems: 'systems: [Redis Server]' }), 'systems[0]', /use a lowercase word such as redis/],
  ['no system', 't.yaml', v2('t', { systems: 'systems: []' }), 'systems', /must list at least one system, e\.g\. \[.*\] or your own \(redis\)/],
  ['an unknown format', 't.yaml', v2('t', { formats: 'formats: [syslog]' }), 'formats[0]', /unknown value 'syslog'; must be one of /],
  ['a short literal', 't.yaml', v2('t', { literals: 'literals: ["mem"]' }), 'literals[0]', /shorter than 4 characters; use a longer, more specific string/],
  ['a literal JSON escapes', 't.yaml', v2('t', { literals: `literals: ['say "no"']` }), 'literals[0]', /which JSON logs escape; use a part of the text without them/],
  [
    'a sample without a literal',
    't.yaml',
    v2('t', { literals: 'literals: ["ENOMEM"]' }),
    'tests.match[0]',
    /contains none of the literals \(ENOMEM\).*add a literal that every match contains/,
  ],
  ['an unknown scope', 't.yaml', v2('t', { match: "match:\n  scope: file\n  all: ['cannot allocate memory']" }), 'match.scope', /must be one of line, record/],
  [
    'a flag other than i',
    't.yaml',
    v2('t', { match: "match:\n  scope: line\n  flags: g\n  all: ['cannot allocate memory']" }),
    'match.flags',
    /only 'i' \(ignore case\) is, or leave it out/,
  ],
  [
    'a regex that does not compile',
    't.yaml',
    v2('t', { match: line("'cannot (allocate memory'") }),
    'match.all[0]',
    /does not compile \(.+\); rule regexes are JavaScript regexes without lookaround/,
  ],
  ['a lookahead', 't.yaml', v2('t', { match: line("'cannot (?=allocate) memory'") }), 'match.all[0]', /cannot run in linear time .*rewrite it without them/],
  ['a backreference', 't.yaml', v2('t', { match: line("'(cannot) allocate memory \\1'") }), 'match.all[0]', /cannot run in linear time .*rewrite it without them/],
  [
    'a super-linear regex (ReDoS)',
    't.yaml',
    v2('t', { match: line("'cannot allocate memory', '^(a+)+$'") }),
    'match.all[1]',
    /can take super-linear time on a long line: exponential backtracking \(an input such as ".*" makes it slow\); rewrite it so that no two parts can match the same text/,
  ],
  ['an empty regex', 't.yaml', v2('t', { match: line("'cannot allocate memory', ''") }), 'match.all[1]', /is an empty regex \(it matches everything\); remove it/],
  [
    'a capture-only pattern in match.all of a v2 file',
    't.yaml',
    v2('t', { match: line("'cannot allocate memory', '^(?:.*?tenant=(?<tenant>\\w+))?'") }),
    'match.all[1]',
    /matches an empty line, so it decides nothing; a pattern that only fills captures belongs in `captures`/,
  ],
  [
    'an always-matching any',
    't.yaml',
    v2('t', { match: "match:\n  scope: line\n  all: ['cannot allocate memory']\n  any: ['x?']" }),
    'match.any[0]',
    /always matches; .*belongs in `captures`/,
  ],
  [
    'an extraction pattern without a group',
    't.yaml',
    v2('t', { captures: "captures: ['tenant=\\w+']" }),
    'captures[0]',
    /has no named group \(\?<name>…\); an extraction pattern only fills captures, so it needs one/,
  ],
  [
    'extract names no group',
    't.yaml',
    v2('t', { extract: 'extract: { nope: bytes }' }),
    'extract.nope',
    /no regex in match\.all, match\.any or captures has a named group \(\?<nope>…\); add one or remove this entry/,
  ],
  [
    'an unknown extract kind',
    't.yaml',
    v2('t', { extract: 'extract: { size: megabytes }' }),
    'extract.size',
    /unknown kind 'megabytes'; must be one of bytes, int, string, errno, path/,
  ],
  [
    'a message placeholder without a capture',
    't.yaml',
    v2('t', { message: "message: 'size {sz}'" }),
    'message',
    /\{sz\} names no capture \(captures here: size\); use one of them, or add a named group \(\?<sz>…\)/,
  ],
  [
    'decides that is not a boolean',
    't.yaml',
    v2('t', { signals: 'signals: { failure: enomem, operation: mmap, hint: none, decides: sure }' }),
    'signals.decides',
    /must be true or false/,
  ],
  ['an unknown signal', 't.yaml', v2('t', { signals: 'signals: { failure: crash, operation: mmap, hint: none }' }), 'signals.failure', /must be one of enomem, non-enomem, /],
  ['a rule superseding itself', 't.yaml', v2('t', { supersedes: 'supersedes: [t]' }), 'supersedes[0]', /a rule cannot supersede itself; remove it/],
  ['supersedes names no rule', 't.yaml', v2('t', { supersedes: 'supersedes: [no-such-rule]' }), 'supersedes[0]', /no loaded rule has the id 'no-such-rule'; check the spelling/],
  [
    'a sample line past the sample',
    't.yaml',
    v2('t', { tests: "tests:\n  match:\n    - text: 'mmap, size 12: cannot allocate memory'\n      line: 3\n  noMatch:\n    - 'x'" }),
    'tests.match[0].line',
    /must be the 1-based line of the sample where the finding is \(1\.\.1\)/,
  ],
  [
    'no near-miss sample',
    't.yaml',
    v2('t', { tests: "tests:\n  match:\n    - 'mmap, size 12: cannot allocate memory'\n  noMatch: []" }),
    'tests.noMatch',
    /must list at least one near-miss sample/,
  ],
  [
    'a sample key typo',
    't.yaml',
    v2('t', { tests: "tests:\n  match:\n    - text: 'mmap, size 12: cannot allocate memory'\n      capture: {}\n  noMatch: ['x']" }),
    'tests.match[0].capture',
    /unknown key 'capture'; allowed keys here: text, captures, line/,
  ],
];

async function errorsOf(name: string, text: string): Promise<{ dir: string; errors: { file: string; field: string; message: string }[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'mapmortem-rule-errors-'));
  await writeFile(join(dir, name), text);
  const res = await loadRuleDirs([dir]);
  return { dir, errors: res.ok ? [] : res.errors };
}

describe('a bad rule file names the file, the field and the fix', () => {
  it.each(CASES)('%s', async (_what, name, text, field, fix) => {
    const { dir, errors } = await errorsOf(name, text);
    const hit = errors.find((e) => e.field === field);
    expect(hit, JSON.stringify(errors)).toBeDefined();
    expect(hit!.file).toBe(join(dir, name));
    expect(hit!.message).toMatch(fix);
  });

  it('a supersedes cycle names both files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mapmortem-rule-errors-'));
    await writeFile(join(dir, 'a.yaml'), v2('a', { supersedes: 'supersedes: [b]' }));
    await writeFile(join(dir, 'b.yaml'), v2('b', { supersedes: 'supersedes: [a]' }));
    const res = await loadRuleDirs([dir]);
    expect(res.ok).toBe(false);
    const errors = res.ok ? [] : res.errors;
    expect(errors.map((e) => [e.file, e.field])).toEqual([
      [join(dir, 'a.yaml'), 'supersedes'],
      [join(dir, 'b.yaml'), 'supersedes'],
    ]);
    expect(errors[0]!.message).toMatch(/supersedes itself through a cycle \(a, b\); remove one direction/);
  });

  it('a duplicate id names the second file and the first', async () => {
    const one = await mkdtemp(join(tmpdir(), 'mapmortem-rule-errors-'));
    const two = await mkdtemp(join(tmpdir(), 'mapmortem-rule-errors-'));
    await writeFile(join(one, 'a.yaml'), v2('a'));
    await writeFile(join(two, 'a.yaml'), v2('a'));
    const res = await loadRuleDirs([one, two]);
    expect(res.ok ? [] : res.errors).toEqual([
      { file: join(two, 'a.yaml'), field: 'id', message: `'a' is already defined in ${join(one, 'a.yaml')}; rule ids must be unique, rename one` },
    ]);
  });

  it('a --rules path that is missing or not a rule file says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mapmortem-rule-errors-'));
    const missing = await loadRuleDirs([join(dir, 'nope')]);
    expect(missing.ok ? [] : missing.errors).toEqual([
      { file: join(dir, 'nope'), field: '(dir)', message: 'cannot read the rules directory or file (ENOENT); check the --rules path' },
    ]);
    await writeFile(join(dir, 'notes.txt'), 'x');
    const txt = await loadRuleDirs([join(dir, 'notes.txt')]);
    expect(txt.ok ? [] : txt.errors).toEqual([
      { file: join(dir, 'notes.txt'), field: '(file)', message: 'is not a rule file: give a .yaml or .yml file, or a directory of them, to --rules' },
    ]);
    await writeFile(join(dir, 'one.yaml'), v2('one'));
    const file = await loadRuleDirs([join(dir, 'one.yaml')]);
    expect(file.ok && file.rules.map((r) => [r.id, r.sourceFile])).toEqual([['one', join(dir, 'one.yaml')]]);
  });
});
