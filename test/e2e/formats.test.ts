import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSchemaValid, runCli } from '../helpers/cli.js';

describe('report formats from the CLI', () => {
  it('-o report.html writes one self-contained page that `report` turns back into the same data', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-html-'));
    const html = path.join(dir, 'report.html');
    const json = await runCli(['scan', 'samples/cortex-ingester-crashloop', '--format', 'json']);
    const w = await runCli(['scan', 'samples/cortex-ingester-crashloop', '-o', html]);
    expect(w.code).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('map-count-exhaustion');
    expect(page).not.toMatch(/(?:src|href)="https?:/);
    const back = await runCli(['report', html, '--format', 'json']);
    expect(back.code).toBe(0);
    expect(JSON.parse(back.stdout)).toEqual(JSON.parse(json.stdout));
    assertSchemaValid(JSON.parse(back.stdout));
  });

  it('--format md gives a Markdown ticket comment with the verdict and the fix', async () => {
    const r = await runCli(['scan', 'samples/cortex-ingester-crashloop', '--format', 'md']);
    expect(r.stdout).toMatch(/^## mapmortem verdict: `map-count-exhaustion`/);
    expect(r.stdout).toContain('```sh\nsudo sysctl -w vm.max_map_count=262144\n```');
    expect(r.stdout).not.toMatch(/<(?:div|span|table|br)\b/);
  });

  it('--redact replaces IP addresses in every format, consistently', async () => {
    const plain = await runCli(['scan', 'samples/overcommit-strict', '--format', 'json']);
    expect(plain.stdout).toContain('10.40.2.18');
    for (const format of ['json', 'md', 'text', 'html', 'ndjson']) {
      const r = await runCli(['scan', 'samples/overcommit-strict', '--format', format, '--redact']);
      expect(r.code).toBe(0);
      expect(r.stdout, format).not.toContain('10.40.2.18');
    }
    const red = JSON.parse((await runCli(['scan', 'samples/overcommit-strict', '--format', 'json', '--redact'])).stdout);
    assertSchemaValid(red);
    // The same address gets the same placeholder in every finding.
    const texts: string[] = red.incidents[0].findings.map((f: any) => f.text);
    const clients = new Set(texts.map((t) => /\(from (ip-\d+):\d+\)/.exec(t)?.[1]).filter(Boolean));
    expect(clients).toEqual(new Set(['ip-2']));
  });
});
