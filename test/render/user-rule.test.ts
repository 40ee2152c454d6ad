// A user's own rule file (`--rules FILE`) speaks in every report: its message on the finding
// line, its remediation beside the verdict's fix, its explanation and references in --verbose,
// Markdown (inside <details>), HTML, Jira and JSON. One scan writes the JSON; the other formats
// are rendered from it by `report` (the same renderers, without loading the rules again).

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertSchemaValid, runCli } from '../helpers/cli.js';

const RULE = `version: 2
id: acme-slab-map-refused
title: The acme cache could not map a slab arena
status: experimental
severity: critical
systems: [acme-cache]
literals: ["could not be mapped"]
message: 'acme-cache could not map slab arena {arena}[[ ({size})]]'
match:
  scope: line
  all: ['slab arena (?<arena>\\d+) could not be mapped']
captures: ['\\(size (?<size>\\d+)\\)']
extract: { arena: int, size: bytes }
signals: { failure: enomem, operation: mmap, hint: none }
explanation: >
  Every acme-cache slab arena is one anonymous mapping; a refused arena means the kernel said
  no to a new mapping.
remediation: >
  Lower slab_arenas in /etc/acme/cache.conf to 64, then restart acme-cache.
  Each arena above 64 costs one map area per CPU.
references: [https://acme.example.org/docs/slabs, 'acme runbook SLAB-7']
tests:
  match:
    - text: '[acme-cache] slab arena 7 could not be mapped: region table full (size 8388608)'
      line: 1
      captures: { arena: 7, size: 8388608 }
  noMatch:
    - '[acme-cache] slab arena 7 mapped (size 8388608)'
`;

const LOG = [
  '2026-03-01T10:00:00Z [acme-cache] starting 96 slab arenas',
  '2026-03-01T10:00:01Z [acme-cache] slab arena 71 could not be mapped: region table full (size 8388608)',
  '2026-03-01T10:00:02Z [acme-cache] shutting down',
  '',
].join('\n');

const MESSAGE = 'acme-cache could not map slab arena 71 (8.00 MiB)';
const FIX = 'Lower slab_arenas in /etc/acme/cache.conf to 64';
const EXPLAINS = 'Every acme-cache slab arena is one anonymous mapping';

let dir = '';
let ruleFile = '';
let logFile = '';
let json = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-user-rule-'));
  ruleFile = path.join(dir, 'acme-slab-map-refused.yaml');
  logFile = path.join(dir, 'cache.log');
  json = path.join(dir, 'result.json');
  await writeFile(ruleFile, RULE);
  await writeFile(logFile, LOG);
  const r = await runCli(['scan', logFile, '--rules', ruleFile, '-o', json]);
  expect(r.code).toBe(0);
});

const report = (...args: string[]): ReturnType<typeof runCli> => runCli(['report', json, ...args]);

describe('a user rule file given with --rules FILE', () => {
  it('its samples pass rules test, with the stated line and captures', async () => {
    const r = await runCli(['rules', 'test', '--no-default-rules', '--rules', ruleFile]);
    expect(r.stdout).toContain('2 passed, 0 failed (1 rules)');
    expect(r.code).toBe(0);
  });

  it('json: the finding carries the filled message and report.rules the rule in its own words', async () => {
    const report = JSON.parse(await readFile(json, 'utf8'));
    assertSchemaValid(report);
    const f = report.incidents[0].findings[0];
    expect(f.ruleId).toBe('acme-slab-map-refused');
    expect(f.line).toBe(2);
    expect(f.message).toBe(MESSAGE);
    const note = report.rules.find((n: { id: string }) => n.id === 'acme-slab-map-refused');
    expect(note).toMatchObject({ origin: 'user', status: 'experimental', title: 'The acme cache could not map a slab arena' });
    expect(note.remediation).toContain(FIX);
    expect(note.explanation).toContain(EXPLAINS);
    expect(note.references).toEqual(['https://acme.example.org/docs/slabs', 'acme runbook SLAB-7']);
    // only rules with a finding are described, and the bundled ones say so
    expect(report.rules.every((n: { origin: string; id: string }) => n.origin === 'bundled' || n.id === 'acme-slab-map-refused')).toBe(true);
  });

  it('text: the finding line is the rule message and the fix names the rule remediation; --verbose adds explanation and references', async () => {
    const short = await report();
    expect(short.stdout).toContain(MESSAGE);
    expect(short.stdout).toMatch(/^ {11}rule acme-slab-map-refused: Lower slab_arenas in \/etc\/acme\/cache\.conf to 64/m);
    expect(short.stdout).not.toContain(EXPLAINS);
    const verbose = await report('--verbose');
    expect(verbose.stdout).toContain('What the rules say');
    expect(verbose.stdout).toContain('acme-slab-map-refused (user rule, experimental): The acme cache could not map a slab arena');
    expect(verbose.stdout).toContain(EXPLAINS);
    expect(verbose.stdout).toMatch(/fix: +Lower slab_arenas/);
    expect(verbose.stdout).toMatch(/see: +https:\/\/acme\.example\.org\/docs\/slabs\n +acme runbook SLAB-7/);
    expect(verbose.stdout).toContain(MESSAGE);
  });

  it('markdown: message and rule fix in the summary, explanation and references inside <details>', async () => {
    const r = await report('--format', 'md');
    const [summary, details = ''] = r.stdout.split('<details>');
    expect(summary).toContain(`cache.log:2\` (from 2026-03-01T10:00:01.000Z): ${MESSAGE}`);
    expect(summary).toContain('**Rule `acme-slab-map-refused`:** Lower slab\\_arenas in /etc/acme/cache.conf to 64');
    expect(summary).not.toContain(EXPLAINS);
    expect(details).toContain('**What the rules say**');
    expect(details).toContain(EXPLAINS);
    expect(details).toContain('[https://acme.example.org/docs/slabs](https://acme.example.org/docs/slabs)');
    expect(details).toContain('`acme runbook SLAB-7`');
    expect(details).toContain(`| ${MESSAGE} |`);
  });

  it('html: the rules section per incident, the message beside the location, references as text', async () => {
    const html = (await report('--format', 'html')).stdout;
    const section = html.slice(html.indexOf('<section id="rules">'), html.indexOf('</section>', html.indexOf('<section id="rules">')));
    expect(section).toContain('<code>acme-slab-map-refused</code> The acme cache could not map a slab arena <span class="tag">user rule, experimental</span>');
    expect(section).toContain(EXPLAINS);
    expect(section).toContain(FIX);
    expect(section).toContain('<code>https://acme.example.org/docs/slabs</code>');
    expect(html).toContain(`<div class="msg">${MESSAGE}</div>`);
  });

  it('jira: message, rule fix, explanation and references', async () => {
    const jira = await report('--format', 'jira');
    expect(jira.stdout).toContain(`: ${MESSAGE.replace('-', '\\-')}`);
    expect(jira.stdout).toContain('*Rule {{acme-slab-map-refused}}:* Lower slab\\_arenas in /etc/acme/cache.conf to 64');
    expect(jira.stdout).toContain('Every acme\\-cache slab arena is one anonymous mapping');
    expect(jira.stdout).toContain('[https://acme.example.org/docs/slabs]');
  });
});
