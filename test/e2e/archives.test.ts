import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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

  it.each([
    ['tar.xz', ['cJf']],
    ['tar.bz2', ['cjf']],
    ['tar.zst', ['--zstd', '-cf']],
  ])('a bundle as .%s gives the verdict of the same bundle as a directory, members named inside it', async (ext, flags) => {
    const tool = ext === 'tar.zst' ? 'zstd' : ext === 'tar.xz' ? 'xz' : 'bzip2';
    if (spawnSync(tool, ['--help']).error) return;
    const archive = path.join(work, `support-bundle.${ext}`);
    execFileSync('tar', [...flags, archive, '-C', work, 'support-bundle']);
    const { code, report } = await scanJson([archive]);
    expect(code).toBe(0);
    expect(report.verdict).toBe('map-count-exhaustion');
    expect(report.incidents[0].findings[0].file).toBe(`${archive}!/support-bundle/logs/kafka/server.log`);
    const top = report.inputs.find((i: any) => i.file === archive);
    expect(top.sha256).toBe(
      createHash('sha256')
        .update(await readFile(archive))
        .digest('hex'),
    );
    expect(report.problems).toEqual([]);
  });

  it('a cut .xz log is scanned up to the cut and the problem names the file and the format', async () => {
    // The failure first, then lines that do not compress away (so half the xz holds the failure).
    const script = [
      'import lzma, hashlib, sys',
      'log = open(sys.argv[1], "rb").read() + b"".join(b"[2024-05-01 12:00:02,000] INFO segment %d %s\\n" % (i, hashlib.md5(b"%d" % i).hexdigest().encode()) for i in range(20000))',
      'd = lzma.compress(log)',
      'open(sys.argv[2], "wb").write(d[: len(d) // 2])',
    ].join('\n');
    execFileSync('python3', ['-c', script, path.join(bundle, 'logs', 'kafka', 'server.log'), path.join(work, 'cut.log.xz')]);
    const { report } = await scanJson([path.join(work, 'cut.log.xz')]);
    expect(report.verdict).toBe('unknown');
    const p = report.problems.find((q: any) => q.file === path.join(work, 'cut.log.xz'));
    expect(p.message).toMatch(/: xz stream ends early after \d+ decompressed bytes; what was read before the cut is scanned$/);
  });

  it('a tar.gz bomb stops at --max-archive-bytes with a problem, its hash still covers the file, and the run goes on', async () => {
    // 256 MiB of log-like text in one member (a few MiB as gzip), then a real log no cap lets us reach.
    const bomb = path.join(work, 'bomb.tar.gz');
    execFileSync('python3', [
      '-c',
      `import tarfile, io, gzip, sys
class Text(io.RawIOBase):
    def __init__(s, n): s.n = n
    def readable(s): return True
    def readinto(s, b):
        k = min(len(b), s.n); b[:k] = (b'INFO all is well\\n' * (len(b) // 17 + 1))[:k]; s.n -= k; return k
with gzip.open(sys.argv[1], 'wb', compresslevel=1) as g, tarfile.open(fileobj=g, mode='w|') as t:
    ti = tarfile.TarInfo('x/huge.log'); ti.size = 1 << 28; t.addfile(ti, io.BufferedReader(Text(1 << 28)))
    ti = tarfile.TarInfo('x/after.log'); d = b'late\\n'; ti.size = len(d); t.addfile(ti, io.BytesIO(d))`,
      bomb,
    ]);
    const other = path.join(work, 'beside-bomb.log');
    await writeFile(other, KAFKA_FAIL);
    const { code, report } = await scanJson([bomb, other, '--max-archive-bytes', String(8 << 20)]);
    expect(code).toBe(0);
    const cap = report.problems.find((p: any) => p.code === 'too-large' && p.file === bomb);
    expect(cap.message).toBe(
      `${bomb}: archive larger than ${8 << 20} bytes; only the first ${8 << 20} bytes were read (the cap was met in ${bomb}!/x/huge.log; later members were not read)`,
    );
    expect(report.inputs.some((i: any) => i.file === `${bomb}!/x/after.log`)).toBe(false);
    expect(report.inputs.find((i: any) => i.file === bomb).sha256).toBe(
      createHash('sha256')
        .update(await readFile(bomb))
        .digest('hex'),
    );
    expect(report.incidents[0].findings[0].file).toBe(other);
  });

  it('gives identical output with --jobs 1 and --jobs 2 over archives and directories', async () => {
    const args = ['scan', bundle, path.join(work, 'support-bundle.tgz'), path.join(work, 'support-bundle.zip'), '--format', 'json'];
    const one = await runCli([...args, '--jobs', '1']);
    const two = await runCli([...args, '--jobs', '2']);
    expect(two.stdout).toBe(one.stdout);
  });
});
