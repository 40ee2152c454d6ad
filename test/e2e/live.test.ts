import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scanJson } from '../helpers/cli.js';

const linux = process.platform === 'linux' && existsSync('/proc/self/maps');
let child: ChildProcess | undefined;
let work = '';

beforeAll(async () => {
  if (!linux) return;
  work = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-live-'));
  child = spawn('sleep', ['300'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 100));
});

afterAll(() => {
  child?.kill();
});

describe.skipIf(!linux)('capture, check and scan --capture-pid on this host', () => {
  it('capture --pid writes a bundle that scan reads as evidence', async () => {
    const out = path.join(work, 'bundle');
    const r = await runCli(['capture', '--pid', String(child!.pid), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(out);
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.pid).toBe(child!.pid);
    expect(manifest.files.find((f: any) => f.path === `proc/${child!.pid}/maps`).status).toBe('ok');
    const { report } = await scanJson([out]);
    const kinds = new Set(report.inputs.map((i: any) => i.role));
    expect(kinds).toContain('evidence:maps');
    expect(kinds).toContain('evidence:sysctl');
    expect(kinds).toContain('evidence:meminfo');
    expect(report.problems.filter((p: any) => p.severity !== 'info')).toEqual([]);
  });

  it('scan --capture-pid captures the process and uses it as evidence for the logs', async () => {
    const logs = path.join(work, 'logs');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(logs);
    await writeFile(path.join(logs, 'app.log'), '2024-05-01T12:00:00Z ERROR app[1]: mmap(NULL, 4096) failed: Cannot allocate memory (errno=12)\n');
    const { code, report } = await scanJson([logs, '--capture-pid', String(child!.pid)], { cwd: work });
    expect(code).toBe(0);
    const inc = report.incidents[0];
    expect(inc.evidence.some((e: any) => e.kind === 'maps')).toBe(true);
    const step = inc.trail.find((t: any) => t.step === 'map count vs limit');
    expect(step.outcome).toContain('ruled out');
  });

  it('capture needs exactly one of --pid and --name, and lists several matches instead of guessing', async () => {
    expect((await runCli(['capture'])).code).toBe(2);
    const other = spawn('sleep', ['301'], { stdio: 'ignore' });
    const third = spawn('sleep', ['301'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));
    const r = await runCli(['capture', '--name', '^sleep 301$', '-o', path.join(work, 'x')]);
    other.kill();
    third.kill();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(String(other.pid));
    expect(r.stderr).toContain(String(third.pid));
  });

  it('check lists processes worst first, exports Prometheus metrics and honours --threshold', async () => {
    const text = await runCli(['check', '--top', '100000', '--threshold', '100%']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^vm\.max_map_count = \d+/);
    expect(text.stdout).toContain(String(child!.pid));
    const prom = await runCli(['check', '--prometheus', '--threshold', '100%']);
    expect(prom.stdout).toMatch(/^mapmortem_map_areas_limit \d+$/m);
    expect(prom.stdout).toMatch(/^mapmortem_process_map_areas\{name="sleep"[,}]/m);
    expect(prom.stdout).not.toContain('pid=');
    const alarm = await runCli(['check', '--threshold', '0.0001%']);
    expect(alarm.code).toBe(1);
    expect(alarm.stdout).toContain('ALERT');
    expect((await runCli(['check', '--threshold', '180%'])).code).toBe(2);
  });

  it('check --watch samples repeatedly and prints the trend', async () => {
    const r = await runCli(['check', '--watch', '1', '--samples', '2', '--top', '3', '--threshold', '100%']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/sample \d/g)).toEqual(['sample 1', 'sample 2']);
    expect(r.stdout).toContain('TIME TO LIMIT');
  }, 10_000);
});
