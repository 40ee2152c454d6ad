// One big log split by byte range across workers gives the report a single pass gives: line
// numbers, records whose stack traces sit where a split was aimed, context lines, the examples cap
// counted over the whole file, wrapped (CRI) lines; a file the parts cannot place exactly (a line
// over the line cap) is scanned whole. Splits are forced on small files with splitMinBytes.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileSource, Report } from '../../src/core/index.js';
import { startPool, type Pool } from '../../src/pipeline/pool.js';
import { runScan, scanSource } from '../../src/pipeline/scan.js';
import { scanSplit } from '../../src/pipeline/split.js';
import { buildPrefilter } from '../../src/rules/compile.js';
import { loadRules, NOW } from '../render/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mapmortem-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ts = (i: number): Date => new Date(Date.UTC(2024, 4, 1, 0, 0, 0) + i * 1000);

/** A Kafka broker log: INFO lines and Map failed errors with stack traces of 5 to 80 frames. */
function kafka(records: number): string {
  const out: string[] = [];
  for (let i = 1; i <= records; i++) {
    const t = ts(i).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
    if (i % 7 === 0) {
      out.push(`[${t}] ERROR Error while loading log dir /var/lib/kafka/data (kafka.log.LogManager)`);
      out.push('java.io.IOException: Map failed');
      const frames = 5 + ((i * 37) % 76);
      for (let f = 0; f < frames; f++) out.push(`\tat sun.nio.ch.FileChannelImpl.map${f}(FileChannelImpl.java:${900 + f})`);
      out.push('Caused by: java.lang.OutOfMemoryError: Map failed');
      out.push('\tat sun.nio.ch.FileChannelImpl.map0(Native Method)');
      out.push('\t... 12 more');
    } else out.push(`[${t}] INFO [Log partition=orders-${i % 50}, dir=/var/lib/kafka/data] Loading producer state (kafka.log.Log)`);
  }
  return `${out.join('\n')}\n`;
}

/** A crash-looping ingester: every line an mmap ENOMEM failure, so every rule passes its examples cap. */
function crashLoop(lines: number): string {
  const out: string[] = [];
  for (let i = 1; i <= lines; i++) {
    out.push(`level=error ts=${ts(i).toISOString()} caller=head.go:7 msg="mmap chunk" err="mmap, size ${30000 + (i % 7)}: cannot allocate memory"`);
  }
  return `${out.join('\n')}\n`;
}

/** Sparse failures, then a crash loop: a rule reaches its examples cap inside a later part. */
function ramp(lines: number): string {
  const out: string[] = [];
  for (let i = 1; i <= lines; i++) {
    const t = ts(i).toISOString();
    if (i > lines / 2 || i % 97 === 0) out.push(`level=error ts=${t} caller=head.go:7 msg="mmap chunk" err="mmap, size ${30000 + (i % 7)}: cannot allocate memory"`);
    else out.push(`level=info ts=${t} caller=db.go:1 msg="compaction done" block=${i}`);
  }
  return `${out.join('\n')}\n`;
}

/** A container log in CRI format, some entries cut into partial (P) fragments. */
function cri(lines: number): string {
  const out: string[] = [];
  for (let i = 1; i <= lines; i++) {
    const t = ts(i).toISOString().replace('Z', '000000Z');
    if (i % 5 === 0) {
      out.push(`${t} stderr P level=error ts=${ts(i).toISOString()} msg="mmap chunk" err="mmap, size ${31301 + (i % 3)}: `);
      out.push(`${t} stderr F cannot allocate memory"`);
    } else out.push(`${t} stdout F level=info ts=${ts(i).toISOString()} msg="series appended" n=${i}`);
  }
  return `${out.join('\n')}\n`;
}

async function report(file: string, jobs: number, context = 0, maxLineBytes = 1024 * 1024): Promise<Report> {
  return runScan({
    paths: [file],
    cwd: dir,
    include: [],
    exclude: [],
    rules: await loadRules(),
    context,
    maxLineBytes,
    now: NOW,
    version: '0.0.0-test',
    jobs,
    splitMinBytes: 1,
  });
}

