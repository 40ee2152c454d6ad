// Shared by the real reproductions: compile a fixture program, start it, wait for its ready
// file (or its exit), capture it, and scan a directory with the default rule pack.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/core/index.js';
import { runScan } from '../../src/pipeline/scan.js';
import { defaultRulesDir, loadRuleDirs } from '../../src/rules/load.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/repro');

/** The host's vm.max_map_count, or undefined off Linux. */
export function hostMaxMapCount(): number | undefined {
  try {
    const t = spawnSync('cat', ['/proc/sys/vm/max_map_count'], { encoding: 'utf8' });
    return /^\d+\s*$/.test(t.stdout) ? Number(t.stdout.trim()) : undefined;
  } catch {
    return undefined;
  }
}

/** Above this the reproduction would need too much memory and time: skip. */
export const MAX_REPRO_LIMIT = 1_000_000;

export function haveCommand(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

export interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts a program with stdout and stderr both going to one log file (as a service's log would). */
export async function startLogged(cmd: string, args: string[], logFile: string): Promise<Running> {
  const fh = await fsp.open(logFile, 'w');
  const child = spawn(cmd, args, { stdio: ['ignore', fh.fd, fh.fd] });
  await fh.close();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

/** Waits until the file exists or the process exits; true when the file appeared. */
export async function waitForFile(file: string, run: Running, timeoutMs: number): Promise<boolean> {
  let gone = false;
  void run.exited.then(() => {
    gone = true;
  });
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(file)) return true;
    if (gone) return existsSync(file);
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export function stop(run: Running): Promise<number | null> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  return run.exited;
}

export async function scanDefault(paths: string[], cwd: string): Promise<Report> {
  const rules = await loadRuleDirs([defaultRulesDir()]);
  if (!rules.ok) throw new Error(`rule pack does not load: ${JSON.stringify(rules.errors)}`);
  return runScan({
    paths,
    cwd,
    include: [],
    exclude: [],
    rules: rules.rules,
    context: 3,
    maxLineBytes: 64 * 1024,
    now: new Date('2026-01-01T00:00:00Z'),
    version: '0.0.0-test',
  });
}

/** Copies a finished repro (directory) into samples/live-repro/<name> when MAPMORTEM_KEEP_REPRO names the samples dir. */
export async function keepSample(from: string, name: string): Promise<void> {
  const to = process.env['MAPMORTEM_KEEP_REPRO'];
  if (!to) return;
  const dest = path.join(to, name);
  await fsp.rm(dest, { recursive: true, force: true });
  await fsp.cp(from, dest, { recursive: true });
}
