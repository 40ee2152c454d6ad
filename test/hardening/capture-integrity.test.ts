// Capture integrity: a process that exits, is replaced (pid reused) or is cut short while capture
// reads it gives no trusted snapshot: the manifest marks the maps 'changed' with the reason, and
// scan takes that map count as a lower bound with a caveat instead of stating it as exact.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture } from '../../src/capture/capture.js';
import { runCli } from '../helpers/cli.js';
import { anonMaps, fakeProc, MAP_FAILED_LOG, procStat } from '../helpers/fake-proc.js';
import { tmpDir } from './helpers.js';

const now = (): Date => new Date('2026-03-04T05:06:07Z');
/** 8,446 lines of a maps file that had about 60,000: what a read gets when the process dies mid-read. */
const CUT_MAPS = anonMaps(8446);
const STAT = (start: number): string => procStat(start);
const LOG = MAP_FAILED_LOG;

async function scanBundle(root: string, bundle: string): Promise<any> {
  await fsp.writeFile(path.join(root, 'server.log'), LOG);
  const r = await runCli(['scan', bundle, path.join(root, 'server.log'), '-j', '1', '--format', 'json'], { cwd: root });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const cases: { name: string; maps: string; during: (proc: string) => Promise<void>; reason: RegExp }[] = [
  {
    name: 'the process exits after its maps are read',
    maps: CUT_MAPS,
    during: (proc) => fsp.rm(path.join(proc, '4242'), { recursive: true }),
    reason: /exited during the capture/,
  },
  {
    name: 'the pid is reused by another process',
    maps: CUT_MAPS,
    during: (proc) => fsp.writeFile(path.join(proc, '4242', 'stat'), STAT(99999)),
    reason: /start time changed \(1000 → 99999\)/,
  },
  { name: 'the maps read ends mid-line', maps: CUT_MAPS + '7f0000000000-7f00000', during: async () => undefined, reason: /ended mid-line/ },
];

describe('capture integrity', () => {
  for (const c of cases) {
    it(`${c.name}: the manifest marks the maps changed and scan states a lower bound`, async () => {
      const root = tmpDir('capture-integrity');
      const proc = await fakeProc(root, c.maps);
      const out = path.join(root, 'bundle');
      const res = await capture({ pid: 4242, output: out, procRoot: proc, now, version: 't', afterProcessRead: () => c.during(proc) });
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      const maps = res.manifest.files.find((f) => f.path === 'proc/4242/maps')!;
      expect(maps.status).toBe('changed');
      expect(maps.reason).toMatch(c.reason);
      expect(res.manifest.integrity?.stable).toBe(false);
      const manifest = JSON.parse(await fsp.readFile(path.join(out, 'manifest.json'), 'utf8'));
      expect(manifest.files.find((f: any) => f.path === 'proc/4242/maps').status).toBe('changed');
      const report = await scanBundle(root, out);
      const inc = report.incidents[0];
      expect(inc.caveats.join('\n')).toMatch(/cut short: 8,44[67] regions is a lower bound/);
      expect(inc.trail.map((t: any) => t.fact).join('\n')).toMatch(/8,44[67] map areas \(at least\)/);
      expect(report.problems.map((p: any) => p.message).join('\n')).toMatch(c.reason);
    });
  }

  it('a process that stays the same gives a trusted snapshot (no caveat)', async () => {
    const root = tmpDir('capture-integrity');
    const proc = await fakeProc(root, CUT_MAPS);
    const out = path.join(root, 'bundle');
    const res = await capture({ pid: 4242, output: out, procRoot: proc, now, version: 't' });
    expect(res.ok && res.manifest.integrity?.stable).toBe(true);
    const report = await scanBundle(root, out);
    expect(report.incidents[0].caveats.join('\n')).not.toMatch(/lower bound/);
  });
});
