// The recipes of docs/ARCHITECTURE.md done once: a log format (ClickHouse's server log) and an
// evidence parser (docker inspect) written as fixtures, each registered with one line, then
// read end to end by a real scan: detected, parsed, matched, and used as evidence.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectEvidence, parseEvidence, registerEvidenceParser } from '../src/evidence/index.js';
import { detectFormat, parseEvent } from '../src/formats/index.js';
import { registerFormat } from '../src/formats/registry.js';
import { runScan } from '../src/pipeline/scan.js';
import { defaultRulesDir, loadRuleDirs } from '../src/rules/load.js';
import { clickhouseFormat } from './fixtures/recipes/clickhouse-format.js';
import { dockerInspectEvidence } from './fixtures/recipes/docker-inspect-evidence.js';

const LOG = [
  '2024.05.01 12:00:00.123456 [ 1234 ] {} <Information> Application: Starting ClickHouse 23.8.2.7',
  '2024.05.01 12:00:01.000001 [ 1240 ] {} <Error> MergeTreeBackgroundExecutor: Code: 173. DB::ErrnoException: Allocator: Cannot mmap 128.00 MiB., errno: 12, strerror: Cannot allocate memory. (CANNOT_ALLOCATE_MEMORY)',
  '0. DB::Exception::Exception() @ 0x000000000c4fd597 in /usr/bin/clickhouse',
  '1. DB::throwFromErrno() @ 0x000000000c4fe1a0 in /usr/bin/clickhouse',
  '2024.05.01 12:00:02.000000 [ 1234 ] {} <Information> Application: Shutting down',
];
const INSPECT = ['[', '  {', '    "Id": "4f1c",', '    "HostConfig": {', '      "Memory": 4294967296,', '      "PidsLimit": 4096', '    }', '  }', ']'];

describe('recipe: a log format and an evidence parser added as fixtures', () => {
  let dir = '';
  const undo: (() => void)[] = [];
  beforeAll(async () => {
    undo.push(registerFormat(clickhouseFormat), registerEvidenceParser(dockerInspectEvidence));
    dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-recipe-'));
    await writeFile(path.join(dir, 'clickhouse-server.log'), `${LOG.join('\n')}\n`);
    await writeFile(path.join(dir, 'inspect.json'), `${INSPECT.join('\n')}\n`);
  });
  afterAll(async () => {
    for (const u of undo) u();
    await rm(dir, { recursive: true, force: true });
  });

  it('the fixtures pass the registry checks every shipped format and parser passes', () => {
    for (const s of clickhouseFormat.samples) {
      expect(detectFormat(s.lines).format).toBe('clickhouse');
      expect(parseEvent(s.lines[0]!, clickhouseFormat.name)).toMatchObject(s.event ?? {});
    }
    for (const s of dockerInspectEvidence.samples) {
      expect(detectEvidence(s.lines, s.name)).toBe(s.kind);
      expect(parseEvidence(s.kind, s.name, s.lines).evidence.facts.map((f) => [f.key, f.value])).toEqual(Object.entries(s.facts));
    }
  });

  it('a scan reads the new format into records and uses the new evidence for the incident', async () => {
    const rules = await loadRuleDirs([defaultRulesDir()]);
    if (!rules.ok) throw new Error('rule pack does not load');
    const report = await runScan({
      paths: [dir],
      cwd: dir,
      include: [],
      exclude: [],
      rules: rules.rules,
      context: 0,
      maxLineBytes: 1024 * 1024,
      now: new Date('2026-01-01T00:00:00Z'),
      version: '0.0.0-test',
      jobs: 1,
    });
    const roles = Object.fromEntries(report.inputs.map((i) => [path.basename(i.file), i.role]));
    expect(roles).toEqual({ 'clickhouse-server.log': 'log:clickhouse', 'inspect.json': 'evidence:docker-inspect' });
    const incident = report.incidents[0]!;
    const finding = incident.findings[0]!;
    expect(finding).toMatchObject({ format: 'clickhouse', line: 2, level: 'ERROR', logger: 'MergeTreeBackgroundExecutor' });
    expect(finding.time?.iso).toBe('2024-05-01T12:00:01.000');
    // The stack frames belong to the record; the next timestamped line does not.
    expect(finding.recordLines.map((l) => l.line)).toEqual([2, 3, 4]);
    expect(incident.evidence.map((e) => [path.basename(e.file), e.kind])).toEqual([['inspect.json', 'docker-inspect']]);
    const facts = report.evidence.find((e) => e.kind === ('docker-inspect' as string))?.facts ?? [];
    expect(facts.map((f) => [f.key, f.value, f.source.line])).toEqual([
      ['cgroup-memory-limit', 4294967296, 5],
      ['cgroup-pids-max', 4096, 6],
    ]);
  });
});
