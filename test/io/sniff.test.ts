import { describe, expect, it } from 'vitest';
import { looksBinary } from '../../src/io/sniff.js';

describe('looksBinary', () => {
  it('keeps a log with a stray NUL byte as text, and calls mostly-NUL data binary', () => {
    expect(looksBinary(Buffer.from('hello\0world\n'.repeat(20)))).toBeNull();
    expect(looksBinary(Buffer.concat([Buffer.from('ab'), Buffer.alloc(4000)]))).toBe('more than 30% non-text bytes');
  });

  it('ignores NUL bytes after the first 8 KiB', () => {
    expect(looksBinary(Buffer.concat([Buffer.alloc(8192, 'a'), Buffer.from([0])]))).toBeNull();
  });

  it('calls random high bytes binary', () => {
    const b = Buffer.alloc(4096);
    for (let i = 0; i < b.length; i++) b[i] = 0x80 + ((i * 37) % 0x40);
    expect(looksBinary(b)).toBe('more than 30% non-text bytes');
  });

  it('calls UTF-8 text with Korean, µs and ANSI colours text', () => {
    const t = '\x1b[32mINFO\x1b[0m 카프카 브로커 시작 지연 120µs\r\n'.repeat(200);
    expect(looksBinary(Buffer.from(t))).toBeNull();
  });

  it('accepts a head cut in the middle of a UTF-8 character, and an empty head', () => {
    const b = Buffer.from('카'.repeat(3000)).subarray(0, 8191);
    expect(looksBinary(b)).toBeNull();
    expect(looksBinary(Buffer.alloc(0))).toBeNull();
  });

  it('tolerates a few latin1 bytes in ASCII text', () => {
    const b = Buffer.from(`caf\xe9 ok\n`.repeat(100), 'latin1');
    expect(looksBinary(b)).toBeNull();
  });
});
