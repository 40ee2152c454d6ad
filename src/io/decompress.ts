// Decoders for the compressions Node 20's zlib lacks: zstd (fzstd, pure JS), xz (xz-decompress,
// xz-embedded as WebAssembly) and bzip2 (unbzip2-stream, pure JS). Each turns raw chunks into
// decompressed chunks, pulled one at a time; a cut stream, corrupt data or output growing faster
// than any log does (a decompression bomb) ends it with a DecodeStop, never an unbounded burst.
// Loaded only when such a file is read (io/open.ts imports it lazily): the libraries, xz's
// WebAssembly above all, cost tens of milliseconds of every start-up otherwise.

import { Decompress as ZstdDecompress } from 'fzstd';
import bzip2Lib from 'unbzip2-stream/lib/bzip2.js';
import bitIterator, { type BitReader } from 'unbzip2-stream/lib/bit_iterator.js';
import { crc32 } from 'node:zlib';
import xzDecompress from 'xz-decompress';
import { BURST_BYTES, BURST_RATIO, DecodeStop, FEED_BYTES, type LibraryCompression } from './limits.js';

// A CommonJS (UMD) module: its named export is reached through the default import.
const { XzReadableStream } = xzDecompress;

/** Thrown from a decoder's output callback to cut a burst short (caught here, never seen outside). */
const BURST = new Error('decompression burst');

