// Real reproductions with a JVM: FileChannel.map region after region until "Map failed", and
// a JVM that uses most of its map budget that way and then starts threads until one cannot
// be created. Their real output (log, hs_err when the JVM writes one) is scanned with a capture.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../src/capture/capture.js';
import { FIXTURES, haveCommand, hostMaxMapCount, keepSample, MAX_REPRO_LIMIT, scanDefault, startLogged, stop, waitForFile, type Running } from './helpers.js';

const limit = hostMaxMapCount();
const haveJava = haveCommand('java', ['-version']) && haveCommand('javac', ['-version']);
const skip =
  limit === undefined
    ? 'not Linux: no /proc/sys/vm/max_map_count'
    : limit > MAX_REPRO_LIMIT
      ? `vm.max_map_count is ${limit} (> ${MAX_REPRO_LIMIT}): filling it would take too much memory and time`
      : !haveJava
        ? 'no JDK (java and javac) on this machine: install default-jdk-headless to run the JVM reproductions'
        : '';
if (skip !== '') console.warn(`skipping the JVM reproductions: ${skip}`);

/** Small, fully committed heap and no JIT: the JVM itself needs few new mappings once the budget is gone. */
function jvmArgs(tmp: string): string[] {
  return ['-Xint', '-XX:+UseSerialGC', '-Xms32m', '-Xmx32m', '-XX:+AlwaysPreTouch', '-Xss256k', `-XX:ErrorFile=${path.join(tmp, 'hs_err_pid%p.log')}`, '-cp', tmp, 'MapFill'];
}

async function hsErrFiles(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir)).filter((n) => /^hs_err_pid\d+\.log$/.test(n)).sort();
}

describe.skipIf(skip !== '')('real reproduction: a JVM runs out of map areas', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'mapmortem-jvm-'));
  const runs: Running[] = [];
  beforeAll(() => {
    const built = spawnSync('javac', ['-nowarn', '-d', tmp, path.join(FIXTURES, 'MapFill.java')], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`javac failed: ${built.stderr}`);
  });
  afterAll(async () => {
    for (const r of runs) await stop(r);
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('FileChannel.map until IOException: Map failed → map-count-exhaustion (high)', async () => {
    const work = path.join(tmp, 'map');
    await fsp.mkdir(work);
    const log = path.join(work, 'server.log');
    const ready = path.join(work, 'ready');
    const run = await startLogged('java', [...jvmArgs(tmp), 'map', path.join(work, 'region.bin'), ready, '30'], log);
    runs.push(run);
    expect(await waitForFile(ready, run, 40_000)).toBe(true);
    const logText = readFileSync(log, 'utf8');
    expect(logText).toMatch(/^java\.io\.IOException: Map failed$/m);
    expect(logText).toMatch(/^Caused by: java\.lang\.OutOfMemoryError: Map failed$/m);
    expect(logText).toMatch(/at java\.base\/sun\.nio\.ch\.FileChannelImpl\.map0\(Native Method\)/);
    const mapped = Number(/^READY map-failed (\d+)/.exec(readFileSync(ready, 'utf8'))?.[1]);
    expect(mapped).toBeGreaterThan(limit! - 1000);

    const caseDir = path.join(tmp, 'case-map');
    const bundle = path.join(caseDir, 'jvm-map-failed');
    const res = await capture({ pid: run.child.pid!, output: bundle, now: () => new Date(), version: '0.0.0-test' });
    await stop(run);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.manifest.commandLine).toContain('MapFill map');
    // Holding every region but the few it gave back to keep the JVM going.
    expect(res.manifest.mapCount!).toBeGreaterThan(limit! - 200);
    await fsp.copyFile(log, path.join(bundle, 'server.log'));
    for (const h of await hsErrFiles(tmp)) await fsp.rename(path.join(tmp, h), path.join(bundle, h));

    const report = await scanDefault(['case-map'], tmp);
    const inc = report.incidents[0]!;
    expect(report.verdict).toBe('map-count-exhaustion');
    expect(inc.confidence).toBe('high');
    expect(inc.system).toBe('jvm');
    expect(inc.findings.map((f) => f.ruleId)).toContain('java-map-failed-generic');
    expect(inc.maps!.regions).toBeGreaterThan(limit! - 200);
    expect(inc.maps!.top[0]?.name).toContain('region.bin');
    await keepSample(caseDir, 'jvm-map-failed');
  }, 60_000);

  it('threads after the map budget is used: unable to create native thread → map-count-exhaustion (high)', async () => {
    const work = path.join(tmp, 'threads');
    await fsp.mkdir(work);
    const log = path.join(work, 'server.log');
    const ready = path.join(work, 'ready');
    // Leave 300 areas: each thread takes a stack and a guard area, so ~150 threads fit.
    const run = await startLogged('java', [...jvmArgs(tmp), 'threads', path.join(work, 'region.bin'), ready, '30', '300'], log);
    runs.push(run);
    await waitForFile(ready, run, 40_000);
    // The JVM may crash when one of its own threads cannot commit its stack (hs_err). Then the
    // capture must not catch it half torn down: wait for the exit, and capture the host only.
    await new Promise((r) => setTimeout(r, 500));
    if ((await hsErrFiles(tmp)).length > 0) await Promise.race([run.exited, new Promise((r) => setTimeout(r, 15_000))]);
    const caseDir = path.join(tmp, 'case-threads');
    const bundle = path.join(caseDir, 'jvm-threads');
    const res = await capture({ pid: run.child.pid!, output: bundle, now: () => new Date(), version: '0.0.0-test' });
    await stop(run);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const alive = res.manifest.files.find((f) => f.path.endsWith('/maps'))?.status === 'ok';
    if (!alive) expect(res.warnings.join('\n')).toMatch(/does not exist/);
    await fsp.copyFile(log, path.join(bundle, 'server.log'));
    const hsErr = await hsErrFiles(tmp);
    for (const h of hsErr) await fsp.rename(path.join(tmp, h), path.join(bundle, h));

    const logText = readFileSync(log, 'utf8');
    const threadFailed = /java\.lang\.OutOfMemoryError: unable to create native thread/.test(logText);
    const guardPages = /Attempt to protect stack guard pages failed/.test(logText);
    // One of the JVM's own ways to fail for lack of map areas must show.
    expect(threadFailed || guardPages || hsErr.length > 0).toBe(true);
    // Every run needs evidence of the map count: the live capture or the hs_err's Dynamic libraries.
    expect(alive || hsErr.length > 0).toBe(true);

    const report = await scanDefault(['case-threads'], tmp);
    expect(report.verdict).toBe('map-count-exhaustion');
    const inc = report.incidents[0]!;
    expect(inc.confidence).toBe('high');
    expect(inc.maps!.regions).toBeGreaterThan(limit! - 400);
    if (threadFailed) {
      const rules = report.incidents.flatMap((i) => i.findings.map((f) => f.ruleId));
      expect(rules).toContain('thread-create-failed');
    }
    await keepSample(caseDir, 'jvm-threads');
  }, 60_000);
});
