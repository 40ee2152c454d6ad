// scripts/mapmortem-capture.sh, the capture for a container with only a POSIX sh and busybox:
// run under dash and under busybox sh (with nothing but busybox's applets on PATH) against a live
// process, its bundle must read like the bundle `mapmortem capture` takes of the same process.
// Skips a shell that is not installed (scripts/ensure-test-deps.sh installs both on Debian).

import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, scanJson } from '../helpers/cli.js';
import { anonMaps, fakeProc, MAP_FAILED_LOG, procStat } from '../helpers/fake-proc.js';

const exec = promisify(execFile);
const SCRIPT = path.join(REPO, 'scripts', 'mapmortem-capture.sh');
const linux = process.platform === 'linux' && existsSync('/proc/self/maps');
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const dash = linux && has('dash');
const busybox = linux && has('busybox');

/** A command line no other test run on this machine has at the same time (--name must match one process). */
const SLEEP = String(600 + (process.pid % 10_000));
let child: ChildProcess | undefined;
let work = '';
let logs = '';
let reference: Awaited<ReturnType<typeof readBundle>> | undefined;
let referenceArchive: Awaited<ReturnType<typeof readBundle>> | undefined;
let busyboxBin = '';
let busyboxPath = '';

beforeAll(async () => {
  if (!linux) return;
  work = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-capture-sh-'));
  child = spawn('sleep', [SLEEP], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 100));
  logs = path.join(work, 'logs');
  await mkdir(logs);
  await writeFile(path.join(logs, 'app.log'), '2024-05-01T12:00:00Z ERROR app[1]: mmap(NULL, 4096) failed: Cannot allocate memory (errno=12)\n');
  const r = await runCli(['capture', '--pid', String(child.pid), '-o', path.join(work, 'node-bundle')]);
  expect(r.code).toBe(0);
  reference = await readBundle(path.join(work, 'node-bundle'));
  const a = await runCli(['capture', '--pid', String(child.pid), '-o', path.join(work, 'node-bundle.tar.gz')]);
  expect(a.code).toBe(0);
  referenceArchive = await readBundle(path.join(work, 'node-bundle.tar.gz'));
  if (busybox) {
    // A PATH holding busybox's applets and nothing else: what a busybox-only container offers.
    busyboxPath = path.join(work, 'busybox-bin');
    await mkdir(busyboxPath);
    busyboxBin = (await exec('sh', ['-c', 'command -v busybox'])).stdout.trim();
    const applets = (await exec(busyboxBin, ['--list'])).stdout.split('\n').filter((x) => /^[\w.[-]+$/.test(x));
    for (const x of applets) await symlink(busyboxBin, path.join(busyboxPath, x));
  }
}, 120_000);

afterAll(async () => {
  child?.kill();
  if (work) await rm(work, { recursive: true, force: true });
});

/** What a user reads off a bundle: the manifest, and scan's verdict, trail and numbers for it with the logs. */
async function readBundle(bundle: string) {
  const manifestFile = existsSync(path.join(bundle, 'manifest.json')) ? path.join(bundle, 'manifest.json') : undefined;
  const manifest = manifestFile ? JSON.parse(await readFile(manifestFile, 'utf8')) : undefined;
  const { code, report } = await scanJson([bundle, logs]);
  const incident = report.incidents[0];
  const fact = (key: string): unknown => report.evidence.flatMap((e: any) => e.facts).find((f: any) => f.key === key)?.value;
  return {
    code,
    manifest,
    verdict: report.verdict,
    causes: report.incidents.map((i: any) => i.cause),
    trail: incident.trail.map((t: any) => `${t.step}: ${t.outcome}`),
    evidenceKinds: [...new Set(report.evidence.map((e: any) => e.kind))].sort(),
    evidenceFiles: report.evidence
      .map((e: any) => path.relative(bundle, path.resolve(REPO, e.file)))
      .filter((f: string) => !f.startsWith('..'))
      .sort(),
    mapCount: fact('map-count'),
    maxMapCount: fact('max-map-count'),
    problems: report.problems.filter((p: any) => p.severity !== 'info'),
  };
}

