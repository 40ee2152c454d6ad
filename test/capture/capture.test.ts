// capture(): bundles from a fake /proc tree (exact files, cgroup v1 and v2 lookup, partial
// bundles for a vanished pid, an unreadable file and a missing /proc, --name matching, .tar.gz)
// and from a real process of this machine, read back by the scanner as the right evidence.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capture } from '../../src/capture/capture.js';
import { cgroupDirs, parseCgroupFile, parseMountinfo } from '../../src/capture/procfs.js';
import { runScan } from '../../src/pipeline/scan.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mapmortem-capture-'));
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));
const now = () => new Date('2026-03-04T05:06:07Z');

const MAPS = ['00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus-daemon', '7ffd1000-7ffd2000 rw-p 00000000 00:00 0 [stack]', ''].join('\n');

async function write(root: string, rel: string, text: string): Promise<void> {
  const p = path.join(root, rel);
  await fsp.mkdir(path.dirname(p), { recursive: true });
  await fsp.writeFile(p, text);
}

/** A fake /proc with process 4242 (and optionally others) and a cgroup v2 mount under the same root. */
async function fakeProc(name: string, opts: { cgroup: 'v1' | 'v2' } = { cgroup: 'v2' }): Promise<{ proc: string; cg: string }> {
  const root = path.join(tmp, name);
  const proc = path.join(root, 'proc');
  const cg = path.join(root, 'sys/fs/cgroup');
  await write(proc, '4242/maps', MAPS);
  await write(proc, '4242/status', 'Name:\tkafka\nUid:\t1000\t1000\t1000\t1000\nThreads:\t7\n');
  await write(
    proc,
    '4242/limits',
    'Limit                     Soft Limit           Hard Limit           Units\nMax address space         unlimited            unlimited            bytes\n',
  );
  await write(proc, '4242/smaps_rollup', '00400000-7ffd2000 ---p 00000000 00:00 0 [rollup]\nRss: 100 kB\n');
  await write(proc, '4242/cmdline', 'java\0-Xmx1g\0kafka.Kafka\0server.properties\0');
  await write(proc, 'sys/vm/max_map_count', '65530\n');
  await write(proc, 'sys/vm/overcommit_memory', '0\n');
  await write(proc, 'sys/vm/overcommit_ratio', '50\n');
  await write(proc, 'sys/kernel/threads-max', '63346\n');
  await write(proc, 'sys/kernel/pid_max', '4194304\n');
  await write(proc, 'sys/kernel/osrelease', '6.1.0-18-amd64\n');
  await write(proc, 'meminfo', 'MemTotal:       16318340 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\n');
  if (opts.cgroup === 'v2') {
    await write(proc, '4242/cgroup', '0::/system.slice/kafka.service\n');
    await write(proc, 'self/mountinfo', `30 23 0:26 / ${cg} rw,nosuid - cgroup2 cgroup2 rw\n`);
    await write(cg, 'system.slice/kafka.service/memory.max', '4294967296\n');
    await write(cg, 'system.slice/kafka.service/memory.current', '1073741824\n');
    await write(cg, 'system.slice/kafka.service/memory.events', 'low 0\nhigh 0\nmax 3\noom 0\noom_kill 0\n');
    await write(cg, 'system.slice/kafka.service/pids.max', 'max\n');
    await write(cg, 'system.slice/kafka.service/pids.current', '90\n');
  } else {
    await write(proc, '4242/cgroup', '5:pids:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n0::/\n');
    await write(proc, 'self/mountinfo', [`35 31 0:32 / ${cg}/memory rw - cgroup cgroup rw,memory`, `39 31 0:36 / ${cg}/pids rw - cgroup cgroup rw,pids`, ''].join('\n'));
    await write(cg, 'memory/docker/abc/memory.limit_in_bytes', '2147483648\n');
    await write(cg, 'memory/docker/abc/memory.usage_in_bytes', '1000000\n');
    await write(cg, 'pids/docker/abc/pids.max', '512\n');
  }
  return { proc, cg };
}

