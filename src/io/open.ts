// Opening one input: reads a file read-only (O_NOATIME when allowed) or a stream, detects
// compression by magic bytes, decompresses (gzip by zlib; zstd, xz, bzip2 by io/decompress),
// hashes the raw bytes as stored (sha256, chain of custody) and reports data problems
// (unreadable, truncated/corrupt data, too large) as values; it never throws for data and never
// writes the input.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants as fsConstants, openSync, promises as fsp, readSync } from 'node:fs';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { Problem } from '../core/index.js';
import { BURST_BYTES, BURST_RATIO, DecodeStop, type LibraryCompression } from './limits.js';

export interface InputReadResult {
  /** Raw bytes read (and hashed). Equal to the stored size unless reading stopped early (too-large, read error). */
  rawBytes: number;
  /** Decompressed bytes delivered to the consumer. */
  bytes: number;
  /** sha256 hex of the `rawBytes` raw bytes as stored. */
  sha256: string;
  compressed: Compressed | null;
  problems: Problem[];
}

export interface OpenedInput {
  /**
   * Decompressed chunks. Never throws for data problems. Each is a fresh Buffer the consumer
   * may keep, unless the consumer called `recycleChunks()`.
   */
  chunks: AsyncIterable<Buffer>;
  /** What was read so far; final once `chunks` has been iterated to its end. */
  result: () => InputReadResult;
  /**
   * Opt-in for a consumer that copies what it keeps (the log scanner): from now on, a chunk read
   * from a plain file is valid only until the next one is requested, as its memory is reused for
   * a later read (less allocation and GC). Other inputs (gzip output, streams) stay fresh.
   */
  recycleChunks: () => void;
}

export interface OpenOptions {
  /** Stop after delivering this many (decompressed) bytes, with a 'too-large' problem. */
  maxBytes?: number;
  /**
   * Chain of custody for a whole input: when the consumer stops early (a binary file, an evidence
   * cap, a zip read by its own reader), the rest of the raw bytes is still read (not decompressed)
   * so that `rawBytes` and `sha256` cover all of the input.
   */
  hashAll?: boolean;
  /** The size the walk saw: a small file is read with one synchronous read into a reused buffer. */
  sizeHint?: number;
  /** Called with the raw bytes read so far, once per chunk read (progress inside a big file). */
  onRawBytes?: (rawBytes: number) => void;
}

const READ_BYTES = 1 << 20;
/** Raw bytes fed to zlib per write: bounds the output burst of a gzip bomb to ~64 MiB. */
const GUNZIP_FEED = 64 << 10;
const MAGIC_BYTES = 6;

export type Compressed = 'gzip' | LibraryCompression;
type Compression = 'plain' | Compressed;

/** What to run to decompress a file by hand (named in problems that stop a decoder). */
const byHand: Record<LibraryCompression, string> = {
  zstd: 'zstd -dc FILE > OUT',
  xz: 'xz -dc FILE > OUT',
  bzip2: 'bzip2 -dc FILE > OUT',
};

function detectCompression(head: Buffer): Compression {
  const b = (i: number): number => head[i] ?? -1;
  if (b(0) === 0x1f && b(1) === 0x8b) return 'gzip';
  if (b(0) === 0x28 && b(1) === 0xb5 && b(2) === 0x2f && b(3) === 0xfd) return 'zstd';
  if (b(0) === 0xfd && b(1) === 0x37 && b(2) === 0x7a && b(3) === 0x58 && b(4) === 0x5a && b(5) === 0x00) {
    return 'xz';
  }
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68 && b(3) >= 0x31 && b(3) <= 0x39) return 'bzip2';
  return 'plain';
}

/** 'EACCES: permission denied' from a Node system error, without the path it names. */
function errnoReason(err: unknown): { code: string; reason: string } {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : 'EIO';
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  const words = msg.startsWith(`${code}: `) ? msg.slice(code.length + 2).split(', ')[0] : msg;
  return { code, reason: `${code}: ${words ?? msg}` };
}

