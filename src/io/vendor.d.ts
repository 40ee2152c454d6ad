// Types for the untyped parts of io/'s dependencies: unbzip2-stream's block decoder and bit
// reader (its own stream wrapper is not used: it collects each block's output in a JS array).

declare module 'unbzip2-stream/lib/bit_iterator.js' {
  export interface BitReader {
    (n: number | null): number;
    bytesRead: number;
  }
  export default function bitIterator(nextBuffer: () => Uint8Array | undefined): BitReader;
}

declare module 'unbzip2-stream/lib/bzip2.js' {
  import type { BitReader } from 'unbzip2-stream/lib/bit_iterator.js';
  const bzip2: {
    /** Reads a stream header ('BZh' + level); returns the block size 1-9. Throws a Bzip2Error. */
    header(bits: BitReader): number;
    /** Decodes one block into `stream`; returns the running stream CRC, or null at the end of the stream. */
    decompress(bits: BitReader, stream: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number | null): number | null;
  };
  export default bzip2;
}
