// Archives: streams the members of .tar (gzip, zstd, xz or bzip2 compressed too: `open`
// decompresses it) and .zip inputs (one level of archive inside an archive too) without writing
// to disk; tar by a small pull parser (exact bytes before a cut), zip by yauzl. Member names are
// display names only. Caps, corrupt or truncated data and unsupported compression are Problems,
// keeping every member read before.

import { close as fsClose, constants as fsConstants, open as fsOpen } from 'node:fs';
import { Readable } from 'node:stream';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import type { Problem } from '../core/index.js';
import { openFile, openReadOnly, openStream, type OpenedInput } from './open.js';

export type ArchiveKind = 'tar' | 'tar.gz' | 'zip';

export interface ArchiveMember {
  /** Display name, e.g. 'bundle.tgz!/var/log/kafka/server.log'; never used as a path to write. */
  name: string;
  /** Size as stored in the archive (before a .gz member is gunzipped). */
  size: number;
  /**
   * Decompressed bytes of the member (a member that is itself gzip is gunzipped). The caller
   * must iterate it to its end (or break out of it) before asking the archive for the next item:
   * tar is sequential, and what is left unread when the next item is requested is skipped.
   */
  chunks: AsyncIterable<Buffer>;
  /**
   * Size and sha256 of the member as stored (what `tar -xO` or `unzip -p` gives: a .gz member's
   * gzip bytes). Final once `chunks` has been iterated to its end; covers less only when the
   * archive cap stopped the member.
   */
  stored: () => { bytes: number; sha256: string };
}

export interface ArchiveLimits {
  /** Cap on decompressed bytes of all members together (default 16 GiB). */
  maxTotalBytes: number;
  /** Cap on entries (files, directories, links), nested archives included (default 100000). */
  maxMembers: number;
  /** How deep archives inside archives are opened: 1 = one archive inside an archive. */
  maxDepth: number;
}

export type ArchiveItem = { type: 'member'; member: ArchiveMember } | { type: 'problem'; problem: Problem };

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxTotalBytes: 16 * 1024 ** 3,
  maxMembers: 100_000,
  maxDepth: 1,
};

/** A zip has to be held in memory when it is not a file on disk (stdin, member of a tar). */
export const ZIP_BUFFER_CAP = 256 * 1024 ** 2;

const HEAD_BYTES = 4096;
const BLOCK = 512;

function isUstar(b: Buffer): boolean {
  return b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar';
}

function tarChecksumOk(h: Buffer): boolean {
  if (h.length < BLOCK) return false;
  const stored = parseOctal(h.subarray(148, 156));
  if (stored === null) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : (h[i] as number);
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  return stored === unsigned || stored === signed;
}

/** The archive kind of an input from its first bytes (≥ 512, 4 KiB is plenty); `name` only helps old v7 tars. */
export function detectArchive(head: Buffer, name: string): ArchiveKind | null {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    const k = head.readUInt16BE(2);
    if (k === 0x0304 || k === 0x0506) return 'zip';
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    let inner: Buffer;
    try {
      inner = gunzipSync(head.subarray(0, HEAD_BYTES), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return null;
    }
    if (isUstar(inner)) return 'tar.gz';
    return /\.(tgz|tar\.gz)$/i.test(name) && tarChecksumOk(inner) ? 'tar.gz' : null;
  }
  if (isUstar(head)) return 'tar';
  return /\.tar$/i.test(name) && tarChecksumOk(head) ? 'tar' : null;
}

function parseOctal(b: Buffer): number | null {
  const s = b
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[ ]+/, '')
    .replace(/\0.*$/, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) return null;
  return parseInt(s, 8);
}

function parseSize(b: Buffer): number | null {
  if (((b[0] as number) & 0x80) !== 0) {
    let n = (b[0] as number) & 0x7f;
    for (let i = 1; i < b.length; i++) n = n * 256 + (b[i] as number);
    return n;
  }
  return parseOctal(b);
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul === -1 ? b.length : nul);
}

/** Member name as shown: '/'-separated, without leading '/' or './'; '..' is kept as written. */
function cleanName(raw: string): string {
  return raw
    .replace(/\\/g, '/')
    .replace(/^(\.?\/)+/, '')
    .replace(/\/{2,}/g, '/');
}

function problem(code: Problem['code'], file: string, args: Problem['args']): ArchiveItem {
  return { type: 'problem', problem: { code, file, args } };
}

