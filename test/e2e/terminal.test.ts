// What the on-call engineer sees in a terminal: a one-incident report on one screen, lines
// wrapped to the width, repeated failures grouped, -C context, --verbose, a many-host verdict
// with its incidents table, the nothing-read outcome and a quiet end when the reader goes away.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { REPO, runCli, scanJson } from '../helpers/cli.js';

const BIN = path.join(REPO, 'dist/src/cli/bin.js');

function widest(text: string): number {
  return Math.max(...text.split('\n').map((l) => [...l].length));
}

async function runTty(args: string[], columns: number): Promise<string> {
  let stdout = '';
  await main(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: () => {},
    cwd: REPO,
    env: { NO_COLOR: '1' },
    stdoutIsTTY: true,
    columns,
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  return stdout;
}

describe('text report', () => {
  it('one incident fits 30 lines of at most 100 columns, the summary once, failures grouped', async () => {
    const r = await runCli(['scan', 'samples/cortex-ingester-crashloop']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(widest(r.stdout)).toBeLessThanOrEqual(100);
    expect(lines[0]).toMatch(/^VERDICT: map-count-exhaustion — out of memory-map areas/);
    expect(r.stdout).toMatch(/8x tsdb-mmap-size-enomem, ingester\.log:56-250, every ~2 min/);
    expect(r.stdout.split('65,524 map areas against vm.max_map_count 65,530').length - 1).toBe(1);
    // the numbers carry their sources, the fix its command, and where it came from
    expect(r.stdout).toContain('[proc-1-maps.txt.gz, sysctl.txt:55]');
    expect(r.stdout).toContain('$ sudo sysctl -w vm.max_map_count=262144');
    expect(r.stdout).toMatch(/from +rule tsdb-mmap-size-enomem; evidence meminfo\.txt, proc-1-maps\.txt\.gz, sysctl\.txt/);
    expect(r.stdout).not.toContain('Decision trail');
  });

  it('shows the record’s first line (the log dir, partition or tenant) with a hit inside a stack trace', async () => {
    const r = await runCli(['scan', 'samples/kafka-broker-map-failed']);
    expect(r.stdout).toMatch(/ 120 \[2025-02-04 03:19:45,877\] ERROR Error while loading log dir/);
    expect(r.stdout).toMatch(/> 121 java\.io\.IOException: Map failed/);
  });

  it('wraps to the terminal width on a TTY, commands with shell continuations', async () => {
    const out = await runTty(['scan', 'samples/cortex-ingester-crashloop'], 80);
    expect(widest(out)).toBeLessThanOrEqual(80);
    expect(out).toMatch(/ \\\n +/);
    const wide = await runTty(['scan', 'samples/cortex-ingester-crashloop'], 160);
    expect(wide.trimEnd().split('\n').length).toBeLessThan(out.trimEnd().split('\n').length);
  });

  it('-C N shows N context lines around the example in text', async () => {
    const plain = await runCli(['scan', 'samples/cortex-ingester-crashloop']);
    const ctx = await runCli(['scan', 'samples/cortex-ingester-crashloop', '-C', '2']);
    expect(ctx.stdout).toMatch(/^ +54 /m);
    expect(ctx.stdout).toMatch(/^ +58 /m);
    expect(plain.stdout).not.toMatch(/^ +54 /m);
  });

  it('--verbose keeps the full detail: every finding, the decision trail, evidence, caveats', async () => {
    const r = await runCli(['scan', 'samples/cortex-ingester-crashloop', '--verbose']);
    expect(r.stdout).toContain('Decision trail');
    expect(r.stdout).toContain('Evidence used');
    expect(r.stdout).toContain('ingester.log:250');
    expect(widest(r.stdout)).toBeLessThanOrEqual(100);
  });

  it('a scan of many hosts says how many incidents of each cause and lists them by host', async () => {
    const r = await runCli(['scan', 'samples']);
    const first = r.stdout.split('\n\n')[0]!.replace(/\n/g, ' ');
    // The headline is the first incident's cause (high confidence, then most findings: docs/ARCHITECTURE.md);
    // the breakdown counts every cause, the commonest first.
    const head = /^VERDICT: ([a-z-]+) — 16 incidents: \d+ map-count-exhaustion, \d+ /.exec(first);
    expect(head, first).not.toBeNull();
    expect(r.stdout).toMatch(new RegExp(`^ +1 +\\S+ +.+? +${head![1]!} +high +\\d+$`, 'm'));
    expect(r.stdout).toMatch(/^ +# +host +system +cause +confidence +findings$/m);
    expect(r.stdout).toMatch(/^ +\d+ +cortex-ingester-crashloop +Cortex ingester +map-count-exhaustion +high +8$/m);
    expect(widest(r.stdout)).toBeLessThanOrEqual(100);
  });
});

describe('nothing read', () => {
  async function tmp(): Promise<string> {
    return mkdtemp(path.join(os.tmpdir(), 'mapmortem-nothing-'));
  }

  it('an empty directory is nothing-read, exit 3, also with --fail-on', async () => {
    const dir = await tmp();
    const r = await runCli(['scan', dir, '--fail-on', 'warning']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^VERDICT: nothing-read — nothing was read/);
    expect(r.stderr).toContain('nothing was read');
    const j = await scanJson([dir]);
    expect(j.code).toBe(3);
    expect(j.report.verdict).toBe('nothing-read');
  });

  it('an include glob that matches nothing, or only binary files, is nothing-read', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'server.log'), '[2024-05-01 12:00:00,123] INFO started (kafka.server.KafkaServer)\n');
    expect((await scanJson([dir, '--include', '**/*.nomatch'])).report.verdict).toBe('nothing-read');
    expect((await scanJson([dir])).report.verdict).toBe('none');
    const bin = await tmp();
    await mkdir(path.join(bin, 'x'));
    await writeFile(path.join(bin, 'x', 'core.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)));
    const j = await scanJson([bin]);
    expect(j.report.verdict).toBe('nothing-read');
    expect(j.code).toBe(3);
  });

  it('a path that does not exist stays a usage error (exit 2)', async () => {
    const r = await runCli(['scan', '/nonexistent/mapmortem-nothing']);
    expect(r.code).toBe(2);
  });
});

describe('a reader that goes away', () => {
  it('`| head` ends quietly with the run’s exit code, no EPIPE stack', async () => {
    // A report larger than a pipe's buffer (128 KiB of JSON), so the write after the reader left fails.
    const child = spawn(process.execPath, [BIN, 'scan', 'samples/kafka-broker-map-failed', '--format', 'json', '--quiet'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(0);
  });
});
