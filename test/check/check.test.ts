// check: a real child with a known number of maps is found with its exact map count; the
// threshold, ordering, text and Prometheus output on a fake /proc; watch's growth rate and
// time to the limit with an injected clock and sleep.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHost, watch } from '../../src/check/check.js';
import type { WatchSample } from '../../src/core/index.js';
import { escapeLabel, renderCheckPrometheus, renderCheckText, renderWatchText } from '../../src/render/check.js';
import { FIXTURES, haveCommand, startLogged, stop, waitForFile } from '../repro/helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mapmortem-check-'));
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

function mapsText(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `${(0x10000 + i * 2).toString(16)}000-${(0x10001 + i * 2).toString(16)}000 r--p 00000000 00:00 0\n`;
  return s;
}

async function proc(name: string, limit: number, procs: { pid: number; name: string; threads: number; maps: number | null }[]): Promise<string> {
  const root = path.join(tmp, name);
  await fsp.mkdir(path.join(root, 'sys/vm'), { recursive: true });
  await fsp.writeFile(path.join(root, 'sys/vm/max_map_count'), `${limit}\n`);
  for (const p of procs) {
    const dir = path.join(root, String(p.pid));
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(dir, 'status'), `Name:\t${p.name}\nState:\tS (sleeping)\nThreads:\t${p.threads}\n`);
    await fsp.writeFile(path.join(dir, 'cmdline'), p.maps === 0 ? '' : `${p.name}\0`);
    if (p.maps === null) await fsp.mkdir(path.join(dir, 'maps'));
    else await fsp.writeFile(path.join(dir, 'maps'), mapsText(p.maps));
  }
  return root;
}

const canCompile = process.platform === 'linux' && haveCommand('cc');

describe('checkHost on this machine', () => {
  it.skipIf(!canCompile)('finds a child process with a known number of maps', async () => {
    const bin = path.join(tmp, 'mapfill');
    const built = spawnSync('cc', ['-O2', '-o', bin, path.join(FIXTURES, 'mapfill.c')], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const ready = path.join(tmp, 'ready-check');
    const run = await startLogged(bin, [ready, '30', '3000'], path.join(tmp, 'check.log'));
    try {
      expect(await waitForFile(ready, run, 10_000)).toBe(true);
      const pid = run.child.pid!;
      const expected = readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').length - 1;
      const limit = Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8'));
      const r = await checkHost({ threshold: 0.8 });
      expect(r.limit).toBe(limit);
      const me = r.processes.find((p) => p.pid === pid);
      expect(me).toMatchObject({ pid, name: 'mapfill', threads: 1, mapCount: expected, limit, ratio: expected / limit, headroom: limit - expected });
      // 3,000 one-page maps that cannot merge, plus the loader's and libc's.
      expect(expected).toBeGreaterThanOrEqual(3000);
      expect(expected).toBeLessThan(3100);
      for (let i = 1; i < r.processes.length; i++) expect(r.processes[i - 1]!.ratio).toBeGreaterThanOrEqual(r.processes[i]!.ratio);
      expect(renderCheckPrometheus(r)).toMatch(new RegExp(`^mapmortem_process_map_areas\\{name="mapfill"[^}]*\\} ${expected}$`, 'm'));
      const all = await checkHost({ threshold: 0 });
      expect(all.over.map((p) => p.pid)).toContain(pid);
    } finally {
      await stop(run);
    }
  });
});

describe('checkHost on a fake /proc', () => {
  it('orders worst first, applies the threshold, skips kernel threads and counts unreadable ones', async () => {
    const root = await proc('basic', 1000, [
      { pid: 1, name: 'systemd', threads: 1, maps: 100 },
      { pid: 2, name: 'kthreadd', threads: 1, maps: 0 },
      { pid: 30, name: 'kafka', threads: 90, maps: 850 },
      { pid: 31, name: 'es', threads: 40, maps: 800 },
      { pid: 40, name: 'secret', threads: 1, maps: null },
    ]);
    const r = await checkHost({ threshold: 0.8, procRoot: root });
    expect(r.limit).toBe(1000);
    expect(r.processes.map((p) => [p.pid, p.mapCount, p.headroom])).toEqual([
      [30, 850, 150],
      [31, 800, 200],
      [1, 100, 900],
    ]);
    expect(r.over.map((p) => p.pid)).toEqual([30, 31]);
    expect(r.unreadable).toBe(1);
    expect((await checkHost({ threshold: 0.81, procRoot: root })).over.map((p) => p.pid)).toEqual([30]);
    expect((await checkHost({ procRoot: root })).over).toEqual([]);
    await expect(checkHost({ threshold: 80, procRoot: root })).rejects.toThrow(/0\.\.1/);

    expect(renderCheckText(r)).toBe(
      [
        'vm.max_map_count = 1000',
        'PID  NAME     THREADS  MAPS   USED  HEADROOM',
        ' 30  kafka         90   850  85.0%       150  OVER',
        ' 31  es            40   800  80.0%       200  OVER',
        '  1  systemd        1   100  10.0%       900',
        '1 process(es) not readable (run as root to include them)',
        'ALERT: 2 process(es) at or above 80.0% of the limit: kafka (pid 30, 850 maps), es (pid 31, 800 maps)',
        '',
      ].join('\n'),
    );
  });

  it('prints the Prometheus text exposition format with escaped labels', async () => {
    const root = await proc('prom', 65530, [
      { pid: 7, name: 'a"b\\c', threads: 2, maps: 3 },
      { pid: 5, name: 'java', threads: 1, maps: 2 },
    ]);
    const text = renderCheckPrometheus(await checkHost({ procRoot: root }));
    expect(text.split('\n').slice(0, 7)).toEqual([
      '# HELP mapmortem_map_areas_limit The kernel limit on memory map areas per process (vm.max_map_count).',
      '# TYPE mapmortem_map_areas_limit gauge',
      'mapmortem_map_areas_limit 65530',
      '# HELP mapmortem_process_map_areas Memory map areas (lines of /proc/<pid>/maps) of the worst process of this program and container, pod or unit.',
      '# TYPE mapmortem_process_map_areas gauge',
      'mapmortem_process_map_areas{name="a\\"b\\\\c"} 3',
      'mapmortem_process_map_areas{name="java"} 2',
    ]);
    expect(text).toContain('mapmortem_process_map_areas_ratio{name="java"} 0.000031\n');
    expect(text.endsWith('mapmortem_unreadable_processes 0\n')).toBe(true);
    // Every sample line is `name{labels} value` or `name value`.
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [\d.]+)$/);
    expect(escapeLabel('x\ny')).toBe('x\\ny');
  });

  it('says why when there is no limit to compare with', async () => {
    const r = await checkHost({ procRoot: path.join(tmp, 'nothing') });
    expect(r.limit).toBeNull();
    expect(r.message).toMatch(/max_map_count is not readable/);
    expect(renderCheckText(r)).toBe(`${r.message}\n`);
    expect(renderCheckPrometheus(r)).not.toContain('mapmortem_map_areas_limit');
  });
});