/** Opens a file read-only, with O_NOATIME when the kernel allows it (reading evidence never changes its atime). */
export async function openReadOnly(absPath: string): Promise<fsp.FileHandle> {
  const noAtime = fsConstants.O_NOATIME ?? 0;
  if (noAtime !== 0) {
    try {
      return await fsp.open(absPath, fsConstants.O_RDONLY | noAtime);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return fsp.open(absPath, fsConstants.O_RDONLY);
}

/** Shared between a reader and its OpenedInput: whether delivered buffers may be reused. */
interface Recycling {
  on: boolean;
}

async function* readFileRaw(absPath: string, recycling: Recycling, start = 0): AsyncGenerator<Buffer> {
  const fh = await openReadOnly(absPath);
  // One read stays in flight while the consumer scans the previous chunk (the read runs on
  // libuv's pool), so the scanner does not sit idle waiting for the disk or the page cache.
  // When recycling, a chunk the consumer is done with (it asked for the next) takes a later read.
  let position = start;
  let spare: Buffer | null = null;
  const readAt = async (at: number): Promise<Buffer> => {
    const buf = spare ?? Buffer.allocUnsafeSlow(READ_BYTES);
    spare = null;
    const { bytesRead } = await fh.read(buf, 0, READ_BYTES, at);
    return bytesRead === READ_BYTES ? buf : buf.subarray(0, bytesRead);
  };
  let next: Promise<Buffer> | undefined = readAt(position);
  try {
    for (;;) {
      const pending = next;
      if (!pending) return;
      const buf = await pending;
      next = undefined;
      if (buf.length === 0) return;
      position += buf.length;
      if (buf.length === READ_BYTES) next = readAt(position);
      yield buf;
      if (buf.length < READ_BYTES) return;
      if (recycling.on) spare = buf;
    }
  } finally {
    if (next) await next.catch(() => undefined);
    await fh.close();
  }
}

/**
 * A plain file's raw bytes from byte `start` to its end, read ahead like a whole file, with buffers
 * reused once the consumer asks for the next (it must copy what it keeps). One byte-range part of
 * a file scanned in parallel (pipeline/split.ts): no hash, no decompression; errors are thrown.
 */
export function readFrom(absPath: string, start: number): AsyncGenerator<Buffer> {
  return readFileRaw(absPath, { on: true }, start);
}

/** One reusable buffer for small files (a file below READ_BYTES is read whole, synchronously). */
let smallBuf: Buffer | null = null;

function openReadOnlySync(absPath: string): number {
  const noAtime = fsConstants.O_NOATIME ?? 0;
  if (noAtime !== 0) {
    try {
      return openSync(absPath, fsConstants.O_RDONLY | noAtime);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return openSync(absPath, fsConstants.O_RDONLY);
}

/**
 * A file the caller knows to be small, read whole with one synchronous open/read/close into a
 * reused scratch buffer (a directory of 10,000 small logs spends most of its time in per-file
 * overhead: async calls, a fresh 1 MiB buffer each). A file that grew meanwhile is read on.
 */
async function* readSmallFile(absPath: string): AsyncGenerator<Buffer> {
  const fd = openReadOnlySync(absPath);
  let owned: Buffer | null = null;
  try {
    const buf = smallBuf ?? Buffer.allocUnsafeSlow(READ_BYTES);
    smallBuf = null;
    owned = buf;
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, READ_BYTES - n, n);
      if (got === 0) break;
      n += got;
      if (n === READ_BYTES) break;
    }
    if (n === 0) return;
    // A copy of the bytes read (a few KiB, cheap), so the scratch buffer serves the next file at once.
    yield Buffer.from(buf.subarray(0, n));
    if (n < READ_BYTES) return;
    let position = n;
    for (;;) {
      const more = Buffer.allocUnsafe(READ_BYTES);
      const got = readSync(fd, more, 0, READ_BYTES, position);
      if (got === 0) return;
      position += got;
      yield more.subarray(0, got);
    }
  } finally {
    if (owned) smallBuf = owned;
    closeSync(fd);
  }
}

/** Up to `len` raw bytes of a file from byte `at` (fewer at its end): a look at one place of a big file (pipeline/split.ts). Errors are thrown. */
export async function readRange(absPath: string, at: number, len: number): Promise<Buffer> {
  const fh = await openReadOnly(absPath);
  try {
    const buf = Buffer.allocUnsafe(len);
    let n = 0;
    while (n < len) {
      const { bytesRead } = await fh.read(buf, n, len - n, at + n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

async function* readStreamRaw(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  for await (const c of stream as AsyncIterable<Buffer | string>) {
    yield typeof c === 'string' ? Buffer.from(c) : c;
  }
}

interface State {
  rawBytes: number;
  bytes: number;
  compressed: Compressed | null;
  problems: Problem[];
  hash: Hash;
  digest: string | null;
}

/** One zlib gunzip driven write by write; output is collected from 'data' so none is lost on error. */
class Inflater {
  private readonly gz: Gunzip = createGunzip({ chunkSize: 1 << 20 });
  readonly out: Buffer[] = [];
  error: NodeJS.ErrnoException | null = null;
  private ended = false;

  constructor() {
    this.gz.on('data', (b: Buffer) => this.out.push(b));
    this.gz.on('error', (e: Error) => {
      this.error ??= e;
    });
    this.gz.on('end', () => {
      this.ended = true;
    });
  }

  write(b: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.error) return resolve();
      const onError = (): void => resolve();
      this.gz.once('error', onError);
      this.gz.write(b, () => {
        this.gz.off('error', onError);
        resolve();
      });
    });
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.error || this.ended) return resolve();
      this.gz.once('end', () => resolve());
      this.gz.once('error', () => resolve());
      this.gz.end();
    });
  }

  destroy(): void {
    this.gz.destroy();
  }
}

