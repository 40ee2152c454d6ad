// A crash loop: every line of a log is an mmap ENOMEM failure. Every hit must reach the JSON
// (listed examples plus the compact unlisted columns), with its line, time and captures.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanJson } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mapmortem-dense-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function crashLoop(n: number, every: number): { text: string; failing: number[] } {
  const out: string[] = [];
  const failing: number[] = [];
  for (let i = 1; i <= n; i++) {
    const ts = new Date(Date.UTC(2024, 4, 1, 0, 0, 0) + i * 1000).toISOString();
    if (i % every === 0) {
      failing.push(i);
      out.push(`level=error ts=${ts} caller=head.go:7 msg="mmap chunk" err="mmap, size ${30000 + (i % 7)}: cannot allocate memory"`);
    } else out.push(`level=info ts=${ts} caller=db.go:1 msg="compaction done" block=${i}`);
  }
  return { text: `${out.join('\n')}\n`, failing };
}

describe('dense failures', () => {
  it('keeps every hit of a log where every line fails: line, time and captures', async () => {
    const { text, failing } = crashLoop(3000, 1);
    writeFileSync(path.join(dir, 'ingester.log'), text);
    const { code, report } = await scanJson([path.join(dir, 'ingester.log'), '--jobs', '1']);
    expect(code).toBe(0);
    const inc = report.incidents[0];
    expect(inc.count).toBe(3000);
    expect(inc.findings).toHaveLength(200);
    expect(inc.omittedFindings).toBe(2800);
    const u = inc.unlisted;
    expect(u.line).toHaveLength(2800);
    const lines = [...inc.findings.map((f: { line: number }) => f.line), ...u.line].sort((a: number, b: number) => a - b);
    expect(lines).toEqual(failing);
    expect(u.files).toEqual([report.inputs[0].file]);
    const last = u.line.length - 1;
    expect(u.line[last]).toBe(3000);
    expect(u.time[last]).toBe(new Date(Date.UTC(2024, 4, 1, 0, 0, 0) + 3000 * 1000).toISOString());
    expect(u.captureSets[u.captures[last]].size).toBe(30000 + (3000 % 7));
    expect(inc.lastSeen).toBe(u.time[last]);
    expect(inc.firstSeen).toBe(inc.findings[0].time.iso);
  });

  it('lists or keeps compactly exactly the failing lines of a 10% failure log', async () => {
    const { text, failing } = crashLoop(5000, 10);
    writeFileSync(path.join(dir, 'ten.log'), text);
    const { report } = await scanJson([path.join(dir, 'ten.log'), '--jobs', '1']);
    const inc = report.incidents[0];
    const lines = [...inc.findings.map((f: { line: number }) => f.line), ...inc.unlisted.line].sort((a: number, b: number) => a - b);
    expect(lines).toEqual(failing);
    expect(report.stats.lines).toBe(5000);
  });

  it('merges the listing overflow and two files of compact hits into one file, line order', async () => {
    const sub = path.join(dir, 'two');
    mkdirSync(sub);
    writeFileSync(path.join(sub, 'a.log'), crashLoop(350, 1).text);
    writeFileSync(path.join(sub, 'b.log'), crashLoop(300, 1).text);
    const { report } = await scanJson([sub, '--jobs', '1']);
    const inc = report.incidents[0];
    const u = inc.unlisted;
    expect(inc.count).toBe(650);
    const rows = u.line.map((l: number, i: number) => `${u.files[u.file[i]]}:${String(l).padStart(4, '0')}`);
    expect(rows).toEqual([...rows].sort());
    const listed = inc.findings.map((f: { file: string; line: number }) => `${f.file}:${String(f.line).padStart(4, '0')}`);
    const all = [...listed, ...rows].sort();
    expect(new Set(all).size).toBe(650);
    expect(all.filter((r) => r.includes('a.log'))).toHaveLength(350);
    // a.log's first 200 findings are listed; past them every row, overflow or compact, is in the columns.
    expect(listed.every((r: string) => r.includes('a.log'))).toBe(true);
    expect(u.captureSets[u.captures[u.line.length - 1]].size).toBe(30000 + (300 % 7));
  });
});
