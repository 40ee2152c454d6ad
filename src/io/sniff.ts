// Binary sniffing on the first bytes of a (decompressed) input: too many bytes that are neither
// printable ASCII, common whitespace/ANSI control, nor valid UTF-8 sequences (a NUL is one such
// byte: a log with a stray NUL is still text). UTF-8 text (Korean, µs) is text; the answer is a
// reason string, or null for text. UTF-16 and leading NUL runs are handled before (io/decode.ts).

const SNIFF_BYTES = 8 << 10;
const MAX_NON_TEXT = 0.3;

/** Length of the valid UTF-8 sequence starting at `i`, 0 when invalid, -1 when cut by the end. */
function utf8SeqLength(b: Uint8Array, i: number, end: number): number {
  const c = b[i] as number;
  let n: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) [n, min] = [2, 0x80];
  else if (c >= 0xe0 && c <= 0xef) [n, min] = [3, 0x800];
  else if (c >= 0xf0 && c <= 0xf4) [n, min] = [4, 0x10000];
  else return 0;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    if (i + k >= end) return -1;
    const d = b[i + k] as number;
    if ((d & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

function isTextControl(c: number): boolean {
  // \b \t \n \v \f \r and ESC (ANSI colours in logs)
  return (c >= 0x08 && c <= 0x0d) || c === 0x1b;
}

/** Why `head` looks binary, or null when it looks like text. Only the first 8 KiB are read. */
export function looksBinary(head: Buffer): string | null {
  const end = Math.min(head.length, SNIFF_BYTES);
  if (end === 0) return null;
  let nonText = 0;
  let i = 0;
  while (i < end) {
    const c = head[i] as number;
    if (c < 0x80) {
      if (c < 0x20 && !isTextControl(c)) nonText++;
      else if (c === 0x7f) nonText++;
      i++;
      continue;
    }
    const n = utf8SeqLength(head, i, end);
    if (n === -1) break;
    if (n === 0) {
      nonText++;
      i++;
    } else {
      i += n;
    }
  }
  if (nonText > MAX_NON_TEXT * end) return `more than ${Math.round(MAX_NON_TEXT * 100)}% non-text bytes`;
  return null;
}
