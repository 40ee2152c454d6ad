// Input discovery: turns the command line's paths into a sorted list of sources (files under
// directories via fast-glob, stdin as '-'), applying --include/--exclude, never following a
// symbolic link out of its root, and reporting missing or odd paths as problems.

import type { Options as GlobOptions } from 'fast-glob';
import { constants as fsConstants, lstatSync, readdir as readdirCb, readdirSync, type Dirent } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import picomatch from 'picomatch';
import path from 'node:path';
import { COMMAND_LINE_SCOPE, type FileSource, type Problem, type Source } from '../core/index.js';

export type { DirSource, FileSource, MemberSource, ScannableSource, Source, StdinSource } from '../core/index.js';
export { COMMAND_LINE_SCOPE } from '../core/index.js';

const loadFastGlob = () => import('fast-glob');
let fastGlob: ReturnType<typeof loadFastGlob> | undefined;

/** fast-glob, imported on first use: a scan of files named one by one never loads it. */
async function fg(patterns: string | string[], options: GlobOptions): Promise<string[]> {
  const mod = await (fastGlob ??= loadFastGlob());
  return mod.default(patterns, options);
}

export interface DiscoverOptions {
  readonly cwd: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Called for each directory before it is walked: true when it is a data directory (read as evidence, not walked). */
  readonly isDataDir?: (absDir: string) => Promise<boolean>;
  /** Paths read from a --files-from list, and where ("hosts.txt:12"): a missing one says so. */
  readonly listedAt?: ReadonlyMap<string, string>;
}

export interface Discovered {
  readonly sources: readonly Source[];
  readonly problems: readonly Problem[];
}

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

