import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_LIMITS, detectArchive, readArchive, type ArchiveItem, type ArchiveLimits } from '../../src/io/archive.js';

const dir = mkdtempSync(join(tmpdir(), 'mapmortem-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Fixture builder: python3's tarfile/zipfile/gzip/lzma, run in `dir`. */
function py(script: string): void {
  execFileSync('python3', ['-c', script], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
}

const logLine = (i: number): string => `[2024-05-01 10:00:${String(i % 60).padStart(2, '0')},000] INFO line ${i} of the log (kafka.log.LocalLog)\n`;
const logText = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => logLine(from + i)).join('');

interface Got {
  members: Map<string, string>;
  order: string[];
  problems: { code: string; file: string; args: Record<string, string | number> }[];
}

async function collect(items: AsyncGenerator<ArchiveItem>): Promise<Got> {
  const got: Got = { members: new Map(), order: [], problems: [] };
  for await (const item of items) {
    if (item.type === 'member') {
      const parts: Buffer[] = [];
      for await (const c of item.member.chunks) parts.push(c);
      got.members.set(item.member.name, Buffer.concat(parts).toString('utf8'));
      got.order.push(item.member.name);
    } else {
      got.problems.push({ code: item.problem.code, file: item.problem.file, args: { ...item.problem.args } });
    }
  }
  return got;
}

const read = (name: string, limits: Partial<ArchiveLimits> = {}): Promise<Got> => collect(readArchive(join(dir, name), null, name, { ...DEFAULT_ARCHIVE_LIMITS, ...limits }));

const A = logText(50);
const B = logText(30_000, 1000);

beforeAll(() => {
  writeFileSync(join(dir, 'a.log'), A);
  writeFileSync(join(dir, 'b.log'), B);
  writeFileSync(join(dir, 'gz.log.gz'), gzipSync(Buffer.from('gzipped member line\n')));
  py(`
import tarfile, io, zipfile, lzma, os
def add(t, name, data, **kw):
    ti = tarfile.TarInfo(name); ti.size = len(data)
    for k, v in kw.items(): setattr(ti, k, v)
    t.addfile(ti, io.BytesIO(data))
A = open('a.log','rb').read(); B = open('b.log','rb').read(); G = open('gz.log.gz','rb').read()
with tarfile.open('bundle.tgz', 'w:gz') as t:
    d = tarfile.TarInfo('var/log/kafka'); d.type = tarfile.DIRTYPE; t.addfile(d)
    add(t, './var/log/kafka/server.log', A)
    s = tarfile.TarInfo('var/log/kafka/link.log'); s.type = tarfile.SYMTYPE; s.linkname = '/etc/passwd'; t.addfile(s)
    add(t, 'var/log/kafka/server.log.1.gz', G)
    add(t, '../../etc/passwd', b'root:x:0:0 evil\\n')
    add(t, '/abs/path.log', b'absolute member\\n')
    add(t, 'deep/' + 'x' * 120 + '/long-name.log', b'long name member\\n')
with tarfile.open('plain.tar', 'w', format=tarfile.GNU_FORMAT) as t:
    add(t, 'one.log', A); add(t, 'two.log', B)
with tarfile.open('big.tgz', 'w:gz') as t:
    add(t, 'first.log', A); add(t, 'second.log', B); add(t, 'third.log', A)
with tarfile.open('inner.tgz', 'w:gz') as t:
    add(t, 'x.log', A)
with zipfile.ZipFile('outer.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('README.txt', 'support bundle\\n')
    z.write('inner.tgz', 'attachments/inner.tgz')
    z.writestr('logs/', '')
with zipfile.ZipFile('bomb.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('a.log', A)
    with z.open('bomb.log', 'w', force_zip64=True) as w:
        chunk = b'\\0' * (1 << 20)
        for _ in range(64): w.write(chunk)
    z.writestr('c.log', A)
with zipfile.ZipFile('level2.zip', 'w') as z:
    z.write('outer.zip', 'nested/outer.zip')
with tarfile.open('many.tar', 'w') as t:
    for i in range(5): add(t, f'm{i}.log', b'x\\n')
with tarfile.open('xz.tar', 'w') as t:
    add(t, 'app.log.xz', lzma.compress(A.encode() if isinstance(A, str) else A))
    add(t, 'after.log', b'after\\n')
with zipfile.ZipFile('names.zip', 'w') as z:
    z.writestr('../../etc/passwd', 'zip evil\\n')
    z.writestr('/var/log/abs.log', 'zip absolute\\n')
`);
});

describe('detectArchive', () => {
  it('tells tar, tar.gz and zip apart by magic, and plain or gzipped logs are not archives', () => {
    const head = (n: string): Buffer => readFileSync(join(dir, n)).subarray(0, 4096);
    expect(detectArchive(head('bundle.tgz'), 'x')).toBe('tar.gz');
    expect(detectArchive(head('plain.tar'), 'x')).toBe('tar');
    expect(detectArchive(head('outer.zip'), 'x')).toBe('zip');
    expect(detectArchive(head('a.log'), 'a.tar')).toBeNull();
    expect(detectArchive(head('gz.log.gz'), 'gz.log.gz')).toBeNull();
    expect(detectArchive(Buffer.alloc(0), 'empty.zip')).toBeNull();
  });
});

describe('readArchive tar', () => {
  it('streams a .tgz: names, contents, gunzipped .gz members; skips directories and symlinks', async () => {
    const before = readdirSync(dir).sort();
    const got = await read('bundle.tgz');
    expect(got.order).toEqual([
      'bundle.tgz!/var/log/kafka/server.log',
      'bundle.tgz!/var/log/kafka/server.log.1.gz',
      'bundle.tgz!/../../etc/passwd',
      'bundle.tgz!/abs/path.log',
      `bundle.tgz!/deep/${'x'.repeat(120)}/long-name.log`,
    ]);
    expect(got.members.get('bundle.tgz!/var/log/kafka/server.log')).toBe(A);
    expect(got.members.get('bundle.tgz!/var/log/kafka/server.log.1.gz')).toBe('gzipped member line\n');
    expect(got.members.get('bundle.tgz!/../../etc/passwd')).toBe('root:x:0:0 evil\n');
    expect(got.problems).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync('/etc/passwd', 'utf8')).not.toContain('evil');
  });

  it('reads a plain GNU tar and the same tar from a stream', async () => {
    const fromFile = await read('plain.tar');
    expect(fromFile.order).toEqual(['plain.tar!/one.log', 'plain.tar!/two.log']);
    expect(fromFile.members.get('plain.tar!/two.log')).toBe(B);
    const fromStream = await collect(readArchive(null, createReadStream(join(dir, 'big.tgz')), '-', DEFAULT_ARCHIVE_LIMITS));
    expect(fromStream.order).toEqual(['-!/first.log', '-!/second.log', '-!/third.log']);
    expect(fromStream.members.get('-!/second.log')).toBe(B);
    expect(fromStream.problems).toEqual([]);
  });

  it('a truncated .tgz keeps the members before the cut and names the member that broke', async () => {
    const whole = readFileSync(join(dir, 'big.tgz'));
    writeFileSync(join(dir, 'cut.tgz'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    const got = await read('cut.tgz');
    expect(got.order).toEqual(['cut.tgz!/first.log', 'cut.tgz!/second.log']);
    expect(got.members.get('cut.tgz!/first.log')).toBe(A);
    const partial = got.members.get('cut.tgz!/second.log') ?? '';
    expect(partial.length).toBeGreaterThan(1000);
    expect(B.startsWith(partial)).toBe(true);
    expect(got.problems).toHaveLength(1);
    expect(got.problems[0]).toMatchObject({ code: 'truncated-gzip', file: 'cut.tgz!/second.log', args: { bytes: partial.length, archive: 'cut.tgz' } });
  });

  it('a truncated plain tar names the member that broke', async () => {
    const whole = readFileSync(join(dir, 'plain.tar'));
    writeFileSync(join(dir, 'cut.tar'), whole);
    truncateSync(join(dir, 'cut.tar'), 512 * 3 + 8192);
    const got = await read('cut.tar');
    expect(got.order).toEqual(['cut.tar!/one.log', 'cut.tar!/two.log']);
    expect(got.members.get('cut.tar!/one.log')).toBe(A);
    expect(got.problems).toHaveLength(1);
    expect(got.problems[0]?.code).toBe('archive-broken');
    expect(got.problems[0]?.file).toBe('cut.tar!/two.log');
    expect(String(got.problems[0]?.args.reason)).toMatch(new RegExp(`after 5120 of ${B.length} bytes`));
  });

  it('a member left undrained is skipped, and the next member is intact', async () => {
    const names: string[] = [];
    let third = '';
    for await (const item of readArchive(join(dir, 'big.tgz'), null, 'big.tgz', DEFAULT_ARCHIVE_LIMITS)) {
      if (item.type !== 'member') continue;
      names.push(item.member.name);
      if (item.member.name.endsWith('second.log')) {
        for await (const c of item.member.chunks) {
          expect(c.length).toBeGreaterThan(0);
          break;
        }
      }
      if (item.member.name.endsWith('third.log')) for await (const c of item.member.chunks) third += c.toString();
    }
    expect(names).toEqual(['big.tgz!/first.log', 'big.tgz!/second.log', 'big.tgz!/third.log']);
    expect(third).toBe(A);
  });

  it('caps the member count', async () => {
    const got = await read('many.tar', { maxMembers: 3 });
    expect(got.order).toEqual(['many.tar!/m0.log', 'many.tar!/m1.log', 'many.tar!/m2.log']);
    expect(got.problems).toEqual([{ code: 'too-large', file: 'many.tar', args: { what: 'archive members', limit: 3 } }]);
  });

  it('stops pulling the tar data once --max-archive-bytes is met inside a member (a bomb is not decompressed to skip it)', async () => {
    // A 1 GiB member made on the fly; counted as the reader pulls it.
    const header = Buffer.alloc(512);
    header.write('huge.log', 0);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write((1 << 30).toString(8).padStart(11, '0') + '\0', 124);
    header.write('00000000000\0', 136);
    header.write('0', 156);
    header.write('ustar\x0000', 257);
    header.write('        ', 148);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    let pulled = 0;
    const body = Buffer.alloc(1 << 20, 0x61);
    const tar = Readable.from(
      (function* () {
        yield header;
        for (let i = 0; i < 1024; i++) {
          pulled += body.length;
          yield body;
        }
      })(),
      { objectMode: false },
    );
    const got = await collect(readArchive(null, tar, 'bomb.tar', { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 4 << 20 }));
    expect(got.problems).toEqual([{ code: 'too-large', file: 'bomb.tar', args: { what: 'archive', limit: 4 << 20, member: 'bomb.tar!/huge.log', read: 4 << 20 } }]);
    expect(pulled).toBeLessThan(64 << 20);
  });

  it('reads an xz member decompressed, and the member after it', async () => {
    const got = await read('xz.tar');
    expect(got.order).toEqual(['xz.tar!/app.log.xz', 'xz.tar!/after.log']);
    expect(got.members.get('xz.tar!/app.log.xz')).toBe(A);
    expect(got.problems).toEqual([]);
  });
});

describe('readArchive zip', () => {
  it('opens a .tgz inside a .zip one level deep', async () => {
    const got = await read('outer.zip');
    expect(got.order).toEqual(['outer.zip!/README.txt', 'outer.zip!/attachments/inner.tgz!/x.log']);
    expect(got.members.get('outer.zip!/attachments/inner.tgz!/x.log')).toBe(A);
    expect(got.problems).toEqual([]);
  });

  it('does not open an archive two levels deep', async () => {
    const got = await read('level2.zip');
    expect(got.order).toEqual(['level2.zip!/nested/outer.zip!/README.txt']);
    expect(got.problems).toEqual([
      {
        code: 'not-a-file',
        file: 'level2.zip!/nested/outer.zip!/attachments/inner.tgz',
        args: { kind: 'archive nested more than 1 level(s) deep' },
      },
    ]);
  });

  it('a zip bomb ends as a too-large problem; the run goes on with the next archive', async () => {
    expect(statSync(join(dir, 'bomb.zip')).size).toBeLessThan(1 << 20);
    const got = await read('bomb.zip', { maxTotalBytes: 4 << 20 });
    expect(got.order).toEqual(['bomb.zip!/a.log', 'bomb.zip!/bomb.log']);
    expect(got.members.get('bomb.zip!/bomb.log')?.length).toBe((4 << 20) - A.length);
    expect(got.problems).toEqual([{ code: 'too-large', file: 'bomb.zip', args: { what: 'archive', limit: 4 << 20, member: 'bomb.zip!/bomb.log', read: 4 << 20 } }]);
    const next = await read('outer.zip', { maxTotalBytes: 4 << 20 });
    expect(next.order).toHaveLength(2);
  });

  it('keeps ../ and absolute zip member names as display names only', async () => {
    const got = await read('names.zip');
    expect(got.order).toEqual(['names.zip!/../../etc/passwd', 'names.zip!/var/log/abs.log']);
    expect(got.members.get('names.zip!/../../etc/passwd')).toBe('zip evil\n');
    expect(got.problems).toEqual([]);
  });

  it('a corrupt zip is a problem, not an exception', async () => {
    const whole = readFileSync(join(dir, 'outer.zip'));
    writeFileSync(join(dir, 'broken.zip'), whole.subarray(0, whole.length - 30));
    const got = await read('broken.zip');
    expect(got.order).toEqual([]);
    expect(got.problems).toHaveLength(1);
    expect(got.problems[0]).toMatchObject({ code: 'unreadable', file: 'broken.zip' });
  });

  it('reads a zip from a stream (held in memory)', async () => {
    const got = await collect(readArchive(null, createReadStream(join(dir, 'outer.zip')), '-', DEFAULT_ARCHIVE_LIMITS));
    expect(got.order).toEqual(['-!/README.txt', '-!/attachments/inner.tgz!/x.log']);
  });

  it('a plain log is not an archive', async () => {
    const got = await read('a.log');
    expect(got.order).toEqual([]);
    expect(got.problems).toEqual([{ code: 'unreadable', file: 'a.log', args: { reason: 'not a tar, tar.gz or zip archive' } }]);
  });
});
