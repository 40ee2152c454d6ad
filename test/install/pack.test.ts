// The npm package as a user gets it: `npm pack`, `npm install -g` into a temporary prefix,
// then the installed `mapmortem` run from a directory outside the repository on a copy of a
// bundled sample. Needs the built dist/ (the test command builds it first) and the npm registry
// or npm's cache for the runtime dependencies.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The caller's environment without what `npm test` adds (npm_config_prefix would redirect the install). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|cache|userconfig|cafile|strict_ssl|proxy|https_proxy|noproxy)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || keep.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

interface PackInfo {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

let tmp = '';
let pack: PackInfo | undefined;
let bin = '';
let work = '';

beforeAll(async () => {
  if (!existsSync(path.join(REPO, 'dist', 'src', 'cli', 'bin.js'))) {
    throw new Error('dist/ is not built: run `npm run build` (npm test does it) before this test');
  }
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-pack-'));
  // dist/ is already built by the test command, so the prepare script is not run again.
  const packed = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: REPO, env: cleanEnv(), maxBuffer: 64 << 20 });
  pack = (JSON.parse(packed.stdout) as PackInfo[])[0];
  const prefix = path.join(tmp, 'prefix');
  await run(npm, ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, pack!.filename)], {
    cwd: tmp,
    env: cleanEnv(),
    maxBuffer: 64 << 20,
  });
  bin = path.join(prefix, 'bin', 'mapmortem');
  work = path.join(tmp, 'work');
  await cp(path.join(REPO, 'samples', 'cortex-ingester-crashloop'), path.join(work, 'cortex-ingester-crashloop'), { recursive: true });
}, 600_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function mapmortem(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(bin, args, { cwd: work, env: cleanEnv(), maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm pack, npm install -g, run outside the repository', { timeout: 300_000 }, () => {
  it('packs the built CLI, every rule and template, the sh capture script, and nothing of the development tree', () => {
    const files = pack!.files.map((f) => f.path).sort();
    expect(files).toContain('dist/src/cli/bin.js');
    expect(files).toContain('dist/src/pipeline/worker.js');
    expect(files).toContain('templates/report.hbs');
    expect(files).toContain('templates/report.css');
    expect(files).toContain('scripts/mapmortem-capture.sh');
    expect(files).toContain('schema/report.schema.json');
    expect(files).toContain('LICENSE');
    // Every rule file, and the linear-time proofs of the pack's patterns that the loader reads.
    const rules = readdirSync(path.join(REPO, 'rules')).filter((f) => /\.ya?ml$/.test(f) || f === 'linear-proofs.json');
    expect(files.filter((f) => f.startsWith('rules/'))).toEqual(rules.map((r) => `rules/${r}`).sort());
    const templates = readdirSync(path.join(REPO, 'templates'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.filter((f) => f.startsWith('templates/'))).toHaveLength(templates.length);
    const dev = files.filter((f) => /^(src|test|samples|corpus|bench|docs\/screenshot|dist\/(test|bench|scripts))\//.test(f) || f.endsWith('.ts') || f.endsWith('.map'));
    expect(dev).toEqual([]);
    expect(files.filter((f) => f.split('/').includes('..'))).toEqual([]);
  });

  it('installs without devDependencies and its bin runs: --version prints the package version', async () => {
    const installed = path.join(path.dirname(path.dirname(bin)), 'lib', 'node_modules', 'mapmortem');
    const pkg = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
    const deps = new Set(readdirSync(path.join(installed, 'node_modules')));
    expect(Object.keys(pkg.devDependencies).filter((d) => deps.has(d.split('/')[0]!))).toEqual([]);
    const r = await mapmortem(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('scans a copy of a bundled sample from a directory outside the repository with the verdict its README gives', async () => {
    const r = await mapmortem(['scan', 'cortex-ingester-crashloop']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').find((l) => l.startsWith('VERDICT:'))).toMatch(/^VERDICT: map-count-exhaustion\b/);
    const failing = await mapmortem(['scan', 'cortex-ingester-crashloop', '--fail-on', 'error', '--quiet']);
    expect(failing.code).toBe(1);
  });

  it("writes the HTML report from the packaged templates and runs the packaged rules' own samples", async () => {
    const r = await mapmortem(['scan', 'cortex-ingester-crashloop', '-o', 'report.html', '--quiet']);
    expect(r.code).toBe(0);
    const html = await readFile(path.join(work, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('map-count-exhaustion');
    const rules = await mapmortem(['rules', 'test']);
    expect(rules.code).toBe(0);
  });
});
