// The progress line: moves inside one big file (not only when a file ends), on one worker or
// several, one line per 5% off a terminal, redrawn in place with escape codes on one, never on
// stdout, and it fits the width it is given.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fmtEta, progressLine, progressPrinter } from '../../src/cli/progress.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mapmortem-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  // 24 MiB of Kafka log lines: 24 reads of 1 MiB, so progress has somewhere to move.
  const line = '[2024-05-01 12:00:02,000] INFO [Log partition=events-7, dir=/var/lib/kafka] Rolled new log segment (kafka.log.LocalLog)\n';
  const block = Buffer.from(line.repeat(Math.ceil((1 << 20) / line.length)));
  const parts: Buffer[] = [];
  for (let i = 0; i < 24; i++) parts.push(block);
  writeFileSync(join(dir, 'big.log'), Buffer.concat(parts));
  writeFileSync(join(dir, 'big2.log'), Buffer.concat(parts));
});

const lines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('scanning: '));
const bytesOf = (l: string): number => {
  const m = /files, ([\d.,]+) (B|KiB|MiB)/.exec(l);
  if (!m) return NaN;
  return Number(m[1]!.replace(/,/g, '')) * (m[2] === 'MiB' ? 1 << 20 : m[2] === 'KiB' ? 1024 : 1);
};

describe('scan --progress', () => {
  it('moves inside one big file: about one line per 5%, bytes growing while 0 files are done, nothing on stdout', async () => {
    const r = await runCli(['scan', join(dir, 'big.log'), '--progress', '--format', 'json']);
    expect(r.code).toBe(0);
    const got = lines(r.stderr);
    const inside = got.filter((l) => l.startsWith('scanning: 0/1 files'));
    expect(inside.length).toBeGreaterThanOrEqual(15);
    expect(got.length).toBeLessThanOrEqual(22);
    const sizes = inside.map(bytesOf);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
    expect(new Set(sizes).size).toBe(sizes.length);
    expect(got.at(-1)).toContain('(100%)');
    expect(r.stdout).not.toContain('scanning:');
    expect(JSON.parse(r.stdout).verdict).toBe('none');
  });

  it('moves inside big files scanned on worker threads too', async () => {
    const r = await runCli(['scan', join(dir, 'big.log'), join(dir, 'big2.log'), '--progress', '--jobs', '2']);
    const inside = lines(r.stderr).filter((l) => l.startsWith('scanning: 0/2 files'));
    expect(inside.length).toBeGreaterThanOrEqual(10);
    expect(inside.every((l) => /\(\d+%\)/.test(l))).toBe(true);
  });
});

describe('progress line', () => {
  const p = { filesDone: 3, filesTotal: 12, bytesDone: 400 << 20, bytesTotal: 1200 << 20, current: 'logs/ingester-7/ingester.log' };

  it('says files, bytes of the total, the rate and the ETA, and the file being read', () => {
    expect(progressLine(p, 10, 120)).toBe('scanning: 3/12 files, 400 MiB of 1.17 GiB (33%), 40.0 MiB/s, ETA 20s  logs/ingester-7/ingester.log');
  });

  it('cuts the file name from the left to fit the width', () => {
    const l = progressLine(p, 10, 90);
    expect(l.length).toBe(90);
    expect(l.endsWith('ETA 20s  …ster-7/ingester.log')).toBe(true);
    expect(progressLine(p, 10, 60)).toBe('scanning: 3/12 files, 400 MiB of 1.17 GiB (33%), 40.0 MiB/s');
    expect(progressLine(p, 10, 50)).toBe('scanning: 3/12 files, 400 MiB of 1.17 GiB (33%)');
  });

  it('writes minutes and hours', () => {
    expect([fmtEta(9.2), fmtEta(125), fmtEta(3720)]).toEqual(['10s', '2m05s', '1h02m']);
  });

  it('on a terminal redraws in place (cursor to column 0, erase) at most every 100 ms, and clears itself at the end', () => {
    let out = '';
    let t = 0;
    const pr = progressPrinter({ stderr: (s: string) => (out += s), columns: 100 } as never, true, () => t);
    pr.update(p);
    t = 50;
    pr.update({ ...p, bytesDone: p.bytesDone + 1 });
    t = 150;
    pr.update({ ...p, filesDone: 4 });
    pr.done();
    const frames = out.split('\u001b[1G\u001b[K');
    expect(frames).toEqual(['', expect.stringContaining('3/12 files'), expect.stringContaining('4/12 files'), '']);
  });

  it('never writes a control character of a file name', () => {
    let out = '';
    const pr = progressPrinter({ stderr: (s: string) => (out += s), columns: 100 } as never, false, () => 0);
    pr.update({ ...p, current: 'evil\u001b]0;pwned\u0007.log' });
    expect(out).toContain('evil?]0;pwned?.log');
  });
});