interface Ctx {
  readonly limits: ArchiveLimits;
  /** Top-level archive display name (caps are reported against it). */
  readonly top: string;
  entries: number;
  bytes: number;
  stopped: boolean;
}

/** Pull reader over an async iterator of chunks: exact reads, no streams. */
class Pull {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private done = false;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    while (this.pos >= this.buf.length) {
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      this.buf = r.value;
      this.pos = 0;
    }
    return true;
  }

  /** Up to `n` bytes; fewer only at the end of the input. */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n && (await this.fill())) {
      const take = Math.min(n - got, this.buf.length - this.pos);
      parts.push(this.buf.subarray(this.pos, this.pos + take));
      this.pos += take;
      got += take;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /** Next slice of at most `n` bytes, or null at the end of the input. */
  async slice(n: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null;
    const take = Math.min(n, this.buf.length - this.pos);
    const b = this.buf.subarray(this.pos, this.pos + take);
    this.pos += take;
    return b;
  }

  /** Skips up to `n` bytes; returns how many were skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0 && (await this.fill())) {
      const take = Math.min(left, this.buf.length - this.pos);
      this.pos += take;
      left -= take;
    }
    return n - left;
  }
}

/** Raw bytes of one tar member, tracking how many are still unread (to skip them later). */
class TarData {
  left: number;
  got = 0;
  private started = false;
  private settle: () => void = () => undefined;
  private readonly settled = new Promise<void>((resolve) => {
    this.settle = resolve;
  });

  constructor(
    private readonly pull: Pull,
    readonly size: number,
  ) {
    this.left = size;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    this.started = true;
    try {
      while (this.left > 0) {
        const b = await this.pull.slice(Math.min(this.left, 1 << 20));
        if (b === null) return;
        this.left -= b.length;
        this.got += b.length;
        yield b;
      }
    } finally {
      this.settle();
    }
  }

  /** Resolves once no read of this member is in flight (a stream reading ahead may still be in one). */
  finished(): Promise<void> {
    return this.started ? this.settled : Promise.resolve();
  }
}

function parsePax(b: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  while (p < b.length) {
    const sp = b.indexOf(0x20, p);
    if (sp === -1) break;
    const len = parseInt(b.toString('latin1', p, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || p + len > b.length) break;
    const rec = b.toString('utf8', sp + 1, p + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    p += len;
  }
  return out;
}

const padding = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

/** Reads a tar stream (already gunzipped by `open`); `sourceProblems` are the source's own problems. */
async function* readTar(source: AsyncIterator<Buffer>, sourceProblems: () => Problem[], display: string, ctx: Ctx, depth: number): AsyncGenerator<ArchiveItem> {
  const pull = new Pull(source);
  let longName: string | null = null;
  let pax = new Map<string, string>();
  let last: string | null = null;
  /** Source problems already reported against a member (not repeated against the archive). */
  let sourceConsumed = false;
  const structural = (reason: string): ArchiveItem[] => {
    const src = sourceProblems().filter((p) => p.code === 'truncated-gzip' || p.code === 'corrupt-gzip');
    if (src.length > 0) return [];
    const after = last === null ? 'before the first member' : `after member ${last}`;
    return [problem('archive-broken', display, { reason: `${reason} ${after}` })];
  };
  for (;;) {
    if (ctx.stopped) break;
    const h = await pull.read(BLOCK);
    if (h.length === 0) {
      if (last === null) yield* structural('tar data ends');
      break;
    }
    if (h.length < BLOCK) {
      yield* structural('tar data ends inside a header');
      break;
    }
    if (h.every((v) => v === 0)) break;
    if (!tarChecksumOk(h)) {
      yield* structural('tar header checksum mismatch');
      break;
    }
    const size = parseSize(h.subarray(124, 136));
    if (size === null) {
      yield* structural('tar header has an unreadable size');
      break;
    }
    const type = String.fromCharCode(h[156] as number);
    if (type === 'L' || type === 'x' || type === 'g' || type === 'K') {
      const data = await pull.read(size);
      await pull.skip(padding(size));
      if (data.length < size) {
        yield* structural('tar data ends inside an extended header');
        break;
      }
      if (type === 'L') longName = cString(data);
      else if (type === 'x') pax = parsePax(data);
      continue;
    }
    let rawName = cString(h.subarray(0, 100));
    if (h.toString('latin1', 257, 263) === 'ustar\0') {
      const prefix = cString(h.subarray(345, 500));
      if (prefix !== '') rawName = `${prefix}/${rawName}`;
    }
    rawName = pax.get('path') ?? longName ?? rawName;
    const paxSize = pax.get('size');
    const dataSize = paxSize !== undefined && /^\d+$/.test(paxSize) ? Number(paxSize) : size;
    longName = null;
    pax = new Map();

    ctx.entries++;
    if (ctx.entries > ctx.limits.maxMembers) {
      ctx.stopped = true;
      yield problem('too-large', ctx.top, { what: 'archive members', limit: ctx.limits.maxMembers });
      break;
    }
    const name = cleanName(rawName);
    const isFile = type === '0' || type === '\0' || type === '7';
    const data = new TarData(pull, dataSize);
    if (isFile && !name.endsWith('/')) {
      yield* member(data.chunks(), `${display}!/${name}`, name, dataSize, ctx, depth);
    }
    await data.finished();
    // A cap stopped the archive: skipping the rest of this member would still decompress all of it
    // (a bomb's gigabytes); the caller hashes the raw rest without inflating it.
    if (ctx.stopped) break;
    const skipped = await pull.skip(data.left);
    data.got += skipped;
    data.left -= skipped;
    if (data.left > 0) {
      const memberName = `${display}!/${name}`;
      const src = sourceProblems().find((p) => p.code === 'truncated-gzip' || p.code === 'corrupt-gzip');
      sourceConsumed = src !== undefined;
      if (src) {
        yield problem(src.code, memberName, { ...src.args, bytes: data.got, archive: display });
      } else {
        yield problem('archive-broken', memberName, {
          reason: `tar data ends inside this member after ${data.got} of ${dataSize} bytes; later members are missing`,
        });
      }
      break;
    }
    await pull.skip(padding(dataSize));
    last = name;
  }
  if (!ctx.stopped) await pull.skip(Infinity);
  for (const p of sourceProblems()) {
    if (sourceConsumed && (p.code === 'truncated-gzip' || p.code === 'corrupt-gzip')) continue;
    yield { type: 'problem', problem: p };
  }
}

interface ZipHandle {
  zip: yauzl.ZipFile;
}

const zipOptions: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  decodeStrings: false,
  validateEntrySizes: true,
  strictFileNames: false,
};

function zipFromBuffer(b: Buffer): Promise<ZipHandle> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(b, zipOptions, (err, zip) => (err ? reject(err) : resolve({ zip })));
  });
}

