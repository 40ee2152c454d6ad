import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, scanJson } from '../helpers/cli.js';

const KAFKA_FAIL = [
  '[2024-05-01 12:00:01,456] ERROR Error while loading log dir /var/lib/kafka/data (kafka.log.LogManager)',
  'java.io.IOException: Map failed',
  '\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:1016)',
  'Caused by: java.lang.OutOfMemoryError: Map failed',
  '\tat sun.nio.ch.FileChannelImpl.map0(Native Method)',
  '',
].join('\n');

function mapsLines(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const start = 0x7f0000000000n + BigInt(i) * 0x2000n;
    out.push(`${start.toString(16)}-${(start + 0x1000n).toString(16)} ${i % 2 ? 'r--p' : 'rw-p'} 00000000 00:00 0 `);
  }
  return `${out.join('\n')}\n`;
}

let work = '';
let bundle = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-arch-'));
  bundle = path.join(work, 'support-bundle');
  await mkdir(path.join(bundle, 'logs', 'kafka'), { recursive: true });
  await mkdir(path.join(bundle, 'proc', '4242'), { recursive: true });
  await mkdir(path.join(bundle, 'proc', 'sys', 'vm'), { recursive: true });
  await writeFile(path.join(bundle, 'logs', 'kafka', 'server.log'), KAFKA_FAIL);
  await writeFile(path.join(bundle, 'proc', '4242', 'maps'), mapsLines(65530));
  await writeFile(path.join(bundle, 'proc', 'sys', 'vm', 'max_map_count'), '65530\n');
  execFileSync('tar', ['czf', path.join(work, 'support-bundle.tgz'), '-C', work, 'support-bundle']);
  execFileSync('python3', [
    '-c',
    `import zipfile,os
z=zipfile.ZipFile(${JSON.stringify(path.join(work, 'support-bundle.zip'))},'w',zipfile.ZIP_DEFLATED)
root=${JSON.stringify(work)}
for d,_,fs in os.walk(os.path.join(root,'support-bundle')):
  for f in fs:
    p=os.path.join(d,f); z.write(p, os.path.relpath(p, root))
z.close()`,
  ]);
});

function essentials(r: any) {
  return r.incidents.map((i: any) => ({ cause: i.cause, confidence: i.confidence, count: i.count, trail: i.trail.map((t: any) => t.fact) }));
}

describe('archives', () => {
  it('a support bundle gives the same verdict as a directory, a .tgz and a .zip', async () => {
    const dir = await scanJson([bundle]);
    expect(dir.report.verdict).toBe('map-count-exhaustion');
    expect(dir.report.incidents[0].confidence).toBe('high');
    const tgz = await scanJson([path.join(work, 'support-bundle.tgz')]);
    const zip = await scanJson([path.join(work, 'support-bundle.zip')]);
    expect(essentials(tgz.report)).toEqual(essentials(dir.report));
    expect(essentials(zip.report)).toEqual(essentials(dir.report));
    const f = tgz.report.incidents[0].findings[0];
    expect(f.file).toBe(`${path.join(work, 'support-bundle.tgz')}!/support-bundle/logs/kafka/server.log`);
    expect(f.line).toBe(2);
  });

  it('reads a .tgz attached inside a .zip, and an archive on stdin', async () => {
    execFileSync('python3', [
      '-c',
      `import zipfile
z=zipfile.ZipFile(${JSON.stringify(path.join(work, 'ticket.zip'))},'w'); z.write(${JSON.stringify(path.join(work, 'support-bundle.tgz'))}, 'attachments/support-bundle.tgz'); z.close()`,
    ]);
    const nested = await scanJson([path.join(work, 'ticket.zip')]);
    expect(nested.report.verdict).toBe('map-count-exhaustion');
    expect(nested.report.incidents[0].findings[0].file).toContain('ticket.zip!/attachments/support-bundle.tgz!/support-bundle/logs/kafka/server.log');
    const tar = execFileSync('tar', ['cf', '-', '-C', work, 'support-bundle'], { maxBuffer: 64 * 1024 * 1024 });
    const { report } = await scanJson(['-'], { stdin: tar });
    expect(report.inputs.some((i: any) => i.file === '-!/support-bundle/logs/kafka/server.log')).toBe(true);
  });

  it('a zip bomb ends as a reported problem and the rest of the run goes on', async () => {
    execFileSync('python3', [
      '-c',
      `import zipfile
z=zipfile.ZipFile(${JSON.stringify(path.join(work, 'bomb.zip'))},'w',zipfile.ZIP_DEFLATED)
z.writestr('aaaa.log', b'a'*(64*1024*1024)); z.close()`,
    ]);
    const other = path.join(work, 'other.log');
    await writeFile(other, KAFKA_FAIL);
    const { code, report } = await scanJson([path.join(work, 'bomb.zip'), other, '--max-archive-bytes', String(8 * 1024 * 1024)]);
    expect(code).toBe(0);
    expect(report.problems.some((p: any) => p.code === 'too-large' && p.file.endsWith('bomb.zip'))).toBe(true);
    expect(report.incidents[0].findings[0].file).toBe(other);
  });

  it('a truncated .tgz reports the member that broke and keeps what was read before it', async () => {
    const dir = path.join(work, 'cut');
    await mkdir(path.join(dir, 'b'), { recursive: true });
    await writeFile(path.join(dir, 'b', 'a-first.log'), KAFKA_FAIL);
    const big = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = 97 + (((i * 2654435761) >>> 27) % 26);
    await writeFile(path.join(dir, 'b', 'z-second.log'), big);
    const tgz = path.join(work, 'cut.tgz');
    execFileSync('tar', ['czf', tgz, '-C', dir, 'b/a-first.log', 'b/z-second.log']);
    const size = (await readFile(tgz)).length;
    await truncate(tgz, Math.floor(size / 2));
    const { report } = await scanJson([tgz]);
    expect(report.verdict).toBe('unknown');
    expect(report.incidents[0].findings[0].file).toBe(`${tgz}!/b/a-first.log`);
    const broken = report.problems.find((p: any) => p.code === 'archive-broken');
    expect(broken.file).toBe(`${tgz}!/b/z-second.log`);
    expect(broken.message).toContain('what was read before the break is in this report');
  });

  it('zstd and xz files are reported with the command to decompress them', async () => {
    await writeFile(path.join(work, 'rot.log.zst'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]));
    await writeFile(path.join(work, 'rot.log.xz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0]));
    const { report } = await scanJson([path.join(work, 'rot.log.zst'), path.join(work, 'rot.log.xz')]);
    const msgs = report.problems.map((p: any) => p.message).join('\n');
    expect(msgs).toContain('zstd -d');
    expect(msgs).toContain('xz -d');
  });

  it('gives identical output with --jobs 1 and --jobs 2 over archives and directories', async () => {
    const args = ['scan', bundle, path.join(work, 'support-bundle.tgz'), path.join(work, 'support-bundle.zip'), '--format', 'json'];
    const one = await runCli([...args, '--jobs', '1']);
    const two = await runCli([...args, '--jobs', '2']);
    expect(two.stdout).toBe(one.stdout);
  });
});