async function* deliver(raw: () => AsyncGenerator<Buffer>, st: State, file: string, opts: OpenOptions): AsyncGenerator<Buffer> {
  const maxBytes = opts.maxBytes ?? Infinity;
  let source: AsyncGenerator<Buffer> | null = null;
  let inflater: Inflater | null = null;
  let failed = false;
  const problem = (code: Problem['code'], args: Problem['args']): void => {
    st.problems.push({ code, file, args });
  };
  /** Cuts `b` to the size cap; false once the cap has been reached. */
  const capped = (b: Buffer): { b: Buffer; more: boolean } => {
    if (st.bytes + b.length <= maxBytes) {
      st.bytes += b.length;
      return { b, more: true };
    }
    const keep = b.subarray(0, Math.max(0, maxBytes - st.bytes));
    st.bytes += keep.length;
    problem('too-large', { what: 'input', limit: maxBytes });
    return { b: keep, more: false };
  };
  const onRaw = opts.onRawBytes;
  const take = (b: Buffer): void => {
    st.hash.update(b);
    st.rawBytes += b.length;
    onRaw?.(st.rawBytes);
  };

  try {
    source = raw();
    const head: Buffer[] = [];
    let headLen = 0;
    while (headLen < MAGIC_BYTES) {
      const r = await source.next();
      if (r.done) break;
      head.push(r.value);
      headLen += r.value.length;
    }
    const kind = detectCompression(head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head));

    // Manual loops (not for-await) so that stopping early leaves `source` open for the custody drain.
    if (kind === 'plain') {
      for (const b of head) {
        take(b);
        const c = capped(b);
        if (c.b.length > 0) yield c.b;
        if (!c.more) return;
      }
      for (let r = await source.next(); !r.done; r = await source.next()) {
        const b = r.value;
        take(b);
        const c = capped(b);
        if (c.b.length > 0) yield c.b;
        if (!c.more) return;
      }
      return;
    }

    if (kind !== 'gzip') {
      st.compressed = kind;
      // The decoder pulls raw chunks through `take`; on an early stop `source` stays open for the drain.
      const src = source;
      const raw = async function* (): AsyncGenerator<Buffer> {
        for (const b of head) {
          take(b);
          yield b;
        }
        for (let r = await src.next(); !r.done; r = await src.next()) {
          take(r.value);
          yield r.value;
        }
      };
      try {
        const { decode } = await import('./decompress.js');
        for await (const b of decode(kind, raw())) {
          const c = capped(b);
          if (c.b.length > 0) yield c.b;
          if (!c.more) return;
        }
      } catch (err) {
        if (!(err instanceof DecodeStop)) throw err;
        if (err.why === 'truncated') problem('truncated-gzip', { format: kind, bytes: st.bytes });
        else if (err.why === 'corrupt') problem('corrupt-gzip', { format: kind, reason: err.message, bytes: st.bytes });
        else if (err.why === 'bomb') problem('too-large', { what: `${kind} output`, format: kind, ratio: BURST_RATIO, limit: BURST_BYTES, read: st.bytes });
        else problem('unsupported-compression', { kind: err.message, command: byHand[kind] });
      }
      return;
    }

    st.compressed = 'gzip';
    const inf = new Inflater();
    inflater = inf;
    const drain = function* (): Generator<Buffer, boolean> {
      while (inf.out.length > 0) {
        const c = capped(inf.out.shift() as Buffer);
        if (c.b.length > 0) yield c.b;
        if (!c.more) return false;
      }
      return true;
    };
    const feed = async function* (b: Buffer): AsyncGenerator<Buffer, boolean> {
      take(b);
      for (let off = 0; off < b.length && !inf.error; off += GUNZIP_FEED) {
        await inf.write(b.subarray(off, off + GUNZIP_FEED));
        if (!(yield* drain())) return false;
      }
      return true;
    };
    for (const b of head) {
      if (!(yield* feed(b))) return;
    }
    for (let r = await source.next(); !r.done; r = await source.next()) {
      const b = r.value;
      if (inf.error) {
        take(b);
        continue;
      }
      if (!(yield* feed(b))) return;
    }
    await inf.end();
    if (!(yield* drain())) return;
    const err = inf.error;
    if (err) {
      if (err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message)) {
        problem('truncated-gzip', { bytes: st.bytes });
      } else {
        problem('corrupt-gzip', { reason: err.message, bytes: st.bytes });
      }
    }
  } catch (err) {
    failed = true;
    const { code, reason } = errnoReason(err);
    problem(code === 'ENOENT' ? 'input-not-found' : 'unreadable', { reason });
  } finally {
    inflater?.destroy();
    if (source && opts.hashAll && !failed) {
      try {
        for (let r = await source.next(); !r.done; r = await source.next()) take(r.value);
      } catch (err) {
        problem('unreadable', { reason: `${errnoReason(err).reason} while hashing the rest of the file` });
      }
    }
    if (source) await source.return(undefined);
    st.digest = st.hash.digest('hex');
  }
}

