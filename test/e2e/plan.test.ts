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
    expect(plan.neededMaps).toBe(12 * 5 * 2);
    expect(plan.growth).toEqual({ unit: 'partition', perUnit: 10 });
    expect(plan.recommended).toBe(262144);
    expect(plan.verdict).toBe('ok');
  });

  it('calls the limit low for the bundled Kafka listing that needs more than 65530 maps', async () => {
    const r = await runCli(['plan', 'samples/kafka-broker-map-failed/data-dir-listing.txt', '--max-map-count', '65530']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('needs 66,000 map areas');
    expect(r.stdout).toContain('map-count-limit-low');
    expect(r.stdout).toContain('sudo sysctl -w vm.max_map_count=262144');
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
