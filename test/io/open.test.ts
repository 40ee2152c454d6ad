import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openFile, openStream, type OpenedInput } from '../../src/io/open.js';
import { scanChunks, type ScanItem } from '../../src/scan/scanner.js';

const dir = mkdtempSync(join(tmpdir(), 'mapmortem-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: Buffer | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

async function drain(input: OpenedInput): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of input.chunks) parts.push(c);
  return Buffer.concat(parts);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** ~6 MiB of log lines that do not compress to nothing (line numbers and a hash vary). */
function logText(lines: number): Buffer {
  const out: string[] = [];
  for (let i = 1; i <= lines; i++) {
    const h = createHash('md5').update(String(i)).digest('hex');
    out.push(
      i % 5000 === 0
        ? `[2024-01-01 00:00:00,000] ERROR java.lang.OutOfMemoryError: Map failed ${i} ${h}`
        : `[2024-01-01 00:00:00,000] INFO Rolled segment ${i} ${h} (kafka.log.LocalLog)`,
    );
  }
  return Buffer.from(out.join('\n') + '\n');
}

const text = logText(80_000);
const gz = gzipSync(text);

describe('openFile plain and gzip', () => {
  it('delivers a plain file unchanged with its sha256', async () => {
    const p = write('plain.log', text);
    const before = statSync(p);
    const input = openFile(p, 'plain.log');
    const got = await drain(input);
    expect(got.equals(text)).toBe(true);
    expect(input.result()).toEqual({
      rawBytes: text.length,
      bytes: text.length,
      sha256: sha(text),
      compressed: null,
      problems: [],
    });
    expect(statSync(p).mtimeMs).toBe(before.mtimeMs);
  });

  it('detects gzip by magic bytes whatever the name, hashing the stored bytes', async () => {
    const p = write('server.log.1', gz);
    const input = openFile(p, 'server.log.1');
    const got = await drain(input);
    expect(got.equals(text)).toBe(true);
    expect(input.result()).toEqual({
      rawBytes: gz.length,
      bytes: text.length,
      sha256: sha(gz),
      compressed: 'gzip',
      problems: [],
    });
  });

  it('gives the same windows for the plain and the gzip file', async () => {
    const opts = { prefilter: /Map failed/gi, lookBehind: 2, lookAhead: 2 };
    const collect = async (input: OpenedInput): Promise<ScanItem[]> => {
      const items: ScanItem[] = [];
      for await (const it of scanChunks(input.chunks, 'x', opts)) items.push(it);
      return items;
    };
    const a = await collect(openFile(write('same.log', text), 'x'));
    const b = await collect(openFile(write('same.log.gz', gz), 'x'));
    expect(a.filter((i) => i.type === 'window')).toHaveLength(16);
    expect(b).toEqual(a);
  });

  it('reports a truncated gzip and still delivers what came before the cut', async () => {
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const input = openFile(write('cut.log.gz', cut), 'cut.log.gz');
    const got = await drain(input);
    const r = input.result();
    expect(got.length).toBeGreaterThan(text.length / 3);
    expect(got.equals(text.subarray(0, got.length))).toBe(true);
    expect(r.problems).toEqual([{ code: 'truncated-gzip', file: 'cut.log.gz', args: { bytes: got.length } }]);
    expect(r.bytes).toBe(got.length);
    expect(r.sha256).toBe(sha(cut));
  });

  it('reports corrupt gzip data, keeps the data before it and hashes the whole file', async () => {
    const bad = Buffer.from(gz);
    bad.fill(0xff, Math.floor(bad.length / 2), Math.floor(bad.length / 2) + 64);
    const input = openFile(write('bad.log.gz', bad), 'bad.log.gz');
    const got = await drain(input);
    const r = input.result();
    // Deflate only notices corruption at a bad code or the CRC: the bytes before the damage are exact.
    const intact = Math.floor(text.length * 0.4);
    expect(got.subarray(0, intact).equals(text.subarray(0, intact))).toBe(true);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.code).toBe('corrupt-gzip');
    expect(r.problems[0]?.args).toEqual({ reason: expect.stringMatching(/invalid|incorrect/) as unknown, bytes: got.length });
    expect(r.rawBytes).toBe(bad.length);
    expect(r.sha256).toBe(sha(bad));
  });

  it('caps the delivered bytes with a too-large problem', async () => {
    for (const p of [write('big.log', text), write('big.log.gz', gz)]) {
      const input = openFile(p, 'big');
      const got = await drain(openFile(p, 'big', { maxBytes: 1_000_000 }));
      expect(got.equals(text.subarray(0, 1_000_000))).toBe(true);
      const capped = openFile(p, 'big', { maxBytes: 1_000_000 });
      await drain(capped);
      expect(capped.result().bytes).toBe(1_000_000);
      expect(capped.result().problems).toEqual([{ code: 'too-large', file: 'big', args: { what: 'input', limit: 1_000_000 } }]);
      await drain(input);
      expect(input.result().problems).toEqual([]);
    }
  });
});

