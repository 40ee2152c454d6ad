// `scan --files-from LIST`: the paths a list names, one a line, as `find … -print` or a per-host
// manifest writes them. Blank lines and `#` comment lines are skipped, each path is trimmed;
// a listed path is taken exactly like a command-line argument (relative to the working directory).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type CliIO } from './context.js';

/** One path of a list, with the 1-based line it was read from. */
export interface ListedPath {
  readonly path: string;
  readonly line: number;
}

export type PathList =
  { readonly ok: true; readonly paths: readonly ListedPath[]; readonly lines: number } | { readonly ok: false; readonly line: number; readonly reason: string };

/** The paths a list names, or the first line that cannot be a path and why. */
export function parsePathList(text: string): PathList {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const paths: ListedPath[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.includes('\u0000')) {
      return { ok: false, line: i + 1, reason: 'holds a NUL byte: the list looks like `find -print0` output; write one path a line (`find … -print`)' };
    }
    const p = raw.trim();
    if (p === '' || p.startsWith('#')) continue;
    if (p === '-') return { ok: false, line: i + 1, reason: 'is "-": stdin cannot be listed; give - on the command line instead' };
    paths.push({ path: p, line: i + 1 });
  }
  return { ok: true, paths, lines: lines.length };
}

/** Longest list read: a list of paths, not a log given by mistake (10,000 paths are about 1 MB). */
export const MAX_LIST_BYTES = 64 * 1024 * 1024;

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_LIST_BYTES) break;
    parts.push(b);
  }
  return size > MAX_LIST_BYTES ? Buffer.alloc(MAX_LIST_BYTES + 1) : Buffer.concat(parts);
}

/**
 * Reads each --files-from list (a file, or - for stdin) into paths, in list order. Every failure
 * here is a usage error naming the list (and line): it stops the scan before any log is read.
 * Returns the paths and, per path, where it was listed ("hosts.txt:12") for the not-found problem.
 */
export async function readPathLists(lists: readonly string[], io: CliIO): Promise<{ paths: string[]; listedAt: Map<string, string> }> {
  const paths: string[] = [];
  const listedAt = new Map<string, string>();
  for (const list of lists) {
    let buf: Buffer;
    if (list === '-') {
      if (!io.stdin) throw new UsageError('--files-from -: there is no standard input to read the list from');
      buf = await readAll(io.stdin);
    } else {
      try {
        buf = await readFile(path.resolve(io.cwd, list));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? String(err);
        throw new UsageError(`--files-from ${list}: the list cannot be read (${code}); nothing was scanned`);
      }
    }
    const shown = list === '-' ? '(stdin)' : list;
    if (buf.length > MAX_LIST_BYTES) {
      throw new UsageError(`--files-from ${list}: longer than ${MAX_LIST_BYTES / 1024 / 1024} MiB; a list names paths, one a line (was a log given as the list?)`);
    }
    const parsed = parsePathList(buf.toString('utf8'));
    if (!parsed.ok) throw new UsageError(`--files-from ${list}: line ${parsed.line} ${parsed.reason}; nothing was scanned`);
    if (parsed.paths.length === 0) {
      throw new UsageError(`--files-from ${list}: names no path (${parsed.lines} lines, all blank or # comments); nothing to scan`);
    }
    for (const p of parsed.paths) {
      paths.push(p.path);
      if (!listedAt.has(p.path)) listedAt.set(p.path, `${shown}:${p.line}`);
    }
  }
  return { paths, listedAt };
}