/** A zip on disk, read through our own O_NOATIME descriptor (yauzl.open would update the atime). */
function zipFromFile(p: string): Promise<ZipHandle> {
  const noAtime = fsConstants.O_NOATIME ?? 0;
  const openFd = (flags: number): Promise<number> => new Promise((resolve, reject) => fsOpen(p, flags, (err, fd) => (err ? reject(err) : resolve(fd))));
  const fdp = openFd(fsConstants.O_RDONLY | noAtime).catch((err: NodeJS.ErrnoException) => {
    if (noAtime !== 0 && err.code === 'EPERM') return openFd(fsConstants.O_RDONLY);
    throw err;
  });
  return fdp.then(
    (fd) =>
      new Promise<ZipHandle>((resolve, reject) => {
        // zip.close() closes the descriptor (yauzl's reader closes it on its last unref).
        yauzl.fromFd(fd, zipOptions, (err, zip) => {
          if (err) {
            fsClose(fd, () => undefined);
            reject(err);
          } else resolve({ zip });
        });
      }),
  );
}

function nextZipEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const onEntry = (e: yauzl.Entry): void => {
      off();
      resolve(e);
    };
    const onEnd = (): void => {
      off();
      resolve(null);
    };
    const onError = (err: Error): void => {
      off();
      reject(err);
    };
    const off = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function openZipEntry(zip: yauzl.ZipFile, e: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(e, (err, s) => (err ? reject(err) : resolve(s)));
  });
}

