// N shards of one scan, run as parallel processes and merged with `report`, give the report one
// scan gives, byte for byte; the only field a run stamps on its report is generatedAt (the clock),
// so with SOURCE_DATE_EPOCH fixed the two files are identical, and without it only generatedAt differs.

import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSchemaValid, REPO } from '../helpers/cli.js';

const BIN = path.join(REPO, 'dist/src/cli/bin.js');
/** The smaller sample folders, one host each (the whole of samples/ takes minutes on a loaded machine). */
const HOSTS = [
  'mmap-einval-filesystem',
  'elasticsearch-limit-low',
  'overcommit-strict',
  'kafka-map-failed-no-evidence',
  'cgroup-oom',
  'healthy-kafka',
  'jvm-memory-exhaustion',
  'ulimit-address-space',
];
/** A ceiling for processes on a loaded machine, not a measurement. */
const SLOW = 600_000;

/** A working directory holding hosts/<name> for each sample: scanned as `hosts`, so host names (and shards) do not depend on the temp path. */
async function hostsDir(names: readonly string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-par-hosts-'));
  for (const s of names) await cp(path.join(REPO, 'samples', s), path.join(dir, 'hosts', s), { recursive: true });
  return dir;
}

function run(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** Runs COUNT shards of `scan PATHS` at once, merges them, and returns the merged and the single-run JSON text. */
async function shardedAndWhole(cwd: string, paths: string[], count: number, env: Record<string, string>): Promise<{ merged: string; whole: string; shards: any[] }> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-par-'));
  const files = Array.from({ length: count }, (_, i) => path.join(out, `shard-${i}.json`));
  const runs = await Promise.all(files.map((f, i) => run(['scan', ...paths, '--shard', `${i}/${count}`, '--jobs', '1', '-o', f, '--quiet'], cwd, env)));
  for (const r of runs) expect(r.stderr).toBe('');
  const whole = path.join(out, 'whole.json');
  await run(['scan', ...paths, '-o', whole, '--quiet'], cwd, env);
  const merged = path.join(out, 'merged.json');
  const m = await run(['report', ...files, '-o', merged], cwd, env);
  expect(m.code).toBe(0);
  expect(m.stderr).toContain(`merged all ${count} shards`);
  const shards = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8'))));
  return { merged: await readFile(merged, 'utf8'), whole: await readFile(whole, 'utf8'), shards };
}

describe('scan --shard in parallel processes, merged with report', () => {
  it('3 shards of a folder of hosts merge into the byte-identical report of one scan', { timeout: SLOW }, async () => {
    const { merged, whole, shards } = await shardedAndWhole(await hostsDir(HOSTS), ['hosts'], 3, { SOURCE_DATE_EPOCH: '1767225600' });
    expect(merged).toBe(whole);
    const w = JSON.parse(whole);
    assertSchemaValid(JSON.parse(merged));
    expect(w.incidents.length).toBeGreaterThan(5);
    // Every shard did part of the work; the parts are disjoint and cover every input.
    const plan = shards[0].shard.plan;
    for (const [i, s] of shards.entries()) {
      expect(s.shard).toMatchObject({ index: i, count: 3, plan });
      expect(s.inputs.length).toBeGreaterThan(0);
    }
    const names = shards.flatMap((s) => s.inputs.map((x: any) => x.file));
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(w.inputs.map((x: any) => x.file).sort());
    // Each incident of the single run was found, whole, by exactly one shard.
    for (const inc of w.incidents) {
      const holders = shards.filter((s) => s.incidents.some((x: any) => JSON.stringify(x) === JSON.stringify(inc)));
      expect(holders, inc.id).toHaveLength(1);
    }
  });

  it('without a fixed clock only generatedAt differs; host folders, a support bundle, a capture bundle and a file named alone stay whole', { timeout: SLOW }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-par-tree-'));
    // hosts/: a folder per host; support/: one host (logs/ beside proc/); a capture bundle; a file named alone.
    await mkdir(path.join(dir, 'hosts'));
    for (const s of ['overcommit-strict', 'healthy-kafka', 'cgroup-oom']) await cp(path.join(REPO, 'samples', s), path.join(dir, 'hosts', s), { recursive: true });
    await mkdir(path.join(dir, 'support', 'logs'), { recursive: true });
    await mkdir(path.join(dir, 'support', 'proc', 'sys', 'vm'), { recursive: true });
    await writeFile(
      path.join(dir, 'support/logs/server.log'),
      '[2025-03-01 10:00:00,000] ERROR Error while loading log dir (kafka.log.LogManager)\njava.io.IOException: Map failed\n',
    );
    await writeFile(path.join(dir, 'support/proc/sys/vm/max_map_count'), '65530\n');
    await cp(path.join(REPO, 'samples/live-repro/c-mapfill'), path.join(dir, 'bundle'), { recursive: true });
    const alone = path.join(dir, 'alone.log');
    await writeFile(alone, '2025-01-01T00:00:00Z ERROR java.io.IOException: Map failed\n');
    const { merged, whole, shards } = await shardedAndWhole(dir, ['hosts', 'support', 'bundle', 'alone.log'], 4, {});
    const m = JSON.parse(merged);
    const w = JSON.parse(whole);
    expect(m.generatedAt).not.toBe('');
    expect({ ...m, generatedAt: 'T' }).toEqual({ ...w, generatedAt: 'T' });
    expect(JSON.stringify({ ...m, generatedAt: 'T' }, null, 2) + '\n').toBe(JSON.stringify({ ...w, generatedAt: 'T' }, null, 2) + '\n');
    // The support bundle's log and its max_map_count are in one shard.
    const holder = shards.filter((s) => s.inputs.some((i: any) => i.file.endsWith('support/logs/server.log')));
    expect(holder).toHaveLength(1);
    expect(holder[0].inputs.some((i: any) => i.file.endsWith('support/proc/sys/vm/max_map_count'))).toBe(true);
    expect(shards.reduce((n, s) => n + s.shard.groups, 0)).toBe(shards[0].shard.totalGroups);
  });
});
