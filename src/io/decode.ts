// Odd text encodings, made ordinary before the scanner sees them: UTF-16 logs (LE/BE, with or
// without a BOM, as Windows services and some JVM redirects write them) decoded to UTF-8, and the
// leading NUL run that logrotate's copytruncate leaves dropped. Streaming, a chunk at a time.

import { StringDecoder } from 'node:string_decoder';

export type Utf16 = 'UTF-16LE' | 'UTF-16BE';

/** UTF-16 by its BOM, or by the zero high (LE) / low (BE) bytes of mostly-ASCII text; else null. */
export function detectUtf16(head: Buffer): Utf16 | null {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'UTF-16LE';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'UTF-16BE';
  const n = Math.min(head.length, 8192) & ~1;
  if (n < 16) return null;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) zeroEven++;
    if (head[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (zeroOdd > pairs * 0.7 && zeroEven < pairs * 0.05) return 'UTF-16LE';
  if (zeroEven > pairs * 0.7 && zeroOdd < pairs * 0.05) return 'UTF-16BE';
  return null;
}

/** Re-yields `first` then the rest of `it`; returning early returns `it` (the opener closes its file). */
export async function* rechain(first: Buffer | undefined, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  let finished = false;
  try {
    if (first) yield first;
    for (;;) {
      const n = await rest.next();
      if (n.done) {
        finished = true;
        return;
      }
      yield n.value;
    }
  } finally {
    if (!finished) await rest.return?.();
  }
}

/** UTF-8 chunks of a UTF-16 stream (the BOM dropped); an odd last byte is dropped as U+FFFD. */
export async function* decodeUtf16(enc: Utf16, chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const dec = new StringDecoder('utf16le');
  let carry: number | null = null;
  let start = true;
  for await (const c of chunks) {
    let b = c;
    if (enc === 'UTF-16BE') {
      const joined: Buffer = carry === null ? c : Buffer.concat([Buffer.of(carry), c]);
      const even: number = joined.length & ~1;
      carry = even < joined.length ? (joined[even] as number) : null;
      b = Buffer.from(joined.subarray(0, even));
      b.swap16();
    }
    let s = dec.write(b);
    if (start && s.length > 0) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      start = false;
    }
    if (s.length > 0) yield Buffer.from(s, 'utf8');
  }
  const tail = dec.end();
  if (tail.length > 0) yield Buffer.from(tail, 'utf8');
}

/** Drops the NUL bytes at the very start of a stream (however long the run); `dropped()` counts them. */
export function stripLeadingNuls(chunks: AsyncIterable<Buffer>): { chunks: AsyncGenerator<Buffer>; dropped: () => number } {
  let dropped = 0;
  const gen = async function* (): AsyncGenerator<Buffer> {
    let leading = true;
    for await (const c of chunks) {
      if (!leading) {
        yield c;
        continue;
      }
      let i = 0;
      while (i < c.length && c[i] === 0) i++;
      dropped += i;
      if (i === c.length) continue;
      leading = false;
      yield i === 0 ? c : c.subarray(i);
    }
  };
  return { chunks: gen(), dropped: () => dropped };
}

/** NUL bytes in a buffer. */
export function countNuls(b: Buffer): number {
  let n = 0;
  for (let at = b.indexOf(0); at !== -1; at = b.indexOf(0, at + 1)) n++;
  return n;
}
