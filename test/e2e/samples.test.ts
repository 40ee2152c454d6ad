import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, scanJson } from '../helpers/cli.js';

interface Expect {
  verdict: string;
  confidence?: string;
  system?: string;
  incidents: number;
  /** file:line of failure findings that must be listed (basename:line). */
  lines?: string[];
  /** Decision-trail steps that must be present, and text its facts must contain. */
  trail?: string[];
  facts?: string[];
  recommended?: number;
}

// What each sample's README states; the test proves the CLI reaches it.
const EXPECTED: Record<string, Expect> = {
  'cortex-ingester-crashloop': {
    verdict: 'map-count-exhaustion',
    confidence: 'high',
    system: 'cortex',
    incidents: 1,
    lines: ['ingester.log:56', 'ingester.log:120', 'ingester.log:184', 'ingester.log:248'],
    trail: ['map count vs limit', 'memory'],
    facts: ['65,524 map areas against vm.max_map_count 65,530', '41.0 GiB of memory available'],
    recommended: 262144,
  },
  'kafka-broker-map-failed': {
    verdict: 'map-count-exhaustion',
    confidence: 'medium',
    system: 'kafka',
    incidents: 1,
    lines: ['server.log:121', 'server.log:148', 'server.log:176', 'server.log:203'],
    trail: ['data directory vs map limit'],
    facts: ['needs 66,000 map areas'],
    recommended: 262144,
  },
  'kafka-jvm-hs-err': {
    verdict: 'map-count-exhaustion',
    confidence: 'high',
    system: 'kafka',
    incidents: 1,
    lines: ['hs_err_pid2423.log.gz:3', 'kafkaServer.out:149', 'kafkaServer.out:152'],
    trail: ['map count vs limit'],
    facts: ['65,527 map areas against vm.max_map_count 65,530'],
  },
  'healthy-kafka': { verdict: 'none', incidents: 0 },
  'jvm-memory-exhaustion': {
    verdict: 'memory-exhaustion',
    confidence: 'high',
    system: 'jvm',
    incidents: 1,
    lines: ['hs_err_pid31877.log:3', 'inventory-api.out:101'],
    trail: ['map count vs limit', 'memory'],
    facts: ['641 map areas', 'exceeds available memory'],
  },
  'overcommit-strict': {
    verdict: 'memory-exhaustion',
    confidence: 'high',
    incidents: 1,
    lines: ['clickhouse-server.log:212'],
    facts: ['overcommit_memory=2'],
  },
  'ulimit-address-space': {
    verdict: 'address-space-limit',
    confidence: 'high',
    system: 'prometheus-tsdb',
    incidents: 1,
    lines: ['prometheus.log:35', 'prometheus.log:46'],
    trail: ['address space'],
    facts: ['RLIMIT_AS (ulimit -v) 8.00 GiB'],
  },
  'cgroup-oom': { verdict: 'cgroup-memory-limit', confidence: 'high', system: 'loki', incidents: 1, lines: ['kernel.log:55'], trail: ['cgroup memory'] },
  'thread-limit': {
    verdict: 'thread-limit',
    confidence: 'high',
    system: 'jvm',
    incidents: 1,
    lines: ['crawler.log:151', 'crawler.log:154'],
    trail: ['threads'],
    facts: ['4,093 threads against RLIMIT_NPROC (ulimit -u) 4,096'],
  },
  'elasticsearch-limit-low': {
    verdict: 'map-count-limit-low',
    confidence: 'high',
    system: 'elasticsearch',
    incidents: 1,
    lines: ['es-data-2.log:99'],
    facts: ['demands vm.max_map_count ≥ 262,144; the host has 65,530'],
    recommended: 262144,
  },
  'kafka-limit-low-preflight': {
    verdict: 'map-count-limit-low',
    confidence: 'high',
    system: 'kafka',
    incidents: 1,
    trail: ['data directory vs map limit', 'current map count'],
    facts: ['needs 90,000 map areas'],
    recommended: 131072 * 2,
  },
  'mmap-einval-filesystem': { verdict: 'other-mmap-error', confidence: 'high', system: 'kafka', incidents: 1, lines: ['server.log:142'] },
  'kafka-map-failed-no-evidence': { verdict: 'unknown', confidence: 'low', system: 'kafka', incidents: 1, lines: ['server.log:378'], trail: ['undecided'] },
  'live-repro': { verdict: 'map-count-exhaustion', confidence: 'high', incidents: 4 },
};

const folders = readdirSync(path.join(REPO, 'samples'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('every sample reaches the verdict its README states', () => {
  it('has an expectation for every sample folder', () => {
    expect(folders).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const folder of folders) {
    const exp = EXPECTED[folder]!;
    it(`${folder} → ${exp.verdict}`, async () => {
      const { code, report } = await scanJson([`samples/${folder}`]);
      expect(code).toBe(0);
      expect(report.verdict).toBe(exp.verdict);
      expect(report.incidents).toHaveLength(exp.incidents);
      expect(report.problems.filter((p: { severity: string }) => p.severity !== 'info')).toEqual([]);
      if (exp.incidents === 0) return;
      const top = report.incidents[0];
      if (exp.confidence) expect(top.confidence).toBe(exp.confidence);
      if (exp.system) expect(top.system).toBe(exp.system);
      const where = top.findings.map((f: { file: string; line: number }) => `${path.basename(f.file)}:${f.line}`);
      for (const l of exp.lines ?? []) expect(where).toContain(l);
      const steps = top.trail.map((t: { step: string }) => t.step);
      for (const s of exp.trail ?? []) expect(steps).toContain(s);
      const facts = top.trail.map((t: { fact: string }) => t.fact).join('\n');
      for (const f of exp.facts ?? []) expect(facts).toContain(f);
      // Every step's sources point into a file that was scanned, at a real line.
      const inputs = new Map(report.inputs.map((i: { file: string; lines: number }) => [i.file, i.lines]));
      for (const t of top.trail) {
        for (const s of t.sources) {
          expect(inputs.has(s.file), `${s.file} is an input`).toBe(true);
          const n = inputs.get(s.file) as number;
          if (n > 0) expect(s.line).toBeLessThanOrEqual(n);
        }
      }
      if (exp.recommended) expect(top.remediation.recommendedMaxMapCount).toBe(exp.recommended);
    });
  }
});