describe('capture from a fake /proc', () => {
  it('writes the raw files verbatim and a manifest that says what was read', async () => {
    const { proc } = await fakeProc('v2');
    const out = path.join(tmp, 'out-v2');
    const res = await capture({ pid: 4242, output: out, procRoot: proc, now, version: '1.2.3' });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(readFileSync(path.join(out, 'proc/4242/maps'), 'utf8')).toBe(MAPS);
    expect(readFileSync(path.join(out, 'proc/4242/cmdline'))).toEqual(readFileSync(path.join(proc, '4242/cmdline')));
    expect(readFileSync(path.join(out, 'cgroup/memory.max'), 'utf8')).toBe('4294967296\n');
    expect(readFileSync(path.join(out, 'cgroup/pids.max'), 'utf8')).toBe('max\n');
    const m = res.manifest;
    expect(m).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'mapmortem', version: '1.2.3' },
      capturedAt: '2026-03-04T05:06:07.000Z',
      pid: 4242,
      uid: 1000,
      kernel: '6.1.0-18-amd64',
      mapCount: 2,
      maxMapCount: 65530,
    });
    expect(m.commandLine).toBe('java -Xmx1g kafka.Kafka server.properties');
    const status = Object.fromEntries(m.files.map((f) => [f.path, f.status]));
    expect(status['proc/sys/vm/max_map_count']).toBe('ok');
    expect(status['cgroup/memory.events']).toBe('ok');
    expect(status['cgroup/memory.peak']).toBe('missing');
    expect(m.files.find((f) => f.path === 'cgroup/memory.peak')?.reason).toMatch(/not in .*kafka\.service/);
    expect(m.files.map((f) => f.path)).toEqual([...m.files.map((f) => f.path)].sort());
    expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'))).toEqual(m);
  });

  it('finds cgroup v1 memory and pids directories through mountinfo', async () => {
    const { proc } = await fakeProc('v1', { cgroup: 'v1' });
    const out = path.join(tmp, 'out-v1');
    const res = await capture({ pid: 4242, output: out, procRoot: proc, now, version: '1' });
    expect(res.ok).toBe(true);
    expect(readFileSync(path.join(out, 'cgroup/memory/memory.limit_in_bytes'), 'utf8')).toBe('2147483648\n');
    expect(readFileSync(path.join(out, 'cgroup/pids/pids.max'), 'utf8')).toBe('512\n');
  });

  it('maps a cgroup path below a mount whose root is a sub-tree', () => {
    const dirs = cgroupDirs(parseCgroupFile('0::/kubepods/pod1/ctr\n'), parseMountinfo('30 23 0:26 /kubepods /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n'));
    expect(dirs).toEqual([{ label: '', version: 2, dir: '/sys/fs/cgroup/pod1/ctr', files: expect.any(Array) }]);
  });

  it('a vanished pid gives a partial bundle of the host files and a clear warning', async () => {
    const { proc } = await fakeProc('gone');
    const out = path.join(tmp, 'out-gone');
    const res = await capture({ pid: 999999, output: out, procRoot: proc, now, version: '1' });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.warnings[0]).toBe('process 999999 does not exist (it has exited, or the pid is wrong): the bundle holds the host files only');
    const maps = res.manifest.files.find((f) => f.path === 'proc/999999/maps');
    expect(maps).toMatchObject({ status: 'missing', bytes: 0 });
    expect(readFileSync(path.join(out, 'proc/sys/vm/max_map_count'), 'utf8')).toBe('65530\n');
  });

  it('an unreadable file is listed with its reason, the rest is captured', async () => {
    const { proc } = await fakeProc('unreadable');
    await fsp.rm(path.join(proc, '4242/limits'));
    await fsp.mkdir(path.join(proc, '4242/limits'));
    const res = await capture({ pid: 4242, output: path.join(tmp, 'out-unreadable'), procRoot: proc, now, version: '1' });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const limits = res.manifest.files.find((f) => f.path === 'proc/4242/limits');
    expect(limits?.status).toBe('unreadable');
    expect(limits?.reason).toMatch(/EISDIR|directory/);
    expect(res.manifest.files.find((f) => f.path === 'proc/4242/maps')?.status).toBe('ok');
  });

  it('without /proc (not Linux) it writes the manifest and says so', async () => {
    const out = path.join(tmp, 'out-noproc');
    const res = await capture({ pid: 1, output: out, procRoot: path.join(tmp, 'no-such-proc'), now, version: '1' });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.warnings[0]).toMatch(/no-such-proc is not readable|not Linux/);
    expect(res.manifest.files.every((f) => f.status === 'missing')).toBe(true);
    expect((await fsp.readdir(out)).sort()).toEqual(['manifest.json']);
  });

  it('--name picks the one matching process, lists several, and refuses none or a bad pattern', async () => {
    const { proc } = await fakeProc('names');
    await write(proc, '77/cmdline', 'java\0-cp\0x.jar\0org.elasticsearch.bootstrap.Elasticsearch\0');
    const one = await capture({ name: 'kafka\\.Kafka', output: path.join(tmp, 'out-name'), procRoot: proc, now, version: '1' });
    expect(one.ok && one.manifest.pid).toBe(4242);
    const many = await capture({ name: '^java ', output: path.join(tmp, 'out-many'), procRoot: proc, now, version: '1' });
    expect(many).toEqual({
      ok: false,
      message: '2 processes have a command line matching /^java /; choose one with --pid',
      candidates: [
        { pid: 77, cmdline: 'java -cp x.jar org.elasticsearch.bootstrap.Elasticsearch' },
        { pid: 4242, cmdline: 'java -Xmx1g kafka.Kafka server.properties' },
      ],
    });
    expect(await capture({ name: 'postgres', output: path.join(tmp, 'x'), procRoot: proc, now, version: '1' })).toEqual({
      ok: false,
      message: 'no process has a command line matching /postgres/',
    });
    const bad = await capture({ name: '(', output: path.join(tmp, 'x'), procRoot: proc, now, version: '1' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^--name is not a valid regular expression/);
  });

  it('lists data dirs find-style; the listing is read as a Kafka log dir', async () => {
    const { proc } = await fakeProc('datadir');
    const kafka = path.join(tmp, 'kafka-data');
    await write(kafka, 'meta.properties', 'broker.id=1\n');
    for (const tp of ['orders-0', 'orders-1']) {
      for (const seg of ['00000000000000000000', '00000000000000001000']) {
        for (const ext of ['log', 'index', 'timeindex']) await write(kafka, `${tp}/${seg}.${ext}`, '');
      }
    }
    const out = path.join(tmp, 'out-datadir');
    const res = await capture({ pid: 4242, output: out, procRoot: proc, dataDirs: [kafka], now, version: '1' });
    expect(res.ok && res.manifest.dataDirs).toEqual([{ dir: kafka, path: 'data-dirs/kafka-data.find.txt', entries: 15, complete: true }]);
    const listing = readFileSync(path.join(out, 'data-dirs/kafka-data.find.txt'), 'utf8').split('\n');
    expect(listing[0]).toBe(kafka);
    expect(listing).toContain(`${kafka}/orders-1/00000000000000001000.timeindex`);
    const report = await runScan({ paths: [out], cwd: tmp, include: [], exclude: [], rules: [], context: 0, maxLineBytes: 65536, now: now(), version: '1' });
    const ev = report.evidence.find((e) => e.file.endsWith('kafka-data.find.txt'));
    expect(ev?.kind).toBe('kafka-log-dir');
    expect(ev?.facts.find((f) => f.key === 'kafka-index-files')?.value).toBe(8);
  });

  it('writes a .tar.gz that tar extracts to the same files', async () => {
    const { proc } = await fakeProc('tgz');
    const out = path.join(tmp, 'bundle-4242.tar.gz');
    const res = await capture({ pid: 4242, output: out, procRoot: proc, now, version: '1' });
    expect(res.ok && res.bundle).toBe(out);
    const x = path.join(tmp, 'x-tgz');
    await fsp.mkdir(x);
    const r = spawnSync('tar', ['-xzf', out, '-C', x], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(x, 'bundle-4242/proc/4242/maps'), 'utf8')).toBe(MAPS);
    expect(readFileSync(path.join(x, 'bundle-4242/cgroup/memory.max'), 'utf8')).toBe('4294967296\n');
    const list = spawnSync('tar', ['-tzf', out], { encoding: 'utf8' }).stdout.split('\n');
    expect(list).toContain('bundle-4242/manifest.json');
  });
});

