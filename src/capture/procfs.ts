// Safe reads of a live Linux /proc (or a fake one under a test root): whole files read to EOF
// (procfs reports size 0), bounded in size, with every failure turned into a reason string;
// process listing, command lines, map counts, status fields and the cgroup files of a process.

import { promises as fsp } from 'node:fs';
import path from 'node:path';

export type ReadResult = { ok: true; data: Buffer; truncated: boolean } | { ok: false; reason: string; code: string };

/** Largest file read whole (a maps file of 1M regions is about 100 MB). */
export const MAX_PROC_FILE_BYTES = 256 * 1024 * 1024;

/** Why a read failed, in words an operator can act on. */
export function describeError(err: unknown, file: string): { code: string; reason: string } {
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code?: unknown }).code) : 'EUNKNOWN';
  switch (code) {
    case 'ENOENT':
      return { code, reason: `${file} does not exist (the process has exited, or this kernel or host does not provide it)` };
    case 'ESRCH':
      return { code, reason: `${file}: the process has exited` };
    case 'EACCES':
    case 'EPERM':
      return { code, reason: `${file}: permission denied (run as root or as the process's user)` };
    case 'ENOTDIR':
      return { code, reason: `${file} does not exist (a path component is not a directory)` };
    default:
      return { code, reason: `${file}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Reads a file to EOF in chunks; never throws. */
export async function readWhole(file: string, maxBytes = MAX_PROC_FILE_BYTES): Promise<ReadResult> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(file, 'r');
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(256 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const take = Math.min(bytesRead, maxBytes - size);
      parts.push(buf.subarray(0, take));
      size += take;
      if (size >= maxBytes) return { ok: true, data: Buffer.concat(parts, size), truncated: true };
    }
    return { ok: true, data: Buffer.concat(parts, size), truncated: false };
  } catch (err) {
    return { ok: false, ...describeError(err, file) };
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Reads a small text file and trims it, or undefined. */
export async function readText(file: string): Promise<string | undefined> {
  const r = await readWhole(file, 1024 * 1024);
  return r.ok ? r.data.toString('utf8').trim() : undefined;
}

/** Counts newline-terminated lines of a file without keeping it (wc -l); undefined when unreadable. */
export async function countLines(file: string): Promise<{ ok: true; lines: number } | { ok: false; reason: string; code: string }> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(file, 'r');
    const buf = Buffer.allocUnsafe(256 * 1024);
    let lines = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      let at = buf.indexOf(10, 0);
      while (at !== -1 && at < bytesRead) {
        lines++;
        at = buf.indexOf(10, at + 1);
      }
    }
    return { ok: true, lines };
  } catch (err) {
    return { ok: false, ...describeError(err, file) };
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Numeric entries of the proc root, ascending. Empty when it cannot be listed. */
export async function listPids(procRoot: string): Promise<number[]> {
  try {
    const names = await fsp.readdir(procRoot);
    return names
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** A command line as text: NUL separators become spaces. '' for kernel threads or when unreadable. */
export function cmdlineText(raw: Buffer): string {
  return raw.toString('utf8').replace(/\0+$/, '').split('\0').join(' ').trim();
}

export async function readCmdline(procRoot: string, pid: number): Promise<string> {
  const r = await readWhole(path.join(procRoot, String(pid), 'cmdline'), 1024 * 1024);
  return r.ok ? cmdlineText(r.data) : '';
}

export interface StatusFields {
  name?: string;
  threads?: number;
  uid?: number;
}

/** Name, Threads and real Uid from /proc/<pid>/status text. */
export function parseStatusFields(text: string): StatusFields {
  const out: StatusFields = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value = ''] = m;
    if (key === 'Name') out.name = value.trim();
    else if (key === 'Threads' && /^\d+$/.test(value.trim())) out.threads = Number(value.trim());
    else if (key === 'Uid') {
      const first = value.trim().split(/\s+/)[0];
      if (first !== undefined && /^\d+$/.test(first)) out.uid = Number(first);
    }
  }
  return out;
}

/** vm.max_map_count from the proc root, or undefined. */
export async function readMaxMapCount(procRoot: string): Promise<number | undefined> {
  const t = await readText(path.join(procRoot, 'sys', 'vm', 'max_map_count'));
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
}

/** One line of /proc/<pid>/cgroup. */
export interface CgroupEntry {
  hierarchy: string;
  controllers: string[];
  path: string;
}

export function parseCgroupFile(text: string): CgroupEntry[] {
  const out: CgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    out.push({ hierarchy: m[1] ?? '', controllers: (m[2] ?? '').split(',').filter((c) => c !== ''), path: m[3] ?? '/' });
  }
  return out;
}

/** A cgroup filesystem mount from mountinfo: v1 with its controllers, or v2. */
export interface CgroupMount {
  version: 1 | 2;
  controllers: string[];
  root: string;
  mountPoint: string;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountinfo(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const fstype = right[0];
    const root = left[3];
    const mountPoint = left[4];
    if (root === undefined || mountPoint === undefined) continue;
    if (fstype === 'cgroup2') out.push({ version: 2, controllers: [], root: unescapeMount(root), mountPoint: unescapeMount(mountPoint) });
    else if (fstype === 'cgroup') {
      const opts = (right[2] ?? '').split(',');
      const controllers = opts.filter((o) => ['memory', 'pids', 'cpu', 'cpuacct', 'cpuset', 'blkio', 'devices', 'freezer'].includes(o) || o.startsWith('name='));
      out.push({ version: 1, controllers, root: unescapeMount(root), mountPoint: unescapeMount(mountPoint) });
    }
  }
  return out;
}

/** Cgroup files read for each controller, by cgroup version. */
export const CGROUP_FILES: Record<'v1-memory' | 'v1-pids' | 'v2', readonly string[]> = {
  'v1-memory': ['memory.limit_in_bytes', 'memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.failcnt', 'memory.stat'],
  'v1-pids': ['pids.max', 'pids.current'],
  v2: ['memory.max', 'memory.current', 'memory.peak', 'memory.events', 'memory.swap.max', 'pids.max', 'pids.current'],
};

export interface CgroupDir {
  /** Bundle subdirectory: 'memory', 'pids' (v1) or '' (v2, flat). */
  label: string;
  version: 1 | 2;
  dir: string;
  files: readonly string[];
}

/** Where a process's memory and pids cgroup directories are, from its cgroup file and the mounts. */
export function cgroupDirs(entries: readonly CgroupEntry[], mounts: readonly CgroupMount[]): CgroupDir[] {
  const out: CgroupDir[] = [];
  const locate = (mount: CgroupMount, cgPath: string): string => {
    // The cgroup path is relative to the hierarchy root; the mount may expose a sub-tree of it.
    const rel = mount.root !== '/' && (cgPath === mount.root || cgPath.startsWith(`${mount.root}/`)) ? cgPath.slice(mount.root.length) : cgPath;
    return path.join(mount.mountPoint, rel);
  };
  for (const e of entries) {
    if (e.hierarchy === '0' && e.controllers.length === 0) {
      const m = mounts.find((x) => x.version === 2);
      if (m) out.push({ label: '', version: 2, dir: locate(m, e.path), files: CGROUP_FILES.v2 });
      continue;
    }
    for (const c of ['memory', 'pids'] as const) {
      if (!e.controllers.includes(c)) continue;
      const m = mounts.find((x) => x.version === 1 && x.controllers.includes(c));
      if (m) out.push({ label: c, version: 1, dir: locate(m, e.path), files: CGROUP_FILES[c === 'memory' ? 'v1-memory' : 'v1-pids'] });
    }
  }
  return out;
}
