import { beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/core/index.js';
import { buildPrefilter, matchRules } from '../../src/rules/compile.js';
import { compilePrefilter } from '../../src/scan/prefilter.js';
import { defaultRulesDir, loadRuleDirs } from '../../src/rules/load.js';
import { record } from './helpers.js';

// The shipped rule pack, each sample taken as one plain-text record and matched by the whole
// pack with precedence (`rules test` runs the same samples through real format detection).
let rules: Rule[] = [];
beforeAll(async () => {
  const res = await loadRuleDirs([defaultRulesDir()]);
  if (!res.ok) throw new Error(res.errors.map((e) => `${e.file} ${e.field}: ${e.message}`).join('\n'));
  rules = res.rules;
});

const REQUIRED = [
  'tsdb-mmap-size-enomem',
  'tsdb-mmap-enomem-legacy',
  'go-panic-mmap',
  'go-runtime-out-of-memory',
  'kafka-index-map-failed',
  'java-map-failed-generic',
  'jvm-commit-memory-enomem',
  'jvm-native-allocation-failed',
  'jvm-insufficient-memory-header',
  'jvm-stack-guard-pages',
  'jvm-heap-base-limit',
  'thread-create-failed',
  'elasticsearch-max-map-count-too-low',
  'kernel-oom-killer',
  'kernel-cgroup-oom',
  'mmap-einval',
  'mmap-sigbus',
  'generic-mmap-enomem',
];

describe('rule pack', () => {
  it('loads and contains the required rules', () => {
    const ids = rules.map((r) => r.id);
    for (const id of REQUIRED) expect(ids).toContain(id);
  });

  it('every match sample matches with the expected captures, and passes the prefilter', () => {
    const failures: string[] = [];
    for (const r of rules) {
      // The prefilter as the scanner runs it: over the sample's bytes as a latin1 chunk string.
      const pre = compilePrefilter(buildPrefilter([r])!);
      r.tests.match.forEach((s, i) => {
        const bytes = Buffer.from(s.text, 'utf8');
        const hits: number[] = [];
        pre.lineHits(bytes, bytes.toString('latin1'), hits);
        if (hits.length === 0) failures.push(`${r.id} match[${i}]: prefilter misses it`);
        const f = matchRules(rules, record(s.text)).find((x) => x.ruleId === r.id);
        if (f === undefined) return failures.push(`${r.id} match[${i}]: no match`);
        for (const [k, v] of Object.entries(s.captures ?? {})) {
          if (f.captures[k] !== v) failures.push(`${r.id} match[${i}]: capture ${k} = ${JSON.stringify(f.captures[k])}, want ${JSON.stringify(v)}`);
        }
      });
    }
    expect(failures).toEqual([]);
  });

  it('no noMatch sample matches its rule', () => {
    const failures: string[] = [];
    for (const r of rules) {
      r.tests.noMatch.forEach((s, i) => matchRules(rules, record(s)).some((f) => f.ruleId === r.id) && failures.push(`${r.id} noMatch[${i}]`));
    }
    expect(failures).toEqual([]);
  });

  it('Java heap exhaustion and benign lines match no rule at all', () => {
    const benign = [
      'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
      'java.lang.OutOfMemoryError: GC overhead limit exceeded',
      'java.lang.OutOfMemoryError: Metaspace',
      '[2024-05-02 10:00:01,234] INFO Deleted time index /var/lib/kafka/data/orders-3/00000000000000001234.timeindex.deleted. (kafka.log.LogSegment)',
      'level=info ts=2024-05-02T10:00:00Z caller=head.go:700 component=tsdb msg="On-disk memory mappable chunks replay completed" duration=1.2s',
      '{"level":"info","msg":"mmap region released","errno":0}',
      'vm.max_map_count = 262144',
    ];
    const hits = benign.flatMap((t) => matchRules(rules, record(t)).map((f) => `${f.ruleId}: ${t}`));
    expect(hits).toEqual([]);
  });

  it('the seed lines hit the expected rules', () => {
    const seed = [
      [
        'opening existing TSDBs:  failed to open TSDB: 10 errors: mmap, size 31301: cannot allocate memory; mmap files: mmap, size 16585: cannot allocate memory',
        'tsdb-mmap-size-enomem',
      ],
      ['Java HotSpot(TM) 64-Bit Server VM warning: Attempt to protect stack guard pages failed.', 'jvm-stack-guard-pages'],
      [
        "Java HotSpot(TM) 64-Bit Server VM warning: INFO: os::commit_memory(0x00007f4e0ff1b000, 12288, 0) failed; error='Cannot allocate memory' (errno=12)",
        'jvm-commit-memory-enomem',
      ],
      ['# There is insufficient memory for the Java Runtime Environment to continue.', 'jvm-insufficient-memory-header'],
      ['# Native memory allocation (mmap) failed to map 12288 bytes for committing reserved memory.', 'jvm-native-allocation-failed'],
    ] as const;
    for (const [text, id] of seed) expect(matchRules(rules, record(text)).map((f) => f.ruleId)).toEqual([id]);
  });

  it('explains every sample record with one rule: no two findings on one record of a match sample', () => {
    const doubles: string[] = [];
    for (const r of rules) {
      r.tests.match.forEach((s, i) => {
        const ids = matchRules(rules, record(s.text)).map((f) => f.ruleId);
        if (ids.length > 1) doubles.push(`${r.id} match[${i}]: ${ids.join(', ')}`);
      });
    }
    expect(doubles).toEqual([]);
  });

  it('every JVM Map failed record is covered by exactly one rule, Kafka frames by the Kafka rule', () => {
    const samples = rules.flatMap((r) => r.tests.match.map((s) => s.text)).filter((t) => /Map failed/.test(t));
    expect(samples.length).toBeGreaterThan(8);
    for (const t of samples) {
      const ids = matchRules(rules, record(t)).map((f) => f.ruleId);
      expect(ids, t).toHaveLength(1);
      if (/kafka\.log\.|org\.apache\.kafka\.storage\./.test(t)) expect(ids, t).toEqual(['kafka-index-map-failed']);
    }
  });

  it('every rule is v2, has a message, and multi-line samples say where the finding is', () => {
    const missing: string[] = [];
    for (const r of rules) {
      if (r.formatVersion !== 2) missing.push(`${r.id}: format v${r.formatVersion}`);
      if (r.message === undefined) missing.push(`${r.id}: no message`);
    }
    expect(missing).toEqual([]);
  });
});
