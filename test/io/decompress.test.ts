// zstd, xz and bzip2 inputs: decoded to the same bytes as the plain file, hashed as stored, and a
// cut, corrupt or bomb-like stream ends as a problem with what was read before it kept.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFile, type OpenedInput } from '../../src/io/open.js';

const dir = mkdtempSync(join(tmpdir(), 'mapmortem-decompress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const hasZstd = spawnSync('zstd', ['--version']).status === 0;

async function drain(input: OpenedInput): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of input.chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** ~3 MiB of log lines that vary (several zstd blocks, bzip2 blocks and xz chunks). */
function logText(lines: number): Buffer {
  const out: string[] = [];
  for (let i = 1; i <= lines; i++) out.push(`[2024-01-01 00:00:00,000] INFO Rolled segment ${i} ${createHash('md5').update(String(i)).digest('hex')} (kafka.log.LocalLog)`);
  return Buffer.from(out.join('\n') + '\n');
}

const text = logText(30_000);
const stored: Record<string, Buffer> = {};

beforeAll(() => {
  writeFileSync(join(dir, 'plain.log'), text);
  // Python's lzma and bz2 write real xz and bzip2 (the second bzip2 is two streams, as pbzip2 writes).
  execFileSync('python3', [
    '-c',
    `import lzma, bz2, sys
d = open(sys.argv[1] + '/plain.log', 'rb').read()
open(sys.argv[1] + '/x.log.xz', 'wb').write(lzma.compress(d))
open(sys.argv[1] + '/x.log.bz2', 'wb').write(bz2.compress(d))
h = len(d) // 2
open(sys.argv[1] + '/two.log.bz2', 'wb').write(bz2.compress(d[:h]) + bz2.compress(d[h:]))
open(sys.argv[1] + '/two.log.xz', 'wb').write(lzma.compress(d[:h]) + bytes(4) + lzma.compress(d[h:]))
open(sys.argv[1] + '/tail.log.xz', 'wb').write(lzma.compress(d[:h]) + b'not an xz stream')
open(sys.argv[1] + '/bomb.bz2', 'wb').write(bz2.compress(b'a' * (8 << 20)) * 16)`,
    dir,
  ]);
  stored['xz'] = readFileSync(join(dir, 'x.log.xz'));
  stored['bzip2'] = readFileSync(join(dir, 'x.log.bz2'));
  if (hasZstd) {
    execFileSync('zstd', ['-q', '-f', '-o', join(dir, 'x.log.zst'), join(dir, 'plain.log')]);
    stored['zstd'] = readFileSync(join(dir, 'x.log.zst'));
    const head = join(dir, 'head.log');
    writeFileSync(head, text.subarray(0, 1000));
    execFileSync('sh', ['-c', `zstd -q -c "$1" > "$3" && zstd -q -c "$2" >> "$3"`, 'sh', head, join(dir, 'plain.log'), join(dir, 'two.log.zst')]);
    execFileSync('sh', ['-c', `head -c 134217728 /dev/zero | zstd -q -c > "$1"`, 'sh', join(dir, 'bomb.zst')]);
  }
}, 120_000);

const kinds = ['xz', 'bzip2', 'zstd'] as const;
const file = (kind: (typeof kinds)[number]): string => join(dir, kind === 'zstd' ? 'x.log.zst' : kind === 'xz' ? 'x.log.xz' : 'x.log.bz2');

describe('openFile reads zstd, xz and bzip2', () => {
  it.each(kinds)('%s: the bytes of the plain file, the sha256 of the stored file', async (kind) => {
    if (kind === 'zstd' && !hasZstd) return;
    const input = openFile(file(kind), 'x.log');
    const got = await drain(input);
    expect(got.equals(text)).toBe(true);
    const raw = stored[kind] as Buffer;
    expect(input.result()).toEqual({ rawBytes: raw.length, bytes: text.length, sha256: sha(raw), compressed: kind, problems: [] });
  });

  it.each(['two.log.bz2', 'two.log.zst', 'two.log.xz'])('%s: concatenated streams (xz: with stream padding between) are read to the end', async (name) => {
    if (name.endsWith('.zst') && !hasZstd) return;
    const input = openFile(join(dir, name), name);
    const got = await drain(input);
    const want = name.endsWith('.zst') ? Buffer.concat([text.subarray(0, 1000), text]) : text;
    expect(got.length).toBe(want.length);
    expect(got.equals(want)).toBe(true);
    expect(input.result().problems).toEqual([]);
  });

  it('xz followed by bytes that are not a stream: the stream is kept whole, the rest is a corrupt-data problem', async () => {
    const input = openFile(join(dir, 'tail.log.xz'), 'tail.log.xz');
    const got = await drain(input);
    expect(got.equals(text.subarray(0, Math.floor(text.length / 2)))).toBe(true);
    expect(input.result().problems).toMatchObject([{ code: 'corrupt-gzip', args: { format: 'xz' } }]);
  });

  it.each(kinds)('%s cut in half: the problem says where it ends, what came before is kept, the hash covers the cut file', async (kind) => {
    if (kind === 'zstd' && !hasZstd) return;
    const raw = stored[kind] as Buffer;
    const cut = raw.subarray(0, Math.floor(raw.length / 2));
    const p = join(dir, `cut.${kind}`);
    writeFileSync(p, cut);
    const input = openFile(p, `cut.${kind}`);
    const got = await drain(input);
    expect(text.subarray(0, got.length).equals(got)).toBe(true);
    const r = input.result();
    expect(r.sha256).toBe(sha(cut));
    expect(r.problems).toEqual([{ code: 'truncated-gzip', file: `cut.${kind}`, args: { format: kind, bytes: got.length } }]);
  });

  it.each([
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00], 'truncated-gzip'],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'corrupt-gzip'],
    ['bzip2', [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41], 'corrupt-gzip'],
  ])('%s magic followed by garbage: a problem naming the format, nothing delivered, all of it hashed', async (kind, magic, code) => {
    const data = Buffer.concat([Buffer.from(magic), Buffer.alloc(5000, 7)]);
    const p = join(dir, `garbage.${kind}`);
    writeFileSync(p, data);
    const input = openFile(p, 'x.log');
    expect((await drain(input)).length).toBe(0);
    const r = input.result();
    expect(r.rawBytes).toBe(data.length);
    expect(r.sha256).toBe(sha(data));
    expect(r.problems.map((q) => [q.code, q.args['format']])).toEqual([[code, kind]]);
  });

  it.each(['bomb.bz2', 'bomb.zst'])('%s (128 MiB from a few KiB) stops after a bounded burst with a decompression-bomb problem', async (name) => {
    if (name.endsWith('.zst') && !hasZstd) return;
    const input = openFile(join(dir, name), name);
    const got = await drain(input);
    expect(got.length).toBeLessThan(80 << 20);
    const r = input.result();
    expect(r.sha256).toBe(sha(readFileSync(join(dir, name))));
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'too-large', args: { ratio: 4096, read: got.length } });
  });
});