function source(file: string): FileSource {
  return { kind: 'file', absPath: file, display: path.basename(file), scope: '', root: '', unit: '', size: statSync(file).size, id: file };
}

describe('one file split by byte range across workers', () => {
  const files: Record<string, string> = {};
  beforeAll(() => {
    const write = (name: string, text: string): void => {
      files[name] = path.join(dir, name);
      writeFileSync(files[name]!, text);
    };
    write('kafka.log', kafka(12000));
    write('crashloop.log', crashLoop(30000));
    write('cri.log', cri(20000));
    write('ramp.log', ramp(24000));
  });

  for (const name of ['kafka.log', 'crashloop.log', 'cri.log', 'ramp.log']) {
    it(`${name}: 2 and 3 parts give the single pass's report`, async () => {
      const one = await report(files[name]!, 1);
      expect(one.incidents.length).toBeGreaterThan(0);
      expect(one.stats.findings).toBeGreaterThan(200);
      for (const jobs of [2, 3]) expect(JSON.stringify(await report(files[name]!, jobs))).toBe(JSON.stringify(one));
    });
  }

  it('context lines beyond the look-behind (-C 100) cross a split as in one pass', async () => {
    const one = await report(files['kafka.log']!, 1, 100);
    expect(JSON.stringify(await report(files['kafka.log']!, 2, 100))).toBe(JSON.stringify(one));
  });

  it('really splits: each part on its own worker, joined into the single-pass outcome', async () => {
    const rules = await loadRules();
    const opts = { rules, context: 3, maxLineBytes: 1024 * 1024 };
    const pool: Pool | undefined = await startPool(3, opts);
    expect(pool).toBeDefined();
    try {
      for (const name of ['kafka.log', 'crashloop.log', 'cri.log', 'ramp.log']) {
        const src = source(files[name]!);
        const split = await scanSplit(src, pool!, opts);
        expect(split).toBeDefined();
        const [whole] = await scanSource(src, opts, buildPrefilter(rules));
        expect(split).toEqual(whole);
        expect(split!.info.lines).toBe(whole!.info.lines);
      }
    } finally {
      await pool!.close();
    }
  });

  it('leaves a compressed log, and a file whose size changed since it was listed, to a single pass', async () => {
    const rules = await loadRules();
    const opts = { rules, context: 0, maxLineBytes: 1024 * 1024 };
    const gz = path.join(dir, 'kafka.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(files['kafka.log']!)));
    const pool = await startPool(2, opts);
    try {
      expect(await scanSplit(source(files['kafka.log']!), pool!, opts)).toBeDefined();
      expect(await scanSplit(source(gz), pool!, opts)).toBeUndefined();
      const grown = source(files['kafka.log']!);
      expect(await scanSplit({ ...grown, size: grown.size + 4096 }, pool!, opts)).toBeUndefined();
    } finally {
      await pool!.close();
    }
  });

  it('a line over the line cap sends the file to a single pass, with the same report', async () => {
    const file = path.join(dir, 'giant.log');
    const text = crashLoop(4000);
    const half = text.indexOf('\n', text.length >> 1) + 1;
    writeFileSync(file, `${text.slice(0, half)}level=info msg="${'x'.repeat(300_000)} mmap failed: cannot allocate memory"\n${text.slice(half)}`);
    const rules = await loadRules();
    const opts = { rules, context: 0, maxLineBytes: 128 * 1024 };
    const pool = await startPool(2, opts);
    try {
      expect(await scanSplit(source(file), pool!, opts)).toBeUndefined();
    } finally {
      await pool!.close();
    }
    const one = await report(file, 1, 0, 128 * 1024);
    expect(one.problems.some((p) => p.code === 'line-too-long')).toBe(true);
    expect(JSON.stringify(await report(file, 2, 0, 128 * 1024))).toBe(JSON.stringify(one));
  });
});
