import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSchemaValid, runCli, scanJson } from '../helpers/cli.js';

function essentials(report: any) {
  return report.incidents.map((i: any) => ({
    id: i.id,
    cause: i.cause,
    confidence: i.confidence,
    count: i.count,
    lines: i.findings.map((f: any) => `${f.file}:${f.line}`),
  }));
}

describe('batch scanning', () => {
  it('gives byte-identical JSON with --jobs 1 and --jobs 2', async () => {
    const one = await runCli(['scan', 'samples', '--format', 'json', '--jobs', '1']);
    const two = await runCli(['scan', 'samples', '--format', 'json', '--jobs', '2']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).incidents.length).toBeGreaterThan(3);
    expect(two.stdout).toBe(one.stdout);
  });

  it('scanning sample folders one by one and merging with `report` gives the same incidents as one scan of them', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-shards-'));
    // Five folders of different causes and systems (test/shard covers --shard over all of samples/).
    const folders = ['cgroup-oom', 'cortex-ingester-crashloop', 'healthy-kafka', 'kafka-broker-map-failed', 'thread-limit'];
    const shards = folders.map((f) => path.join(dir, `${f}.json`));
    const runs = await Promise.all(folders.map((f, i) => runCli(['scan', `samples/${f}`, '-o', shards[i]!, '--quiet'])));
    for (const r of runs) expect(r.code).toBe(0);
    const merged = await runCli(['report', ...shards, '--format', 'json']);
    expect(merged.code).toBe(0);
    const whole = await scanJson(folders.map((f) => `samples/${f}`));
    const m = JSON.parse(merged.stdout);
    assertSchemaValid(m);
    expect(essentials(m)).toEqual(essentials(whole.report));
    expect(m.verdict).toBe(whole.report.verdict);
    expect(m.mergedFrom).toHaveLength(folders.length);
    const causes = m.groups.map((g: any) => `${g.system}/${g.cause}`);
    expect(causes).toContain('cortex/map-count-exhaustion');
  });

  it('report refuses a file that is not a mapmortem result, naming it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-bad-'));
    const f = path.join(dir, 'other.json');
    await writeFile(f, '{"hello": 1}');
    const r = await runCli(['report', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('other.json: not a mapmortem result');
  });

  it('--since/--until keep only findings in the window, relative ages included', async () => {
    const all = await scanJson(['samples/cortex-ingester-crashloop']);
    const some = await scanJson(['samples/cortex-ingester-crashloop', '--since', '2025-03-11T04:15:00Z', '--until', '2025-03-11T04:18:00Z']);
    const count = (r: any) => r.incidents[0].count;
    expect(count(some.report)).toBeLessThan(count(all.report));
    for (const f of some.report.incidents[0].findings) {
      expect(f.time.iso >= '2025-03-11T04:15:00' && f.time.iso <= '2025-03-11T04:18:00.999Z').toBe(true);
    }
    const recent = await scanJson(['samples/cortex-ingester-crashloop', '--since', '7d']);
    expect(recent.report.incidents.filter((i: any) => i.count > 0)).toHaveLength(0);
    expect((await runCli(['scan', 'samples', '--since', 'yesterday'])).code).toBe(2);
  });

  it('shows progress on stderr only when asked (not a terminal here), and --quiet silences it', async () => {
    const quietByDefault = await runCli(['scan', 'samples/healthy-kafka']);
    expect(quietByDefault.stderr).toBe('');
    const shown = await runCli(['scan', 'samples/healthy-kafka', '--progress']);
    expect(shown.stderr).toMatch(/^scanning: \d+\/\d+ files, [\d.,]+ (B|KiB|MiB) of [\d.,]+ (B|KiB|MiB) \(\d+%\), [\d.,]+ (B|KiB|MiB)\/s/m);
    expect(shown.stdout).not.toContain('scanning:');
    const quiet = await runCli(['scan', 'samples/healthy-kafka', '--progress', '--quiet']);
    expect(quiet.stderr).toBe('');
  });

  it('--format ndjson prints one object per finding, then a summary', async () => {
    const r = await runCli(['scan', 'samples/cortex-ingester-crashloop', '--format', 'ndjson']);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const last = lines[lines.length - 1];
    expect(last.type).toBe('summary');
    expect(last.verdict).toBe('map-count-exhaustion');
    const findings = lines.filter((l) => l.type === 'finding');
    expect(findings.length).toBe(last.incidents[0].count);
    expect(findings[0].file).toContain('ingester.log');
  });
});