describe('capture of a real process on this machine', () => {
  it.skipIf(process.platform !== 'linux')('captures a child process and scan reads each file as the right evidence', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      // Wait until the dynamic loader is done: the map count is stable across two reads.
      const count = () => readFileSync(`/proc/${child.pid}/maps`, 'utf8').split('\n').length;
      for (let last = -1, i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const current = count();
        if (current === last && readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').startsWith('sleep')) break;
        last = current;
      }
      const out = path.join(tmp, 'live');
      const res = await capture({ pid: child.pid!, output: out, now, version: '1' });
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      expect(res.manifest.commandLine).toBe('sleep 30');
      const mapsLines = readFileSync(`/proc/${child.pid}/maps`, 'utf8').split('\n').length - 1;
      expect(res.manifest.mapCount).toBe(mapsLines);
      const report = await runScan({ paths: ['live'], cwd: tmp, include: [], exclude: [], rules: [], context: 0, maxLineBytes: 65536, now: now(), version: '1' });
      const roles = Object.fromEntries(report.inputs.map((i) => [i.file.replace(`live/proc/${child.pid}/`, 'PID/'), i.role]));
      expect(roles).toMatchObject({
        'PID/maps': 'evidence:maps',
        'PID/status': 'evidence:status',
        'PID/limits': 'evidence:limits',
        'live/proc/meminfo': 'evidence:meminfo',
        'live/proc/sys/vm/max_map_count': 'evidence:sysctl',
        'live/proc/sys/vm/overcommit_memory': 'evidence:sysctl',
        'live/proc/sys/vm/overcommit_ratio': 'evidence:sysctl',
        'live/proc/sys/kernel/threads-max': 'evidence:sysctl',
        'live/proc/sys/kernel/pid_max': 'evidence:sysctl',
      });
      const facts = report.evidence.flatMap((e) => e.facts);
      expect(facts.find((f) => f.key === 'max-map-count')?.value).toBe(Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8')));
      expect(facts.find((f) => f.key === 'map-count')?.value).toBe(mapsLines);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