function burstStop(kind: LibraryCompression): DecodeStop {
  return new DecodeStop('bomb', `${kind} data expanding more than ${BURST_RATIO}:1 (${BURST_BYTES} bytes from ${FEED_BYTES} bytes of input)`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** zstd frames (also several concatenated, as `zstd` and `cat a.zst b.zst` write them). */
async function* zstd(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const out: Buffer[] = [];
  let burst = 0;
  let ended = false;
  const d = new ZstdDecompress((chunk, final) => {
    if (final) ended = true;
    if (chunk.length === 0) return;
    burst += chunk.length;
    out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    if (burst > BURST_BYTES) throw BURST;
  });
  let fed = false;
  const push = (b: Uint8Array, final: boolean): DecodeStop | null => {
    burst = 0;
    try {
      d.push(b, final);
      return null;
    } catch (err) {
      if (err === BURST) return burstStop('zstd');
      // fzstd reports a stream cut inside a frame as 'unexpected EOF' at the final push.
      if (final && /EOF|end/i.test(message(err))) return new DecodeStop('truncated', message(err));
      return new DecodeStop('corrupt', message(err));
    }
  };
  for await (const raw of input) {
    for (let off = 0; off < raw.length; off += FEED_BYTES) {
      fed = true;
      const stop = push(raw.subarray(off, off + FEED_BYTES), false);
      while (out.length > 0) yield out.shift() as Buffer;
      if (stop) throw stop;
    }
  }
  if (!fed) throw new DecodeStop('truncated', 'no zstd frame');
  const stop = push(new Uint8Array(0), true);
  while (out.length > 0) yield out.shift() as Buffer;
  if (stop) throw stop;
  if (!ended) throw new DecodeStop('truncated', 'the last zstd frame is incomplete');
}

/** Input a bzip2 block may need, as unbzip2-stream keeps it: a block is decoded only once all of it is here. */
const bzipNeed = (blockSize: number): number => 25_000 + 100_000 * blockSize;
const SINK_BYTES = 1 << 20;

/**
 * bzip2 streams (several concatenated too, as pbzip2 writes them), by unbzip2-stream's block
 * decoder driven here: its byte sink writes into a 1 MiB buffer instead of a JS array, so one
 * block (up to ~46 MB of output) never sits in memory as numbers, and a burst is cut.
 */
async function* bzip2(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let queued = 0;
  let bits: BitReader | null = null;
  let blockSize = 0;
  let streamCrc: number | null = null;
  const out: Buffer[] = [];
  let sink = Buffer.allocUnsafe(SINK_BYTES);
  let pos = 0;
  let total = 0;
  const flush = (): void => {
    if (pos === 0) return;
    out.push(pos === SINK_BYTES ? sink : Buffer.from(sink.subarray(0, pos)));
    if (pos === SINK_BYTES) sink = Buffer.allocUnsafe(SINK_BYTES);
    pos = 0;
  };
  const put = (byte: number): void => {
    sink[pos++] = byte;
    if (pos === SINK_BYTES) {
      flush();
      // A block's input cannot be sliced, so the bomb test is the ratio of all output to all input read.
      total += SINK_BYTES;
      if (total > BURST_BYTES && total > BURST_RATIO * Math.max(1, bits?.bytesRead ?? 0)) throw BURST;
    }
  };
  /** Decodes one header or block; false when the input held so far is not enough for the next. */
  const step = (final: boolean): boolean => {
    const reader = (bits ??= bitIterator(() => queue.shift()));
    const have = queued - reader.bytesRead;
    if (final ? have <= 0 : have + 1 < bzipNeed(blockSize)) return false;
    if (blockSize === 0) {
      blockSize = bzip2Lib.header(reader);
      streamCrc = 0;
      return true;
    }
    const size = 100_000 * blockSize;
    streamCrc = bzip2Lib.decompress(reader, put, new Int32Array(size), size, streamCrc);
    if (streamCrc === null) blockSize = 0;
    return true;
  };
  /** One step, its output flushed; a DecodeStop when decoding cannot go on. */
  const next = (final: boolean): boolean | DecodeStop => {
    try {
      const more = step(final);
      flush();
      return more;
    } catch (err) {
      flush();
      if (err === BURST) return burstStop('bzip2');
      // The bit reader running past the input held (a TypeError) at the end is a cut stream.
      if (final && !(err instanceof Error && err.name === 'Bzip2Error')) return new DecodeStop('truncated', 'bzip2 stream ends early');
      return new DecodeStop('corrupt', message(err));
    }
  };
  /** Decodes block by block, yielding each block's output before the next (memory stays one block). */
  const run = function* (final: boolean): Generator<Buffer> {
    for (;;) {
      const r = next(final);
      while (out.length > 0) yield out.shift() as Buffer;
      if (r instanceof DecodeStop) throw r;
      if (!r) return;
    }
  };
  for await (const raw of input) {
    if (raw.length === 0) continue;
    queue.push(raw);
    queued += raw.length;
    yield* run(false);
  }
  yield* run(true);
  if (bits === null) throw new DecodeStop('truncated', 'no bzip2 data');
  if (streamCrc !== null) throw new DecodeStop('truncated', 'bzip2 stream ends early');
}

/**
 * xz-decompress serialises its decoders process-wide (a mutex): a second xz opened while one is
 * being read (an .xz member of a .tar.xz) would wait for ever, so it is refused instead.
 */
let xzOpen = 0;

/** xz-embedded's return codes (xz.h) that end a stream, in words. */
const XZ_ERRORS: Record<string, string> = {
  '2': 'integrity check type not supported',
  '3': 'out of memory in the decoder',
  '4': 'the dictionary needs more memory than allowed',
  '5': 'not an xz stream (bad header magic)',
  '6': 'compression options not supported (a filter xz-embedded lacks)',
  '7': 'compressed data is corrupt (failed integrity check or bad data)',
};

/** One xz stream, decoded. */
async function* xzStream(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (xzOpen > 0) throw new DecodeStop('nested', 'an xz stream inside an xz stream');
  xzOpen++;
  const it = input[Symbol.asyncIterator]();
  let inputDone = false;
  let sawInput = false;
  const compressed = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        const r = await it.next();
        if (r.done) {
          inputDone = true;
          c.close();
        } else {
          sawInput ||= r.value.length > 0;
          c.enqueue(r.value);
        }
      },
    },
    { highWaterMark: 0 },
  );
  const reader = new XzReadableStream(compressed).getReader();
  try {
    for (;;) {
      let r: Awaited<ReturnType<typeof reader.read>>;
      try {
        r = await reader.read();
      } catch (err) {
        const code = /error code (\d+)/.exec(message(err))?.[1];
        const cut = code === '8' || (code === undefined && (inputDone || !sawInput));
        throw new DecodeStop(cut ? 'truncated' : 'corrupt', cut ? 'xz stream ends early' : (XZ_ERRORS[code ?? ''] ?? message(err)));
      }
      if (r.done) return;
      if (r.value.length > 0) yield Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
    }
  } finally {
    xzOpen--;
    await reader.cancel().catch(() => undefined);
  }
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const XZ_FOOTER_MAGIC = Buffer.from('YZ');
/** Bytes of a stream footer before its 'YZ' (CRC32, backward size, flags), kept back when no footer is in sight. */
const XZ_FOOTER_HOLD = 11;

