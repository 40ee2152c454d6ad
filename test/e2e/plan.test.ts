import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

async function kafkaDir(partitions: number, segments: number): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-plan-'));
  await writeFile(path.join(root, 'meta.properties'), 'version=0\nbroker.id=1\n');
  for (let p = 0; p < partitions; p++) {
    const dir = path.join(root, `orders-${p}`);
    await mkdir(dir);
    for (let s = 0; s < segments; s++) {
      const base = String(s * 1000).padStart(20, '0');
      for (const ext of ['log', 'index', 'timeindex']) await writeFile(path.join(dir, `${base}.${ext}`), '');
      if (s === 0) await writeFile(path.join(dir, `${base}.txnindex`), '');
    }
  }
  return root;
}

describe('plan', () => {
  it('counts .index + .timeindex per partition (not .txnindex) and recommends a limit', async () => {
    const dir = await kafkaDir(12, 5);
    const r = await runCli(['plan', dir, '--max-map-count', '65530', '--format', 'json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.kind).toBe('kafka-log-dir');
    expect(plan.neededMapCount.value).toBe(12 * 5 * 2);
    expect(plan.neededMapCount.basis).toMatch(/^12 partitions, 60 segments: 120 \.index \+ \.timeindex files/);
    expect(plan.growth).toEqual({ unit: 'partition', perUnit: 10 });
    expect(plan.recommendedMaxMapCount).toBe(262144);
    expect(plan.verdict).toBe('none');
    const text = await runCli(['plan', dir, '--max-map-count', '65530']);
    expect(text.stdout).toContain('verdict: none');
    expect(text.stdout).not.toContain('sudo sysctl -w');
  });

  it('calls the limit low for the bundled Kafka listing that needs more than 65530 maps', async () => {
    const r = await runCli(['plan', 'samples/kafka-broker-map-failed/data-dir-listing.txt', '--max-map-count', '65530']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('needs 66,000 map areas');
    expect(r.stdout).toContain('map-count-limit-low');
    expect(r.stdout).toContain('sudo sysctl -w vm.max_map_count=262144');
  });

  it("a listing copied from another host: segments counted from its index files, this host's limit never read", async () => {
    const r = await runCli(['plan', 'samples/kafka-limit-low-preflight/data-dir-listing.txt', '--format', 'json']);
    const plan = JSON.parse(r.stdout);
    expect(plan.neededMapCount.basis).toMatch(/^1,500 partitions, 45,000 segments: 90,000/);
    expect(plan.maxMapCount).toBeUndefined();
    expect(plan.verdict).toBe('unknown');
    const text = await runCli(['plan', 'samples/kafka-limit-low-preflight/data-dir-listing.txt']);
    expect(text.stdout).toContain('vm.max_map_count: not known');
    expect(text.stdout).not.toContain('this host');
  });

  it('offers only the formats it writes', async () => {
    expect((await runCli(['plan', 'samples/kafka-limit-low-preflight/data-dir-listing.txt', '--format', 'html'])).code).toBe(2);
  });

  it('refuses a directory that is not a data dir, saying what to give', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-plan-empty-'));
    await writeFile(path.join(dir, 'notes.txt'), 'hello\n');
    const r = await runCli(['plan', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('neither a Kafka log dir nor a TSDB data dir');
  });
});

describe('a Kafka data dir scanned with the logs', () => {
  it('is walked once as evidence, its segment files are not read as logs, and its limit is weighed', async () => {
    const dir = await kafkaDir(40, 3);
    const { scanJson } = await import('../helpers/cli.js');
    const { report } = await scanJson([dir]);
    expect(report.inputs).toEqual([{ file: dir, bytes: 0, lines: 0, sha256: '', role: 'evidence:kafka-log-dir' }]);
    expect(report.evidence[0].facts.find((f: any) => f.key === 'kafka-index-files').value).toBe(240);
    expect(report.problems).toEqual([]);
  });
});
