// check as a monitor: the default threshold (cron exits 1 near the limit without flags), JSON,
// an atomic -o for node_exporter's textfile collector, series labelled by program and
// container/pod (no churning pid), --top, the last-run timestamp, root's wording, and the
// example alerting rules of docs/alerting.md checked by promtool when it is installed.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { placementOf } from '../../src/check/check.js';
import { REPO } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mapmortem-monitor-'));

function mapsText(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `${(0x10000 + i * 2).toString(16)}000-${(0x10001 + i * 2).toString(16)}000 r--p 00000000 00:00 0\n`;
  return s;
}

const POD = '0f7c2a4e-3b1d-4c5e-9a8b-1234567890ab';
const CTR = 'a1b2c3d4e5f6'.padEnd(64, '0');

async function fakeProc(name: string, limit: number, procs: { pid: number; name: string; maps: number; cgroup?: string }[]): Promise<string> {
  const root = path.join(tmp, name);
  await fsp.mkdir(path.join(root, 'sys/vm'), { recursive: true });
  await fsp.writeFile(path.join(root, 'sys/vm/max_map_count'), `${limit}\n`);
  for (const p of procs) {
    const dir = path.join(root, String(p.pid));
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(dir, 'status'), `Name:\t${p.name}\nThreads:\t1\n`);
    await fsp.writeFile(path.join(dir, 'cmdline'), `${p.name}\0`);
    await fsp.writeFile(path.join(dir, 'maps'), mapsText(p.maps));
    if (p.cgroup) await fsp.writeFile(path.join(dir, 'cgroup'), p.cgroup);
  }
  return root;
}

async function check(args: string[], procRoot: string, isRoot = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['check', ...args], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    cwd: tmp,
    env: {},
    stdoutIsTTY: false,
    procRoot,
    isRoot,
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  return { code, stdout, stderr };
}

describe('check as a monitor', () => {
  it('exits 1 at 80% of the limit without flags, 0 below it', async () => {
    const near = await fakeProc('near', 100, [{ pid: 10, name: 'java', maps: 85 }]);
    const r = await check([], near);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ALERT: 1 process(es) at or above 80.0% of the limit: java (pid 10, 85 maps)');
    const far = await fakeProc('far', 100, [{ pid: 10, name: 'java', maps: 50 }]);
    expect((await check([], far)).code).toBe(0);
  });

  it('--format json gives the numbers as data', async () => {
    const root = await fakeProc('json', 100, [
      { pid: 10, name: 'java', maps: 85 },
      { pid: 11, name: 'sh', maps: 5 },
    ]);
    const r = await check(['--format', 'json'], root);
    const j = JSON.parse(r.stdout);
    expect(j.limit).toBe(100);
    expect(j.threshold).toBe(0.8);
    expect(j.over.map((p: { pid: number }) => p.pid)).toEqual([10]);
    expect(j.processes[0]).toMatchObject({ pid: 10, name: 'java', mapCount: 85, headroom: 15 });
    expect(r.code).toBe(1);
  });

  it('labels series by program and container or pod from the cgroup path, with --top and a last-run timestamp', async () => {
    const root = await fakeProc('labels', 1000, [
      {
        pid: 20,
        name: 'java',
        maps: 900,
        cgroup: `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD.replace(/-/g, '_')}.slice/cri-containerd-${CTR}.scope\n`,
      },
      {
        pid: 21,
        name: 'java',
        maps: 700,
        cgroup: `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD.replace(/-/g, '_')}.slice/cri-containerd-${CTR}.scope\n`,
      },
      { pid: 30, name: 'kafka', maps: 500, cgroup: '0::/system.slice/kafka.service\n' },
      { pid: 40, name: 'sh', maps: 10, cgroup: '0::/user.slice/user-0.slice/session-1.scope\n' },
    ]);
    const r = await check(['--prometheus'], root);
    expect(r.stdout).toContain(`mapmortem_process_map_areas{name="java",container="a1b2c3d4e5f6",pod="${POD}"} 900\n`);
    expect(r.stdout).toContain(`mapmortem_processes{name="java",container="a1b2c3d4e5f6",pod="${POD}"} 2\n`);
    expect(r.stdout).toContain('mapmortem_process_map_areas{name="kafka",unit="kafka.service"} 500\n');
    expect(r.stdout).not.toMatch(/pid="/);
    expect(r.stdout).toContain('mapmortem_check_last_run_timestamp_seconds 1767225600\n');
    const top = await check(['--prometheus', '--top', '1'], root);
    expect(top.stdout.match(/^mapmortem_process_map_areas\{/gm)).toHaveLength(1);
    expect(top.stdout).toContain('name="java"');
  });

  it('placementOf reads docker, containerd (cgroup v1 and v2) and systemd paths', () => {
    expect(placementOf(`12:memory:/docker/${CTR}\n`)).toEqual({ container: 'a1b2c3d4e5f6' });
    expect(placementOf(`4:memory:/kubepods/burstable/pod${POD}/${CTR}\n`)).toEqual({ container: 'a1b2c3d4e5f6', pod: POD });
    expect(placementOf('0::/system.slice/prometheus.service\n')).toEqual({ unit: 'prometheus.service' });
    expect(placementOf('0::/\n')).toEqual({});
  });

  it('-o writes the file atomically: no temporary file is left, an old file is replaced whole', async () => {
    const root = await fakeProc('atomic', 1000, [{ pid: 10, name: 'java', maps: 5 }]);
    const dir = path.join(tmp, 'textfile');
    const out = path.join(dir, 'mapmortem.prom');
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(out, 'old\n');
    const r = await check(['--prometheus', '-o', out], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/^# HELP mapmortem_map_areas_limit/);
    expect(await fsp.readdir(dir)).toEqual(['mapmortem.prom']);
  });

  it('as root it does not ask to be run as root', async () => {
    const root = await fakeProc('root', 1000, []);
    await fsp.mkdir(path.join(root, '99'), { recursive: true });
    await fsp.writeFile(path.join(root, '99', 'cmdline'), 'gone\0');
    const asRoot = await check([], root, true);
    expect(asRoot.stdout).not.toMatch(/run as root/);
    const asUser = await check([], root, false);
    expect(asUser.stdout).toMatch(/run as root/);
  });

  const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
  it.skipIf(!promtool)('the alerting rules in docs/alerting.md pass promtool check rules', async () => {
    const doc = readFileSync(path.join(REPO, 'docs/alerting.md'), 'utf8');
    const block = /<!-- rules:begin -->\s*```yaml\n([\s\S]*?)```\s*<!-- rules:end -->/.exec(doc);
    expect(block).not.toBeNull();
    const file = path.join(tmp, 'rules.yml');
    await fsp.writeFile(file, block![1]!);
    const r = spawnSync(promtool!, ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: 3 rules found/);
  });
});
