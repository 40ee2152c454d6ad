// Real reproduction: a C program maps one page at a time with alternating protections until
// mmap fails with ENOMEM against this host's vm.max_map_count; capture it while it holds its
// mappings, scan its log with the bundle, and expect map-count-exhaustion (high).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capture } from '../../src/capture/capture.js';
import { FIXTURES, haveCommand, hostMaxMapCount, keepSample, MAX_REPRO_LIMIT, scanDefault, startLogged, stop, waitForFile, type Running } from './helpers.js';

const limit = hostMaxMapCount();
const cc = ['cc', 'gcc', 'clang'].find((c) => haveCommand(c));
const skip =
  limit === undefined
    ? 'not Linux: no /proc/sys/vm/max_map_count'
    : limit > MAX_REPRO_LIMIT
      ? `vm.max_map_count is ${limit} (> ${MAX_REPRO_LIMIT}): filling it would take too much memory and time`
      : cc === undefined
        ? 'no C compiler (cc, gcc or clang) on this machine'
        : '';
if (skip !== '') console.warn(`skipping the mapfill reproduction: ${skip}`);

describe.skipIf(skip !== '')('real reproduction: a C program exhausts vm.max_map_count', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mapmortem-mapfill-'));
  let run: Running | undefined;
  afterAll(async () => {
    if (run) await stop(run);
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('fails with ENOMEM near the limit, is captured live, and scans as map-count-exhaustion', async () => {
    const bin = path.join(tmp, 'mapfill');
    const built = spawnSync(cc!, ['-O2', '-o', bin, path.join(FIXTURES, 'mapfill.c')], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);

    const caseDir = path.join(tmp, 'case');
    const bundle = path.join(caseDir, 'mapfill');
    const log = path.join(tmp, 'mapfill.log');
    const ready = path.join(tmp, 'ready');
    run = await startLogged(bin, [ready, '30'], log);
    expect(await waitForFile(ready, run, 20_000)).toBe(true);
    const mapped = Number(/^READY (\d+)/.exec(readFileSync(ready, 'utf8'))?.[1]);

    const logText = readFileSync(log, 'utf8');
    expect(logText).toMatch(/INFO mapfill\[\d+\]: 10000 maps/);
    const failure = /mmap failed after (\d+) maps: Cannot allocate memory \(errno=12\)/.exec(logText);
    expect(failure).not.toBeNull();
    expect(Number(failure![1])).toBe(mapped);
    // The program's own maps plus these pages reach the limit; a few dozen belong to the loader and libc.
    expect(mapped).toBeGreaterThan(limit! - 200);
    expect(mapped).toBeLessThanOrEqual(limit!);

    const res = await capture({ pid: run.child.pid!, output: bundle, now: () => new Date(), version: '0.0.0-test' });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    await stop(run);
    run = undefined;
    const pid = res.manifest.pid!;
    const byPath = new Map(res.manifest.files.map((f) => [f.path, f]));
    for (const f of [`proc/${pid}/maps`, `proc/${pid}/status`, `proc/${pid}/limits`, 'proc/sys/vm/max_map_count', 'proc/meminfo']) {
      expect(byPath.get(f)?.status, f).toBe('ok');
    }
    expect(res.manifest.maxMapCount).toBe(limit);
    expect(Math.abs(res.manifest.mapCount! - limit!)).toBeLessThanOrEqual(5);
    // The log travels with the bundle: one directory, one scope.
    await fsp.copyFile(log, path.join(bundle, 'mapfill.log'));

    const report = await scanDefault(['case'], tmp);
    const inc = report.incidents[0]!;
    expect(report.verdict).toBe('map-count-exhaustion');
    expect(inc.cause).toBe('map-count-exhaustion');
    expect(inc.confidence).toBe('high');
    expect(inc.findings.map((f) => f.ruleId)).toContain('generic-mmap-enomem');
    expect(inc.maps?.source.file).toBe(`case/mapfill/proc/${pid}/maps`);
    expect(Math.abs(inc.maps!.regions - limit!)).toBeLessThanOrEqual(5);
    const roles = new Map(report.inputs.map((i) => [i.file, i.role]));
    expect(roles.get(`case/mapfill/proc/${pid}/maps`)).toBe('evidence:maps');
    expect(roles.get('case/mapfill/proc/sys/vm/max_map_count')).toBe('evidence:sysctl');
    expect(roles.get('case/mapfill/proc/meminfo')).toBe('evidence:meminfo');
    expect(roles.get(`case/mapfill/proc/${pid}/limits`)).toBe('evidence:limits');
    expect(roles.get(`case/mapfill/proc/${pid}/status`)).toBe('evidence:status');

    await keepSample(caseDir, 'c-mapfill');
  }, 60_000);
});
