// The shard plan: roles planned from each file's first bytes agree with what the scan reads, host
// groups are correlate's scopes (a folder per host splits, a support bundle does not), and a
// host's shard depends on its name only, so hosts that come or go leave the others in place.

import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tarBuffer } from '../../src/capture/tar.js';
import { discover, type FileSource } from '../../src/discover/discover.js';
import { looksLikeDataDir } from '../../src/evidence/datadir.js';
import { planRole, planShards, shardOfGroup } from '../../src/pipeline/shard.js';
import { DEFAULT_EXCLUDES } from '../../src/cli/commands/scan.js';
import { REPO, scanJson } from '../helpers/cli.js';

const LOG = '[2025-03-01 10:00:00,000] ERROR Error while loading log dir (kafka.log.LogManager)\njava.io.IOException: Map failed\n';

async function sources(cwd: string, paths: string[]) {
  return (await discover(paths, { cwd, include: [], exclude: [...DEFAULT_EXCLUDES], isDataDir: looksLikeDataDir })).sources;
}

/** Planned roles beside the roles the scan gave, per input on disk. */
async function plannedAndRead(cwd: string, paths: string[]): Promise<{ file: string; planned: string; read: string }[]> {
  const { report } = await scanJson([...paths, '--jobs', '1'], { cwd });
  const roles = new Map<string, string>(report.inputs.map((i: any) => [i.file, i.role]));
  const out = [];
  for (const s of await sources(cwd, paths)) {
    if (s.kind !== 'file') continue;
    const role = roles.get(s.display) ?? '(absent)';
    const read = role.startsWith('log:') ? 'log' : role.startsWith('archive:') ? 'archive' : 'other';
    out.push({ file: s.display, planned: await planRole(s as FileSource), read });
  }
  return out;
}