/** Opens read-only without touching the access time when the kernel allows it (inputs are evidence). */
async function openNoAtime(abs: string): ReturnType<typeof open> {
  const noAtime = fsConstants.O_NOATIME ?? 0;
  if (noAtime !== 0) {
    try {
      return await open(abs, fsConstants.O_RDONLY | noAtime);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return open(abs, fsConstants.O_RDONLY);
}

const idOf = (st: { dev: number; ino: number }): string => `${st.dev}:${st.ino}`;

/**
 * A fast-glob fs adapter that records the directories it could not list (fast-glob would drop
 * them silently with suppressErrors), so an unreadable subdirectory is a problem in the report.
 */
function recordingFs(absRoot: string, rootArg: string, problems: Problem[]): { readdir: typeof readdirCb } {
  const readdir = ((dir: string, opts: unknown, cb?: unknown) => {
    const done = (typeof opts === 'function' ? opts : cb) as (err: NodeJS.ErrnoException | null, v?: unknown) => void;
    const options = typeof opts === 'function' ? undefined : opts;
    const after = (err: NodeJS.ErrnoException | null, v?: unknown): void => {
      if (err && err.code !== 'ENOENT') {
        const rel = toPosix(path.relative(absRoot, dir));
        problems.push({
          code: 'unreadable',
          file: rel === '' ? toPosix(rootArg) : joinDisplay(rootArg, rel),
          args: { reason: `directory cannot be listed (${errReason(err)}); the files below it were not scanned` },
        });
      }
      done(err, v);
    };
    if (options === undefined) readdirCb(dir, after as never);
    else readdirCb(dir, options as never, after as never);
  }) as unknown as typeof readdirCb;
  return { readdir };
}

async function isCaptureManifest(abs: string): Promise<boolean> {
  try {
    const fh = await openNoAtime(abs);
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

/**
 * Every non-directory entry below absRoot ('/'-separated, relative), as fast-glob's `**\/*` with
 * dot files, no symlink following and `exclude` as ignore patterns (a matching directory is not
 * entered), plus the capture manifests (manifest.json) among them. An unreadable folder is a problem.
 */
function walkTree(absRoot: string, rootArg: string, exclude: readonly string[], problems: Problem[]): { entries: string[]; manifests: string[] } {
  const ignored = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false;
  const entries: string[] = [];
  const manifests: string[] = [];
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    let list: Dirent[];
    try {
      list = readdirSync(rel === '' ? absRoot : path.join(absRoot, rel), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        const file = rel === '' ? toPosix(rootArg) : joinDisplay(rootArg, rel);
        problems.push({ code: 'unreadable', file, args: { reason: `directory cannot be listed (${errReason(err)}); the files below it were not scanned` } });
      }
      continue;
    }
    for (const d of list) {
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      if (ignored(r)) continue;
      if (d.isDirectory()) stack.push(r);
      else {
        entries.push(r);
        if (d.name === 'manifest.json') manifests.push(r);
      }
    }
  }
  return { entries, manifests };
}

async function walkDir(rootArg: string, absRoot: string, opts: DiscoverOptions, sources: Source[], problems: Problem[]): Promise<void> {
  const realRoot = await realpath(absRoot);
  const dataDirs = new Set<string>();
  if (opts.isDataDir) {
    const subdirs = await fg('*', { cwd: absRoot, onlyDirectories: true, dot: false, followSymbolicLinks: false });
    for (const d of subdirs.sort()) {
      const abs = path.join(absRoot, d);
      if (await opts.isDataDir(abs)) {
        dataDirs.add(d);
        const unit = joinDisplay(rootArg, d.split('/')[0] ?? d);
        sources.push({ kind: 'dir', absPath: abs, display: joinDisplay(rootArg, d), scope: toPosix(rootArg), root: toPosix(rootArg), unit });
      }
    }
  }
  // A capture bundle (a directory holding mapmortem's manifest.json) is one scope, however deep its files.
  // Without --include globs one plain walk finds both the files and the capture manifests
  // (fast-glob costs 5-10x more on a tree of small files); with globs, fast-glob matches them.
  const walked = opts.include.length === 0 ? walkTree(absRoot, rootArg, opts.exclude, problems) : undefined;
  const manifests = walked?.manifests ?? (await fg('**/manifest.json', { cwd: absRoot, ignore: [...opts.exclude], dot: true, followSymbolicLinks: false, suppressErrors: true }));
  const bundles: string[] = [];
  for (const m of manifests.sort()) {
    if (await isCaptureManifest(path.join(absRoot, m))) bundles.push(path.posix.dirname(m) === '.' ? '' : path.posix.dirname(m));
  }
  bundles.sort((a, b) => b.length - a.length);
  const include = opts.include.length > 0 ? [...opts.include] : ['**/*'];
  const ignore = [...opts.exclude, ...[...dataDirs].map((d) => `${d}/**`)];
  const entries = walked
    ? walked.entries.filter((rel) => ![...dataDirs].some((d) => rel === d || rel.startsWith(`${d}/`)))
    : await fg(include, {
        cwd: absRoot,
        ignore,
        dot: true,
        onlyFiles: false,
        followSymbolicLinks: false,
        unique: true,
        suppressErrors: true,
        fs: recordingFs(absRoot, rootArg, problems),
      });
  for (const rel of entries.sort()) {
    const abs = path.join(absRoot, rel);
    const display = joinDisplay(rootArg, rel);
    const first = rel.split('/')[0] ?? rel;
    const bundleRel = bundles.find((b) => b === '' || rel.startsWith(`${b}/`));
    const bundle = bundleRel === undefined ? undefined : bundleRel === '' ? toPosix(rootArg) : joinDisplay(rootArg, bundleRel);
    const unit = rel.includes('/') ? joinDisplay(rootArg, first) : toPosix(rootArg);
    const place = { root: toPosix(rootArg), unit, ...(bundle !== undefined ? { bundle } : {}) };
    const scope = bundle ?? toPosix(rootArg);
    let st;
    try {
      st = lstatSync(abs);
    } catch (err) {
      problems.push({ code: 'unreadable', file: display, args: { reason: errReason(err) } });
      continue;
    }
    if (st.isDirectory()) continue;
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(abs);
      } catch (err) {
        const loop = (err as NodeJS.ErrnoException).code === 'ELOOP';
        problems.push(loop ? { code: 'symlink-loop', file: display, args: {} } : { code: 'unreadable', file: display, args: { reason: 'dangling symbolic link' } });
        continue;
      }
      if (!isInside(realRoot, target)) {
        problems.push({ code: 'symlink-outside-root', file: display, args: { target } });
        continue;
      }
      const tst = await stat(target);
      if (!tst.isFile()) continue;
      sources.push({ kind: 'file', absPath: abs, display, scope, size: tst.size, id: idOf(tst), ...place });
      continue;
    }
    if (!st.isFile()) {
      problems.push({ code: 'not-a-file', file: display, args: { kind: st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : 'device' } });
      continue;
    }
    sources.push({ kind: 'file', absPath: abs, display, scope, size: st.size, id: idOf(st), ...place });
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
  for (const given of paths) {
    const p = given === '-' || given === '/' ? given : given.replace(/[\\/]+$/, '');
    if (p === '-') {
      if (!seen.has('-')) sources.push({ kind: 'stdin', display: '-', scope: COMMAND_LINE_SCOPE, root: COMMAND_LINE_SCOPE, unit: COMMAND_LINE_SCOPE });
      seen.add('-');
      continue;
    }
    const abs = path.resolve(opts.cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      const code = (err as { code?: string }).code;
      const listed = opts.listedAt?.get(given);
      if (code === 'ENOENT' || code === 'ENOTDIR') problems.push({ code: 'input-not-found', file: toPosix(p), args: listed !== undefined ? { listed } : {} });
      else problems.push({ code: 'unreadable', file: toPosix(p), args: { reason: errReason(err) } });
      continue;
    }
    if (st.isDirectory()) {
      if (opts.isDataDir && (await opts.isDataDir(abs))) {
        sources.push({ kind: 'dir', absPath: abs, display: toPosix(p), scope: toPosix(p), root: toPosix(p), unit: toPosix(p) });
        continue;
      }
      try {
        await walkDir(p, abs, opts, sources, problems);
      } catch (err) {
        problems.push({ code: 'unreadable', file: toPosix(p), args: { reason: errReason(err) } });
      }
    } else if (st.isFile()) {
      sources.push({ kind: 'file', absPath: abs, display: toPosix(p), scope: COMMAND_LINE_SCOPE, size: st.size, root: COMMAND_LINE_SCOPE, unit: COMMAND_LINE_SCOPE, id: idOf(st) });
    } else {
      problems.push({ code: 'not-a-file', file: toPosix(p), args: { kind: st.isFIFO() ? 'fifo' : 'device' } });
    }
  }
  const unique = new Map<string, Source>();
  for (const s of sources) if (!unique.has(s.display)) unique.set(s.display, s);
  const sorted = [...unique.values()].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  // The same file under several names is read once: the name found under a directory (its scope
  // is known) wins over one given on the command line, then the first in sorted order.
  const first = new Map<string, FileSource>();
  for (const s of sorted) {
    if (s.kind !== 'file') continue;
    const had = first.get(s.id);
    if (!had || (had.root === COMMAND_LINE_SCOPE && s.root !== COMMAND_LINE_SCOPE)) first.set(s.id, s);
  }
  const kept = sorted.filter((s) => s.kind !== 'file' || first.get(s.id) === s);
  for (const s of sorted) {
    if (s.kind === 'file' && first.get(s.id) !== s) problems.push({ code: 'duplicate-input', file: s.display, args: { same: first.get(s.id)!.display } });
  }
  return { sources: kept, problems };
}