describe('openFile recycleChunks', () => {
  const data = logText(60_000);
  const file = write('recycle.log', data);

  it('delivers fresh buffers by default, so a consumer may keep every chunk', async () => {
    const input = openFile(file, 'recycle.log');
    const kept: Buffer[] = [];
    for await (const c of input.chunks) kept.push(c);
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(new Set(kept.map((c) => c.buffer)).size).toBe(kept.length);
    expect(Buffer.concat(kept).equals(data)).toBe(true);
  });

  it('after recycleChunks reuses two buffers, with the same bytes, hash and counts', async () => {
    const input = openFile(file, 'recycle.log');
    const copies: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    let first = true;
    for await (const c of input.chunks) {
      if (first) input.recycleChunks();
      first = false;
      copies.push(Buffer.from(c));
      memory.add(c.buffer);
    }
    expect(copies.length).toBeGreaterThanOrEqual(4);
    // The first chunk and the read already in flight are fresh; from then on two buffers alternate.
    expect(memory.size).toBeLessThanOrEqual(3);
    expect(Buffer.concat(copies).equals(data)).toBe(true);
    const r = input.result();
    expect(r.sha256).toBe(sha(data));
    expect([r.rawBytes, r.bytes]).toEqual([data.length, data.length]);
  });

  it('keeps gzip output fresh when recycling (only raw reads are reused)', async () => {
    const stored = gzipSync(data, { level: 0 });
    expect(stored.length).toBeGreaterThan(2 << 20);
    const input = openFile(write('recycle.log.gz', stored), 'recycle.log.gz');
    input.recycleChunks();
    const kept: Buffer[] = [];
    for await (const c of input.chunks) kept.push(c);
    expect(Buffer.concat(kept).equals(data)).toBe(true);
    expect(input.result().sha256).toBe(sha(stored));
  });
});

describe('openFile problems', () => {
  it('reports a directory as unreadable (EISDIR) without throwing', async () => {
    const input = openFile(dir, 'logs');
    expect((await drain(input)).length).toBe(0);
    expect(input.result().problems).toEqual([{ code: 'unreadable', file: 'logs', args: { reason: 'EISDIR: illegal operation on a directory' } }]);
  });

  it('reports a dangling symlink as input-not-found (ENOENT), not unreadable', async () => {
    const link = join(dir, 'dangling.log');
    symlinkSync(join(dir, 'gone.log'), link);
    const input = openFile(link, 'dangling.log');
    expect((await drain(input)).length).toBe(0);
    expect(input.result().problems).toEqual([{ code: 'input-not-found', file: 'dangling.log', args: { reason: 'ENOENT: no such file or directory' } }]);
  });

  it.skipIf(process.getuid?.() === 0)('reports a chmod 000 file as unreadable (EACCES) when not root', async () => {
    const p = write('secret.log', 'x\n');
    chmodSync(p, 0);
    const input = openFile(p, 'secret.log');
    expect((await drain(input)).length).toBe(0);
    expect(input.result().problems).toEqual([{ code: 'unreadable', file: 'secret.log', args: { reason: 'EACCES: permission denied' } }]);
  });

  it('an empty file delivers nothing and no problem', async () => {
    const input = openFile(write('empty.log', ''), 'empty.log');
    expect((await drain(input)).length).toBe(0);
    expect(input.result()).toMatchObject({ rawBytes: 0, bytes: 0, problems: [], compressed: null });
  });

  it('can be read only once (a second iteration is a bug)', async () => {
    const input = openFile(write('once.log', 'a\n'), 'once.log');
    await drain(input);
    await expect(drain(input)).rejects.toThrow(/only once/);
  });
});

describe('openStream', () => {
  it('gunzips stdin delivered in 1-byte then odd-sized pieces', async () => {
    const parts = [gz.subarray(0, 1), gz.subarray(1, 2), gz.subarray(2, 3)];
    for (let i = 3; i < gz.length; i += 7777) parts.push(gz.subarray(i, i + 7777));
    const input = openStream(Readable.from(parts), '-');
    const got = await drain(input);
    expect(got.equals(text)).toBe(true);
    expect(input.result()).toMatchObject({ rawBytes: gz.length, sha256: sha(gz), compressed: 'gzip', problems: [] });
  });

  it('passes plain stdin through, and a read error becomes an unreadable problem', async () => {
    const plain = openStream(Readable.from([Buffer.from('ab'), Buffer.from('c\n')]), '-');
    expect((await drain(plain)).toString()).toBe('abc\n');
    const failing = new Readable({
      read() {
        this.push(Buffer.from('line 1\n'));
        this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      },
    });
    const input = openStream(failing, '-');
    expect((await drain(input)).toString()).toBe('line 1\n');
    expect(input.result().problems).toEqual([{ code: 'unreadable', file: '-', args: { reason: 'EIO: i/o error' } }]);
  });
});