describe('shard plan', () => {
  it('plans every odd input as the scan reads it: archives, gzip, UTF-16, NUL runs, binary, empty, cmdline, own reports, evidence, crash files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-plan-'));
    const odd = path.join(dir, 'odd');
    await mkdir(odd);
    const own = (await scanJson(['samples/cgroup-oom', '--jobs', '1'])).report;
    const files: Record<string, string | Buffer> = {
      'empty.log': '',
      'core.bin': Buffer.from(Array.from({ length: 9000 }, (_, i) => (i * 131) % 256)),
      'utf16.log': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(LOG, 'utf16le')]),
      'nul-led.log': Buffer.concat([Buffer.alloc(5000), Buffer.from(LOG)]),
      'only-nul.log': Buffer.alloc(3000),
      cmdline: 'java\0-Xmx4g\0kafka.Kafka\0',
      'earlier-report.json': JSON.stringify(own, null, 2),
      'server.log.gz': zlib.gzipSync(Buffer.from(LOG)),
      'logs.tar.gz': zlib.gzipSync(tarBuffer([{ name: 'x/server.log', data: Buffer.from(LOG), mtime: new Date(0) }])),
      meminfo: await readFile(path.join(REPO, 'samples/cgroup-oom/meminfo.txt')),
      max_map_count: '65530\n',
      'prometheus.log': await readFile(path.join(REPO, 'samples/ulimit-address-space/prometheus.log')),
      'hs_err_pid2423.log.gz': await readFile(path.join(REPO, 'samples/kafka-jvm-hs-err/hs_err_pid2423.log.gz')),
      'server.log': LOG,
    };
    for (const [name, data] of Object.entries(files)) await writeFile(path.join(odd, name), data);
    const rows = await plannedAndRead(dir, ['odd']);
    expect(rows).toHaveLength(Object.keys(files).length);
    for (const r of rows) expect(r.planned, r.file).toBe(r.read);
    const by = Object.fromEntries(rows.map((r) => [path.basename(r.file), r.planned]));
    expect(by).toMatchObject({ 'logs.tar.gz': 'archive', 'utf16.log': 'log', 'nul-led.log': 'log', 'hs_err_pid2423.log.gz': 'log', meminfo: 'other', 'core.bin': 'other' });
  });

  it('plans every input of samples/ as the scan reads it', { timeout: 600_000 }, async () => {
    const rows = await plannedAndRead(REPO, ['samples']);
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.filter((r) => r.planned !== r.read)).toEqual([]);
  });

  it('a folder per host splits into hosts; a support bundle (logs/ beside proc/) stays one host', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-plan-groups-'));
    for (const h of ['a', 'b']) {
      await mkdir(path.join(dir, 'fleet', h), { recursive: true });
      await writeFile(path.join(dir, 'fleet', h, 'server.log'), LOG);
    }
    await mkdir(path.join(dir, 'fleet', 'c'), { recursive: true });
    await writeFile(path.join(dir, 'fleet', 'c', 'max_map_count'), '65530\n');
    await mkdir(path.join(dir, 'support', 'logs'), { recursive: true });
    await mkdir(path.join(dir, 'support', 'proc', 'sys', 'vm'), { recursive: true });
    await writeFile(path.join(dir, 'support', 'logs', 'server.log'), LOG);
    await writeFile(path.join(dir, 'support', 'proc', 'sys', 'vm', 'max_map_count'), '65530\n');
    const found = await sources(dir, ['fleet', 'support']);
    const one = await planShards(found, { index: 0, count: 1 });
    expect(one.info.totalGroups).toBe(4); // fleet/a, fleet/b, fleet/c, support
    for (let count = 2; count <= 9; count++) {
      const plans = await Promise.all(Array.from({ length: count }, (_, index) => planShards(found, { index, count })));
      const owner = (display: string) => plans.findIndex((p) => p.own.some((s) => s.display === display));
      expect(owner('support/logs/server.log')).toBe(owner('support/proc/sys/vm/max_map_count'));
      expect(owner('support/logs/server.log')).toBe(shardOfGroup('support', count));
      expect(owner('fleet/a/server.log')).toBe(shardOfGroup('fleet/a', count));
      // Every input in exactly one shard, and all shards agree on the plan.
      expect(plans.reduce((n, p) => n + p.own.length, 0)).toBe(found.length);
      expect(new Set(plans.map((p) => p.info.plan)).size).toBe(1);
    }
  });

  it("a host's shard depends only on its name: adding a host moves no other", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-plan-stable-'));
    const hosts = Array.from({ length: 12 }, (_, i) => `host-${String(i).padStart(2, '0')}`);
    for (const h of hosts) {
      await mkdir(path.join(dir, 'fleet', h), { recursive: true });
      await writeFile(path.join(dir, 'fleet', h, 'server.log'), LOG);
    }
    const before = new Map<string, number>();
    for (let index = 0; index < 4; index++) for (const s of (await planShards(await sources(dir, ['fleet']), { index, count: 4 })).own) before.set(s.display, index);
    await cp(path.join(dir, 'fleet', 'host-00'), path.join(dir, 'fleet', 'host-99'), { recursive: true });
    const after = new Map<string, number>();
    const plans = await Promise.all([0, 1, 2, 3].map(async (index) => planShards(await sources(dir, ['fleet']), { index, count: 4 })));
    plans.forEach((p, index) => p.own.forEach((s) => after.set(s.display, index)));
    for (const [file, index] of before) expect(after.get(file), file).toBe(index);
    expect(after.size).toBe(before.size + 1);
    // The plan fingerprint tells the two apart, so `report` can warn when shards saw different inputs.
    expect(plans[0]!.info.plan).not.toBe((await planShards(await sources(dir, ['fleet/host-00']), { index: 0, count: 4 })).info.plan);
  });
  it('archives go with the single-host roots while fewer than two capture bundles lie on disk (an archive may hold the only one)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-plan-archives-'));
    const tgz = (name: string) => zlib.gzipSync(tarBuffer([{ name: `${name}/server.log`, data: Buffer.from(LOG), mtime: new Date(0) }]));
    await mkdir(path.join(dir, 'archives'));
    for (const a of ['a', 'b', 'c']) await writeFile(path.join(dir, 'archives', `${a}.tgz`), tgz(a));
    await mkdir(path.join(dir, 'support', 'logs'), { recursive: true });
    await writeFile(path.join(dir, 'support', 'logs', 'server.log'), LOG);
    for (const h of ['x', 'y']) {
      await mkdir(path.join(dir, 'fleet', h), { recursive: true });
      await writeFile(path.join(dir, 'fleet', h, 'server.log'), LOG);
    }
    const found = await sources(dir, ['archives', 'support', 'fleet']);
    const plan = await planShards(found, { index: 0, count: 1 });
    // fleet/x and fleet/y stay hosts of their own; the archives and support/ are one group.
    expect(plan.info.totalGroups).toBe(3);
    // Two capture bundles on disk: no single bundle to join, so each archive is a host group of its own.
    for (const b of ['b1', 'b2']) await cp(path.join(REPO, 'samples/live-repro/c-mapfill'), path.join(dir, 'bundles', b), { recursive: true });
    const withBundles = await planShards(await sources(dir, ['archives', 'support', 'fleet', 'bundles']), { index: 0, count: 1 });
    expect(withBundles.info.totalGroups).toBe(3 + 1 + 2 + 2);
  });
});
