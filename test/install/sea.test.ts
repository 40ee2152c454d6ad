// The single executable (`npm run sea`): built once here into a temp dir, copied alone into an
// empty directory with no node_modules above it and no node on PATH, then run as a user on a
// host without Node would: scan a sample (HTML report, worker threads), rules test, capture a
// live process, scan that bundle and merge the result with `report`. Skips when this Node cannot make one (no SEA fuse).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const exec = promisify(execFile);
const built = existsSync(path.join(REPO, 'dist', 'scripts', 'sea.js'));
const fuse = process.platform === 'linux' && readFileSync(process.execPath).includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2');
const why = !fuse
  ? `this Node (${process.execPath}) has no single-executable fuse, so no executable can be made from it`
  : !built
    ? 'dist/scripts/sea.js is not built: run `npm run build` (npm test does it)'
    : '';
if (why) console.warn(`sea.test.ts skipped: ${why}`);

let tmp = '';
let alone = '';
let exe = '';
let child: ChildProcess | undefined;

beforeAll(async () => {
  if (why) return;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-sea-'));
  await exec(process.execPath, [path.join(REPO, 'dist', 'scripts', 'sea.js'), '--out', path.join(tmp, 'build')], { cwd: REPO, maxBuffer: 64 << 20 });
  alone = path.join(tmp, 'alone');
  await mkdir(alone);
  exe = path.join(alone, 'mapmortem');
  await copyFile(path.join(tmp, 'build', 'mapmortem'), exe);
  await exec('chmod', ['755', exe]);
  await cp(path.join(REPO, 'samples', 'cortex-ingester-crashloop'), path.join(alone, 'cortex-ingester-crashloop'), { recursive: true });
  child = spawn('sleep', ['600'], { stdio: 'ignore' });
}, 900_000);

afterAll(async () => {
  child?.kill();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Runs the executable alone: cwd is its directory and PATH holds nothing (no node to fall back on). */
async function mapmortem(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: path.join(tmp, 'empty-path'), HOME: alone, NO_COLOR: '1' };
  try {
    const r = await exec(exe, args, { cwd: alone, env, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe.skipIf(why !== '')('the single executable, alone in an empty directory', { timeout: 300_000 }, () => {
  it('is one file with no node_modules anywhere above it, and knows its version', async () => {
    for (let d = alone; ; d = path.dirname(d)) {
      expect(existsSync(path.join(d, 'node_modules'))).toBe(false);
      if (path.dirname(d) === d) break;
    }
    expect((await stat(exe)).size).toBeGreaterThan(10 << 20);
    const pkg = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    const r = await mapmortem(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('scans a sample on worker threads with the README verdict and writes the HTML report from its built-in templates', async () => {
    const r = await mapmortem(['scan', 'cortex-ingester-crashloop', '-j', '2', '-o', 'report.html']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\bverdict map-count-exhaustion\b/);
    const html = await readFile(path.join(alone, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('65,524');
  });

  it("runs its built-in rules' own samples", async () => {
    const r = await mapmortem(['rules', 'test']);
    expect(r.code).toBe(0);
  });

  it('captures a live process and scans the bundle it wrote', async () => {
    const out = path.join(alone, 'bundle');
    const c = await mapmortem(['capture', '--pid', String(child!.pid), '-o', out]);
    expect(c.code).toBe(0);
    expect(c.stdout.trim()).toBe(out);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.pid).toBe(child!.pid);
    expect(manifest.commandLine).toBe('sleep 600');
    const s = await mapmortem(['scan', 'bundle', '--format', 'json']);
    expect(s.code).toBe(0);
    const report = JSON.parse(s.stdout);
    expect(report.verdict).toBe('none');
    const maps = report.evidence.find((e: any) => e.kind === 'maps');
    expect(maps.file).toBe(`bundle/proc/${child!.pid}/maps`);
    expect(maps.facts.find((f: any) => f.key === 'map-count').value).toBe(manifest.mapCount);
    // `report` checks its input against the built-in JSON Schema.
    await writeFile(path.join(alone, 'bundle.json'), s.stdout);
    const merged = await mapmortem(['report', 'bundle.json', '--format', 'json']);
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout).verdict).toBe('none');
  });
});