const zipMethods: Record<number, string> = { 12: 'bzip2', 14: 'lzma', 93: 'zstd', 95: 'xz', 99: 'AES-encrypted' };

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function* readZip(h: ZipHandle, display: string, ctx: Ctx, depth: number): AsyncGenerator<ArchiveItem> {
  const { zip } = h;
  let last: string | null = null;
  try {
    for (;;) {
      if (ctx.stopped) break;
      let e: yauzl.Entry | null;
      try {
        e = await nextZipEntry(zip);
      } catch (err) {
        const after = last === null ? 'before the first member' : `after member ${last}`;
        yield problem('archive-broken', display, { reason: `zip directory is corrupt ${after} (${errMessage(err)})` });
        break;
      }
      if (e === null) break;
      ctx.entries++;
      if (ctx.entries > ctx.limits.maxMembers) {
        ctx.stopped = true;
        yield problem('too-large', ctx.top, { what: 'archive members', limit: ctx.limits.maxMembers });
        break;
      }
      const raw = e.fileNameRaw ?? Buffer.from(String(e.fileName));
      const name = cleanName(yauzl.getFileNameLowLevel(e.generalPurposeBitFlag, raw, e.extraFields, false));
      last = name;
      const mode = (e.externalFileAttributes >>> 16) & 0o170000;
      if (name.endsWith('/') || mode === 0o040000 || mode === 0o120000) continue;
      const memberName = `${display}!/${name}`;
      if (e.isEncrypted() || (e.compressionMethod !== 0 && e.compressionMethod !== 8)) {
        const kind = e.isEncrypted() ? 'encrypted zip member' : `zip method ${zipMethods[e.compressionMethod] ?? e.compressionMethod}`;
        yield problem('unsupported-compression', memberName, { kind, command: `unzip -p ARCHIVE '${name}' > FILE` });
        continue;
      }
      let stream: Readable;
      try {
        stream = await openZipEntry(zip, e);
      } catch (err) {
        yield problem('archive-broken', memberName, { reason: `zip member is corrupt (${errMessage(err)})` });
        continue;
      }
      yield* member(stream, memberName, name, e.compressedSize, ctx, depth);
    }
  } finally {
    zip.close();
  }
}

/** Chains already-read head chunks with the rest of an iterator, without owning the iterator. */
async function* chain(head: Buffer[], it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  for (const b of head) yield b;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}

/** Member problems from `open`, with its size cap turned into the archive's cap. */
function memberProblems(opened: OpenedInput, ctx: Ctx, memberName: string): ArchiveItem[] {
  return opened.result().problems.map((p) => {
    if (p.code === 'too-large') {
      const read = ctx.bytes;
      return problem('too-large', ctx.top, { what: 'archive', limit: ctx.limits.maxTotalBytes, member: memberName, read });
    }
    return { type: 'problem', problem: p };
  });
}

/** One file member: gunzips it if needed, opens it as an archive one level deep, or yields it. */
async function* member(raw: AsyncIterable<Buffer> | Readable, memberName: string, name: string, size: number, ctx: Ctx, depth: number): AsyncGenerator<ArchiveItem> {
  const budget = Math.max(0, ctx.limits.maxTotalBytes - ctx.bytes);
  const tap = { hash: createHash('sha256'), bytes: 0, digest: null as string | null };
  const tapped = async function* (): AsyncGenerator<Buffer> {
    for await (const c of raw as AsyncIterable<Buffer>) {
      tap.hash.update(c);
      tap.bytes += c.length;
      yield c;
    }
    tap.digest = tap.hash.digest('hex');
  };
  const stored = (): { bytes: number; sha256: string } => ({ bytes: tap.bytes, sha256: tap.digest ?? tap.hash.copy().digest('hex') });
  const stream = Readable.from(tapped(), { objectMode: false, highWaterMark: 1 << 20 });
  const opened = openStream(stream, memberName, { maxBytes: budget });
  const it = opened.chunks[Symbol.asyncIterator]();
  const problems = (): ArchiveItem[] => memberProblems(opened, ctx, memberName);
  let leaf = true;
  let ownProblems = true;
  try {
    const head: Buffer[] = [];
    let headLen = 0;
    for (;;) {
      if (headLen >= BLOCK) break;
      const r = await it.next();
      if (r.done) break;
      head.push(r.value);
      headLen += r.value.length;
    }
    const kind = detectArchive(head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head), name);
    if (kind !== null) {
      leaf = false;
      yield* nested(kind, head, it, memberName, ctx, depth, () => {
        ownProblems = false;
        return problems().map((i) => (i as { problem: Problem }).problem);
      });
    } else if (headLen > 0 || !opened.result().problems.some((p) => p.code === 'unsupported-compression')) {
      yield { type: 'member', member: { name: memberName, size, stored, chunks: { [Symbol.asyncIterator]: () => chain(head, it) } } };
    }
  } finally {
    await it.return?.(undefined);
  }
  const r = opened.result();
  if (leaf) ctx.bytes += r.bytes;
  if (r.problems.some((p) => p.code === 'too-large')) ctx.stopped = true;
  if (ownProblems) yield* problems();
}

