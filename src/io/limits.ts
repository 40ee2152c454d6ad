// What the decoders of io/decompress.ts share with their caller, apart from the decoders
// themselves (loaded lazily): the compressions they read, the burst bound of a decompression
// bomb, and DecodeStop, the data problem that ends a stream.

export type LibraryCompression = 'zstd' | 'xz' | 'bzip2';

/** Input fed to a push decoder per call: with BURST_BYTES, bounds what one call may produce. */
export const FEED_BYTES = 16 << 10;
/**
 * Most output one FEED_BYTES slice may give (a ratio of 4096:1). Logs compress 5-50:1, a very
 * repetitive one a few hundred to one; zstd's RLE blocks reach ~30,000:1 and bzip2 far more.
 */
export const BURST_BYTES = 64 << 20;
export const BURST_RATIO = BURST_BYTES / FEED_BYTES;

/** Why a decoder stopped before the end of its input: data problems, as values for `open`. */
export class DecodeStop extends Error {
  constructor(
    readonly why: 'truncated' | 'corrupt' | 'bomb' | 'nested',
    reason: string,
  ) {
    super(reason);
  }
}