describe('watch', () => {
  it('reports growth per sample and the time left at the current rate', async () => {
    const root = await proc('watch', 10000, [{ pid: 9, name: 'kafka', threads: 5, maps: 1000 }]);
    let t = Date.parse('2026-01-01T00:00:00Z');
    const sleeps: number[] = [];
    const samples: WatchSample[] = [];
    for await (const s of watch({
      procRoot: root,
      intervalSeconds: 60,
      samples: 3,
      now: () => new Date(t),
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
        const cur = readFileSync(path.join(root, '9/maps'), 'utf8').split('\n').length - 1;
        await fsp.writeFile(path.join(root, '9/maps'), mapsText(cur + 600));
      },
    }))
      samples.push(s);
    expect(sleeps).toEqual([60000, 60000]);
    expect(samples.map((s) => s.trends[0])).toEqual([
      { pid: 9, name: 'kafka', mapCount: 1000, delta: 0, ratePerSecond: 0, secondsToLimit: null },
      { pid: 9, name: 'kafka', mapCount: 1600, delta: 600, ratePerSecond: 10, secondsToLimit: 840 },
      { pid: 9, name: 'kafka', mapCount: 2200, delta: 600, ratePerSecond: 10, secondsToLimit: 780 },
    ]);
    expect(samples[2]!.time).toBe('2026-01-01T00:02:00.000Z');
    expect(renderWatchText(samples[1]!)).toBe(
      [
        '2026-01-01T00:01:00.000Z  sample 2  vm.max_map_count = 10000',
        'PID  NAME   MAPS   USED  DELTA  RATE/s  TIME TO LIMIT',
        '  9  kafka  1600  16.0%   +600   10.00  14m',
        '',
      ].join('\n'),
    );
  });
});