/** Is buf[p, p+2) the 'YZ' of a stream footer: its CRC32 covers the backward size and flags, and the flags are the header's? */
function xzFooterAt(buf: Buffer, p: number, flags: Buffer): boolean {
  if (p < 10) return false;
  return buf[p - 2] === flags[0] && buf[p - 1] === flags[1] && crc32(buf.subarray(p - 6, p)) === buf.readUInt32LE(p - 10);
}

/**
 * Splits concatenated xz streams (`cat a.xz b.xz`, as xz itself reads them) at each stream
 * footer, checked by its CRC32 and flags, and skips the zero padding between streams.
 */
class XzStreams {
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.it.next();
    if (r.done) {
      this.ended = true;
      return false;
    }
    this.pending = this.pending.length === 0 ? r.value : Buffer.concat([this.pending, r.value]);
    return true;
  }

  /** Skips stream padding: true when another stream starts, false at the end of the input. */
  async next(first: boolean): Promise<boolean> {
    for (;;) {
      let i = 0;
      while (i < this.pending.length && this.pending[i] === 0) i++;
      this.pending = this.pending.subarray(i);
      if (this.pending.length >= 12) break;
      if (!(await this.more())) {
        if (this.pending.length === 0) return first;
        break;
      }
    }
    if (this.pending.length > 0 && !this.pending.subarray(0, 6).equals(XZ_MAGIC.subarray(0, Math.min(6, this.pending.length)))) {
      throw new DecodeStop('corrupt', first ? XZ_ERRORS['5']! : 'data after an xz stream is not another xz stream');
    }
    return true;
  }

  /** The bytes of the stream that starts here, through its footer. */
  async *stream(): AsyncGenerator<Buffer> {
    const flags = Buffer.from(this.pending.subarray(6, 8));
    let emitted = 0;
    for (;;) {
      for (let p = this.pending.indexOf(XZ_FOOTER_MAGIC); p >= 0; p = this.pending.indexOf(XZ_FOOTER_MAGIC, p + 1)) {
        if (emitted + p < 22 || !xzFooterAt(this.pending, p, flags)) continue;
        const out = this.pending.subarray(0, p + 2);
        this.pending = this.pending.subarray(p + 2);
        yield out;
        return;
      }
      const cut = this.pending.length - XZ_FOOTER_HOLD;
      if (cut > 0) {
        const out = this.pending.subarray(0, cut);
        this.pending = this.pending.subarray(cut);
        emitted += cut;
        yield out;
      }
      if (!(await this.more())) {
        const out = this.pending;
        this.pending = Buffer.alloc(0);
        if (out.length > 0) yield out;
        return;
      }
    }
  }
}

/** An xz file: every stream of it, one after another. */
async function* xz(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (xzOpen > 0) throw new DecodeStop('nested', 'an xz stream inside an xz stream');
  const streams = new XzStreams(input[Symbol.asyncIterator]());
  for (let first = true; await streams.next(first); first = false) yield* xzStream(streams.stream());
}

/** The decoder for a compression that Node's zlib does not read. */
export function decode(kind: LibraryCompression, input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  switch (kind) {
    case 'zstd':
      return zstd(input);
    case 'xz':
      return xz(input);
    case 'bzip2':
      return bzip2(input);
  }
}