async function runScript(shell: 'dash' | 'busybox', args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, pre] = shell === 'dash' ? ['dash', []] : [busyboxBin, ['sh']];
  const env = shell === 'dash' ? { ...process.env } : { PATH: busyboxPath, HOME: work, TMPDIR: work };
  try {
    const r = await exec(cmd, [...pre, SCRIPT, ...args], { cwd: work, env, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Same bundle as `mapmortem capture` for what a user notices; the map count may move by what a live process changes. */
function expectSameAsCapture(got: NonNullable<typeof reference>, pid: number): void {
  const ref = reference!;
  expect(got.code).toBe(0);
  expect(got.verdict).toBe(ref.verdict);
  expect(got.causes).toEqual(ref.causes);
  expect(got.trail).toEqual(ref.trail);
  expect(got.evidenceKinds).toEqual(ref.evidenceKinds);
  expect(got.evidenceFiles).toContain(`proc/${pid}/maps`);
  expect(got.evidenceFiles).toEqual(ref.evidenceFiles);
  expect(got.problems).toEqual([]);
  expect(got.maxMapCount).toBe(ref.maxMapCount);
  expect(typeof got.mapCount).toBe('number');
  expect(Math.abs((got.mapCount as number) - (ref.mapCount as number))).toBeLessThanOrEqual(8);
  const m = got.manifest;
  // The script's VERSION line must follow package.json, as capture's does.
  expect(m.tool).toEqual({ ...ref.manifest.tool, writer: 'mapmortem-capture.sh' });
  expect(m.pid).toBe(pid);
  expect(m.commandLine).toBe(ref.manifest.commandLine);
  expect(m.hostname).toBe(ref.manifest.hostname);
  expect(m.kernel).toBe(ref.manifest.kernel);
  expect(m.uid).toBe(ref.manifest.uid);
  expect(m.maxMapCount).toBe(ref.manifest.maxMapCount);
  expect(Math.abs(m.mapCount - ref.manifest.mapCount)).toBeLessThanOrEqual(8);
  expect(Number.isNaN(Date.parse(m.capturedAt))).toBe(false);
  const files = (x: any) => x.files.map((f: any) => `${f.path} ${f.source} ${f.status} ${f.reason ?? ''}`);
  expect(files(m)).toEqual(files(ref.manifest));
  expect(m.warnings).toEqual(ref.manifest.warnings);
  expect(m.integrity).toEqual(ref.manifest.integrity);
}

for (const shell of ['dash', 'busybox'] as const) {
  const available = shell === 'dash' ? dash : busybox;
  describe.skipIf(!available)(`mapmortem-capture.sh under ${shell === 'dash' ? 'dash' : 'busybox sh, busybox applets only'}`, () => {
    it('captures a live process into a directory that scan reads like a `mapmortem capture` bundle', async () => {
      const out = path.join(work, `${shell}-bundle`);
      const r = await runScript(shell, ['--pid', String(child!.pid), '-o', out]);
      expect(r.stderr).toMatch(/^mapmortem: captured \d+ files into /m);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(out);
      expectSameAsCapture(await readBundle(out), child!.pid!);
    });

    it('finds the process by --name and writes a .tar.gz that scan reads like the .tar.gz of capture', async () => {
      const out = path.join(work, `${shell}-bundle.tar.gz`);
      const r = await runScript(shell, ['--name', `^sleep ${SLEEP}$`, '-o', out]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(out);
      const got = await readBundle(out);
      const ref = referenceArchive!;
      expect(got.verdict).toBe(ref.verdict);
      expect(got.trail).toEqual(ref.trail);
      expect(got.evidenceKinds).toEqual(ref.evidenceKinds);
      expect(got.maxMapCount).toBe(ref.maxMapCount);
      expect(Math.abs((got.mapCount as number) - (ref.mapCount as number))).toBeLessThanOrEqual(8);
    });

    it('refuses bad arguments with exit 2 and says what is wrong', async () => {
      const none = await runScript(shell, []);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('exactly one of --pid N or --name REGEX');
      const bad = await runScript(shell, ['--pid', 'abc']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--pid: expected a positive integer, got 'abc'");
      const nomatch = await runScript(shell, ['--name', '^no-such-process-[0-9]{9}$']);
      expect(nomatch.code).toBe(2);
      expect(nomatch.stderr).toContain('no process has a command line matching');
    });
  });
}

describe.skipIf(!dash)('mapmortem-capture.sh for a process that has exited', () => {
  it('writes the host files and says the process is gone, as capture does', async () => {
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    const out = path.join(work, 'gone-bundle');
    const r = await runScript('dash', ['--pid', String(gone.pid), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`process ${gone.pid} does not exist (it has exited, or the pid is wrong)`);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files.find((f: any) => f.path === `proc/${gone.pid}/maps`).status).toBe('missing');
    expect(manifest.files.find((f: any) => f.path === 'proc/meminfo').status).toBe('ok');
    const { report } = await scanJson([out]);
    expect(report.evidence.some((e: any) => e.kind === 'meminfo')).toBe(true);
  });
});

/**
 * Integrity, as capture's (test/hardening/capture-integrity.test.ts): a fake /proc whose
 * `cgroup` file is a FIFO holds the script between its two reads of the start time, while the
 * test makes the process exit or be replaced; a maps read cut mid-line needs no pause.
 */
describe.skipIf(!dash || !has('mkfifo'))('mapmortem-capture.sh when the process changes while it is read', () => {
  // The command name holds spaces and parentheses: the script must read fields after the last ") ".
  const COMM = 'java (x)';
  const STAT = (start: number): string => procStat(start, COMM);
  const MAPS = anonMaps(300);
  const LOG = MAP_FAILED_LOG;

  /** Runs the script on the fake /proc; `during` runs once the script has read the start time and the maps, before it reads them again. */
  async function captureWhile(name: string, maps: string, during: (proc: string) => Promise<void>) {
    const root = path.join(work, `changing-${name}`);
    const proc = await fakeProc(root, maps, COMM);
    execFileSync('mkfifo', [path.join(proc, '4242', 'cgroup')]);
    const out = path.join(root, 'bundle');
    const run = exec('dash', [SCRIPT, '--pid', '4242', '-o', out], { cwd: root, env: { ...process.env, MAPMORTEM_PROC_ROOT: proc }, maxBuffer: 64 << 20 });
    // Opening the FIFO for writing waits for the script to open it: by then it has read stat and maps.
    const fifo = await open(path.join(proc, '4242', 'cgroup'), 'w');
    await during(proc);
    await fifo.write('0::/\n');
    await fifo.close();
    const r = await run;
    await writeFile(path.join(root, 'server.log'), LOG);
    const { report } = await scanJson([out, path.join(root, 'server.log')]);
    return { stderr: r.stderr, manifest: JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')), report };
  }

  const cases: { name: string; maps: string; during: (proc: string) => Promise<void>; reason: RegExp }[] = [
    { name: 'exit', maps: MAPS, during: (proc) => rm(path.join(proc, '4242'), { recursive: true }), reason: /^the process exited during the capture$/ },
    {
      name: 'reuse',
      maps: MAPS,
      during: (proc) => writeFile(path.join(proc, '4242', 'stat'), STAT(99999)),
      reason: /^its start time changed \(1000 → 99999\): the pid was reused/,
    },
    { name: 'cut', maps: MAPS + '7f0000000000-7f00000', during: async () => undefined, reason: /^the maps read ended mid-line/ },
  ];
  for (const c of cases) {
    it(`${c.name}: marks the maps changed, says why, and scan takes the count as a lower bound`, async () => {
      const { stderr, manifest, report } = await captureWhile(c.name, c.maps, c.during);
      expect(manifest.integrity.stable).toBe(false);
      expect(manifest.integrity.reasons).toHaveLength(1);
      expect(manifest.integrity.reasons[0]).toMatch(c.reason);
      const maps = manifest.files.find((f: any) => f.path === 'proc/4242/maps');
      expect(maps.status).toBe('changed');
      expect(maps.reason).toMatch(c.reason);
      expect(stderr).toContain('process 4242 changed while it was captured');
      const count = report.evidence.flatMap((e: any) => e.facts).find((f: any) => f.key === 'map-count');
      expect(count.value).toBe(300);
      expect(count.complete).toBe(false);
      expect(report.problems.map((p: any) => p.code)).toContain('evidence-cut');
    });
  }

  it('a process that stays the same is stable, with no reason', async () => {
    const { manifest } = await captureWhile('stable', MAPS, async () => undefined);
    expect(manifest.integrity).toEqual({ stable: true, reasons: [] });
    expect(manifest.files.find((f: any) => f.path === 'proc/4242/maps').status).toBe('ok');
  });
});

describe.skipIf(!linux)('a capture bundle as .tar.gz', () => {
  it('joins the logs scanned beside it as the same bundle as a directory does', () => {
    const dir = reference!;
    const tgz = referenceArchive!;
    expect(tgz.verdict).toBe(dir.verdict);
    expect(tgz.causes).toEqual(dir.causes);
    expect(tgz.trail).toEqual(dir.trail);
    expect(tgz.trail.some((t: string) => t.startsWith('map count vs limit:'))).toBe(true);
  });
});
