// A minimal ustar writer for capture bundles: regular files and directories with POSIX
// ustar headers (long names split into prefix + name), gzip-compressed with node:zlib.
// No dependency; what it writes is read by GNU tar, bsdtar and the scanner's tar opener.

import { gzipSync } from 'node:zlib';

export interface TarEntry {
  /** '/'-separated path inside the archive; a trailing '/' makes a directory. */
  name: string;
  data?: Buffer;
  mode?: number;
  mtime: Date;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return { prefix, base };
  }
  throw new Error(`tar: path too long for a ustar header: ${name}`);
}

function header(entry: TarEntry, size: number, dir: boolean): Buffer {
  const h = Buffer.alloc(512, 0);
  const { prefix, base } = splitName(entry.name);
  h.write(base, 0, 100, 'utf8');
  h.write(octal(entry.mode ?? (dir ? 0o755 : 0o644), 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(Math.floor(entry.mtime.getTime() / 1000), 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write(dir ? '5' : '0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** The uncompressed tar stream of the entries, in the order given. */
export function tarBuffer(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const dir = e.name.endsWith('/');
    const data = dir ? Buffer.alloc(0) : (e.data ?? Buffer.alloc(0));
    parts.push(header(e, data.length, dir));
    if (data.length > 0) {
      parts.push(data);
      const pad = (512 - (data.length % 512)) % 512;
      if (pad > 0) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}

export function tarGz(entries: readonly TarEntry[]): Buffer {
  return gzipSync(tarBuffer(entries));
}