function opened(raw: () => AsyncGenerator<Buffer>, display: string, opts: OpenOptions, recycling: Recycling): OpenedInput {
  const st: State = {
    rawBytes: 0,
    bytes: 0,
    compressed: null,
    problems: [],
    hash: createHash('sha256'),
    digest: null,
  };
  let started = false;
  return {
    chunks: {
      [Symbol.asyncIterator]: () => {
        if (started) throw new Error(`input ${display} can be read only once`);
        started = true;
        return deliver(raw, st, display, opts);
      },
    },
    result: () => ({
      rawBytes: st.rawBytes,
      bytes: st.bytes,
      sha256: st.digest ?? st.hash.copy().digest('hex'),
      compressed: st.compressed,
      problems: [...st.problems],
    }),
    recycleChunks: () => {
      recycling.on = true;
    },
  };
}

/** Opens a file read-only for one pass; `display` names it in problems. */
export function openFile(absPath: string, display: string, opts: OpenOptions = {}): OpenedInput {
  const recycling: Recycling = { on: false };
  const small = opts.sizeHint !== undefined && opts.sizeHint < READ_BYTES;
  return opened(() => (small ? readSmallFile(absPath) : readFileRaw(absPath, recycling)), display, opts, recycling);
}

/** Wraps a stream (stdin) like a file; `display` is usually '-'. */
export function openStream(stream: NodeJS.ReadableStream, display: string, opts: OpenOptions = {}): OpenedInput {
  return opened(() => readStreamRaw(stream), display, opts, { on: false });
}