/** An archive found inside an archive: opened one level deep, else reported. */
async function* nested(
  kind: ArchiveKind,
  head: Buffer[],
  it: AsyncIterator<Buffer>,
  memberName: string,
  ctx: Ctx,
  depth: number,
  sourceProblems: () => Problem[],
): AsyncGenerator<ArchiveItem> {
  if (depth >= ctx.limits.maxDepth) {
    yield problem('not-a-file', memberName, { kind: `archive nested more than ${ctx.limits.maxDepth} level(s) deep` });
    return;
  }
  if (kind !== 'zip') {
    yield* readTar(chain(head, it), sourceProblems, memberName, ctx, depth + 1);
    return;
  }
  const parts = [...head];
  let total = parts.reduce((n, b) => n + b.length, 0);
  for (let r = await it.next(); !r.done; r = await it.next()) {
    total += r.value.length;
    if (total > ZIP_BUFFER_CAP) {
      yield problem('too-large', memberName, { what: 'zip inside an archive (held in memory)', limit: ZIP_BUFFER_CAP });
      return;
    }
    parts.push(r.value);
  }
  let h: ZipHandle;
  try {
    h = await zipFromBuffer(Buffer.concat(parts));
  } catch (err) {
    yield problem('unreadable', memberName, { reason: `not a readable zip (${errMessage(err)})` });
    return;
  }
  yield* readZip(h, memberName, ctx, depth + 1);
}

async function readHead(absPath: string): Promise<Buffer> {
  const fh = await openReadOnly(absPath);
  try {
    const b = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(b, 0, HEAD_BYTES, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Streams the members of the archive at `absPath` (or in `stream`) as items: members in archive
 * order, and problems. Drain each member's `chunks` before asking for the next item.
 */
export async function* readArchive(absPath: string | null, stream: NodeJS.ReadableStream | null, display: string, limits: ArchiveLimits): AsyncGenerator<ArchiveItem> {
  const ctx: Ctx = { limits, top: display, entries: 0, bytes: 0, stopped: false };
  yield* readTop(absPath, stream, display, ctx);
}

async function* readTop(absPath: string | null, stream: NodeJS.ReadableStream | null, display: string, ctx: Ctx): AsyncGenerator<ArchiveItem> {
  let head: Buffer;
  let rest: AsyncIterator<Buffer> | null = null;
  const headParts: Buffer[] = [];
  try {
    if (absPath !== null) {
      head = await readHead(absPath);
    } else if (stream !== null) {
      rest = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      let len = 0;
      while (len < HEAD_BYTES) {
        const r = await rest.next();
        if (r.done) break;
        const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
        headParts.push(b);
        len += b.length;
      }
      head = Buffer.concat(headParts);
    } else {
      throw new Error('readArchive needs a path or a stream');
    }
  } catch (err) {
    if (err instanceof Error && !('code' in err)) throw err;
    yield problem('unreadable', display, { reason: errMessage(err) });
    return;
  }
  const kind = detectArchive(head, display);
  if (kind === null) {
    yield problem('unreadable', display, { reason: 'not a tar, tar.gz or zip archive' });
    return;
  }
  if (kind === 'zip') {
    let h: ZipHandle;
    try {
      if (absPath !== null) {
        h = await zipFromFile(absPath);
      } else {
        const parts = [...headParts];
        let total = head.length;
        for (let r = await (rest as AsyncIterator<Buffer>).next(); !r.done; r = await (rest as AsyncIterator<Buffer>).next()) {
          total += r.value.length;
          if (total > ZIP_BUFFER_CAP) {
            yield problem('too-large', display, { what: 'zip read from a stream (held in memory)', limit: ZIP_BUFFER_CAP });
            return;
          }
          parts.push(r.value);
        }
        h = await zipFromBuffer(Buffer.concat(parts));
      }
    } catch (err) {
      yield problem('unreadable', display, { reason: `not a readable zip (${errMessage(err)})` });
      return;
    }
    yield* readZip(h, display, ctx, 0);
    return;
  }
  const opened = absPath !== null ? openFile(absPath, display) : openStream(Readable.from(chain(headParts, rest as AsyncIterator<Buffer>), { objectMode: false }), display);
  const it = opened.chunks[Symbol.asyncIterator]();
  try {
    yield* readTar(it, () => opened.result().problems, display, ctx, 0);
  } finally {
    await it.return?.(undefined);
  }
}
