// Input discovery: turns the command line's paths into a sorted list of sources (files under
// directories via fast-glob, stdin as '-'), applying --include/--exclude, never following a
// symbolic link out of its root, and reporting missing or odd paths as problems.

import fg from 'fast-glob';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../core/index.js';

export interface FileSource {
  readonly kind: 'file';
  /** Absolute path on disk. */
  readonly absPath: string;
  /** Path shown in reports: the root as given joined with the path below it, '/'-separated. */
  readonly display: string;
  /** Evidence scope: files in the same scope are taken to come from the same host/process group. */
  readonly scope: string;
  readonly size: number;
}

export interface StdinSource {
  readonly kind: 'stdin';
  readonly display: '-';
  readonly scope: string;
}

export interface DirSource {
  readonly kind: 'dir';
  readonly absPath: string;
  readonly display: string;
  readonly scope: string;
}

export type Source = FileSource | StdinSource | DirSource;

export interface DiscoverOptions {
  readonly cwd: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Called for each directory before it is walked: true when it is a data directory (read as evidence, not walked). */
  readonly isDataDir?: (absDir: string) => Promise<boolean>;
}

export interface Discovered {
  readonly sources: readonly Source[];
  readonly problems: readonly Problem[];
}

/** Scope shared by files named one by one on the command line and stdin. */
export const COMMAND_LINE_SCOPE = '(command line)';

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function joinDisplay(root: string, rel: string): string {
  const r = toPosix(root).replace(/\/+$/, '');
  return r === '' || r === '.' ? rel : `${r}/${rel}`;
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function isCaptureManifest(abs: string): Promise<boolean> {
  try {
    const fh = await open(abs, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return /"tool"\s*:\s*\{[^}]*"name"\s*:\s*"mapmortem"/.test(buf.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

async function walkDir(
  rootArg: string,
  absRoot: string,
  opts: DiscoverOptions,
  sources: Source[],
  problems: Problem[],
  bundleScopes: Set<string>,
): Promise<void> {
  const realRoot = await realpath(absRoot);
  const dataDirs = new Set<string>();
  if (opts.isDataDir) {
    const subdirs = await fg('*', { cwd: absRoot, onlyDirectories: true, dot: false, followSymbolicLinks: false });
    for (const d of subdirs.sort()) {
      const abs = path.join(absRoot, d);
      if (await opts.isDataDir(abs)) {
        dataDirs.add(d);
        sources.push({ kind: 'dir', absPath: abs, display: joinDisplay(rootArg, d), scope: joinDisplay(rootArg, d.split('/')[0] ?? d) });
      }
    }
  }
  // A capture bundle (a directory holding mapmortem's manifest.json) is one scope, however deep its files.
  const manifests = await fg('**/manifest.json', { cwd: absRoot, ignore: [...opts.exclude], dot: true, followSymbolicLinks: false, suppressErrors: true });
  const bundles: string[] = [];
  for (const m of manifests.sort()) {
    if (await isCaptureManifest(path.join(absRoot, m))) bundles.push(path.posix.dirname(m) === '.' ? '' : path.posix.dirname(m));
  }
  bundles.sort((a, b) => b.length - a.length);
  const include = opts.include.length > 0 ? [...opts.include] : ['**/*'];
  const ignore = [...opts.exclude, ...[...dataDirs].map((d) => `${d}/**`)];
  const entries = await fg(include, {
    cwd: absRoot,
    ignore,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    unique: true,
    suppressErrors: true,
  });
  for (const rel of entries.sort()) {
    const abs = path.join(absRoot, rel);
    const display = joinDisplay(rootArg, rel);
    const first = rel.split('/')[0] ?? rel;
    const bundle = bundles.find((b) => b === '' || rel.startsWith(`${b}/`));
    const scope =
      bundle !== undefined ? (bundle === '' ? toPosix(rootArg) : joinDisplay(rootArg, bundle)) : rel.includes('/') ? joinDisplay(rootArg, first) : toPosix(rootArg);
    if (bundle !== undefined) bundleScopes.add(scope);
    let st;
    try {
      st = await lstat(abs);
    } catch (err) {
      problems.push({ code: 'unreadable', file: display, args: { reason: errReason(err) } });
      continue;
    }
    if (st.isDirectory()) continue;
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(abs);
      } catch {
        problems.push({ code: 'unreadable', file: display, args: { reason: 'dangling symbolic link' } });
        continue;
      }
      if (!isInside(realRoot, target)) {
        problems.push({ code: 'symlink-outside-root', file: display, args: { target } });
        continue;
      }
      const tst = await stat(target);
      if (!tst.isFile()) continue;
      sources.push({ kind: 'file', absPath: abs, display, scope, size: tst.size });
      continue;
    }
    if (!st.isFile()) {
      problems.push({ code: 'not-a-file', file: display, args: { kind: st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : 'device' } });
      continue;
    }
    sources.push({ kind: 'file', absPath: abs, display, scope, size: st.size });
  }
}

function errReason(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err) {
    const e = err as { code?: string; message?: string };
    return `${e.code ?? 'error'}: ${e.message ?? ''}`.trim();
  }
  return String(err);
}

/** Resolve the command line's paths into sources, sorted by display path (stdin first). */
export async function discover(paths: readonly string[], opts: DiscoverOptions): Promise<Discovered> {
  const sources: Source[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const bundleScopes = new Set<string>();
  for (const given of paths) {
    const p = given === '-' || given === '/' ? given : given.replace(/[\\/]+$/, '');
    if (p === '-') {
      if (!seen.has('-')) sources.push({ kind: 'stdin', display: '-', scope: COMMAND_LINE_SCOPE });
      seen.add('-');
      continue;
    }
    const abs = path.resolve(opts.cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') problems.push({ code: 'input-not-found', file: toPosix(p), args: {} });
      else problems.push({ code: 'unreadable', file: toPosix(p), args: { reason: errReason(err) } });
      continue;
    }
    if (st.isDirectory()) {
      if (opts.isDataDir && (await opts.isDataDir(abs))) {
        sources.push({ kind: 'dir', absPath: abs, display: toPosix(p), scope: toPosix(p) });
        continue;
      }
      try {
        await walkDir(p, abs, opts, sources, problems, bundleScopes);
      } catch (err) {
        problems.push({ code: 'unreadable', file: toPosix(p), args: { reason: errReason(err) } });
      }
    } else if (st.isFile()) {
      sources.push({ kind: 'file', absPath: abs, display: toPosix(p), scope: COMMAND_LINE_SCOPE, size: st.size });
    } else {
      problems.push({ code: 'not-a-file', file: toPosix(p), args: { kind: st.isFIFO() ? 'fifo' : 'device' } });
    }
  }
  // Logs named on the command line with exactly one capture bundle belong to that bundle's host.
  const onlyBundle = bundleScopes.size === 1 ? [...bundleScopes][0]! : undefined;
  const scoped = onlyBundle === undefined ? sources : sources.map((s) => (s.scope === COMMAND_LINE_SCOPE ? { ...s, scope: onlyBundle } : s));
  const unique = new Map<string, Source>();
  for (const s of scoped) if (!unique.has(s.display)) unique.set(s.display, s);
  const sorted = [...unique.values()].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  return { sources: sorted, problems };
}
