// `mapmortem capture`: saves the evidence of a live process and its host as a bundle that
// `scan` reads later: raw /proc, /proc/sys and cgroup files kept verbatim, data-dir listings,
// and manifest.json saying what was and was not readable and why. A directory or a .tar.gz.

import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cgroupDirs, cmdlineText, listPids, parseCgroupFile, parseMountinfo, readCmdline, readWhole, type ReadResult } from './procfs.js';
import { tarGz, type TarEntry } from './tar.js';

export interface CaptureOptions {
  pid?: number;
  /** A regular expression matched against each process's command line. */
  name?: string;
  /** A directory, or a .tar.gz archive when the name ends so. */
  output: string;
  dataDirs?: string[];
  /** Default '/proc'; tests point it at a fake tree. */
  procRoot?: string;
  now: () => Date;
  version: string;
  /** Test seam: runs after the process files are read, before they are checked (a process exiting or exec'ing then). */
  afterProcessRead?: () => Promise<void>;
}

/** 'changed': read while the process exited, was replaced or changed; the data is kept but not trusted whole. */
export type ManifestFileStatus = 'ok' | 'truncated' | 'changed' | 'missing' | 'unreadable';

export interface ManifestFile {
  /** Path inside the bundle ('/'-separated). */
  path: string;
  /** Where it was read from on the host. */
  source: string;
  status: ManifestFileStatus;
  bytes: number;
  reason?: string;
}

export interface Manifest {
  schemaVersion: 1;
  tool: { name: 'mapmortem'; version: string };
  capturedAt: string;
  hostname: string;
  platform: string;
  kernel: string;
  uid?: number;
  pid?: number;
  commandLine?: string;
  /** Map count and limit at capture time, for a reader that does not parse the files. */
  mapCount?: number;
  maxMapCount?: number;
  files: ManifestFile[];
  /** Whether the process stayed the same process while it was read; when not, why (the maps count is then a lower bound). */
  integrity?: { stable: boolean; reasons: string[] };
  dataDirs: { dir: string; path: string; entries: number; complete: boolean; reason?: string }[];
  warnings: string[];
}

export type CaptureResult = { ok: true; bundle: string; manifest: Manifest; warnings: string[] } | { ok: false; message: string; candidates?: { pid: number; cmdline: string }[] };

const PROCESS_FILES = ['maps', 'smaps_rollup', 'status', 'limits', 'cmdline', 'cgroup'] as const;
const HOST_FILES = [
  'sys/vm/max_map_count',
  'sys/vm/overcommit_memory',
  'sys/vm/overcommit_ratio',
  'sys/kernel/threads-max',
  'sys/kernel/pid_max',
  'sys/kernel/osrelease',
  'meminfo',
] as const;
/** Entries a data-dir walk lists before it stops. */
const MAX_LISTING_ENTRIES = 2_000_000;
const MAX_LISTING_DEPTH = 8;

interface Collected {
  entries: Map<string, Buffer>;
  files: ManifestFile[];
}

function record(c: Collected, bundlePath: string, source: string, r: ReadResult): void {
  if (r.ok) {
    c.entries.set(bundlePath, r.data);
    const f: ManifestFile = { path: bundlePath, source, status: r.truncated ? 'truncated' : 'ok', bytes: r.data.length };
    if (r.truncated) f.reason = `cut at ${r.data.length} bytes`;
    c.files.push(f);
    return;
  }
  const missing = r.code === 'ENOENT' || r.code === 'ESRCH' || r.code === 'ENOTDIR';
  c.files.push({ path: bundlePath, source, status: missing ? 'missing' : 'unreadable', bytes: 0, reason: r.reason });
}

/** Processes whose command line matches the pattern, except this one. */
async function findByName(procRoot: string, pattern: RegExp): Promise<{ pid: number; cmdline: string }[]> {
  const out: { pid: number; cmdline: string }[] = [];
  for (const pid of await listPids(procRoot)) {
    if (pid === process.pid) continue;
    const cmdline = await readCmdline(procRoot, pid);
    if (cmdline !== '' && pattern.test(cmdline)) out.push({ pid, cmdline });
  }
  return out;
}

/** A find-style listing of a directory: the root, then every path below it, sorted; no symlink is followed. */
async function listDir(root: string): Promise<{ lines: string[]; complete: boolean; reason?: string }> {
  const lines: string[] = [];
  let complete = true;
  let reason: string | undefined;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (lines.length >= MAX_LISTING_ENTRIES) return;
    let names: string[];
    try {
      names = (await fsp.readdir(dir)).sort();
    } catch (err) {
      complete = false;
      reason ??= `${dir}: ${err instanceof Error ? err.message : String(err)}`;
      return;
    }
    for (const n of names) {
      if (lines.length >= MAX_LISTING_ENTRIES) {
        complete = false;
        reason ??= `stopped after ${MAX_LISTING_ENTRIES} entries`;
        return;
      }
      const p = path.join(dir, n);
      lines.push(p);
      let st;
      try {
        st = await fsp.lstat(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (depth + 1 > MAX_LISTING_DEPTH) {
          complete = false;
          reason ??= `not read below depth ${MAX_LISTING_DEPTH}`;
        } else await walk(p, depth + 1);
      }
    }
  };
  lines.push(root);
  await walk(root, 0);
  return reason === undefined ? { lines, complete } : { lines, complete, reason };
}

function dataDirName(dir: string, used: Set<string>): string {
  const base = path.basename(path.resolve(dir)).replace(/[^\w.-]+/g, '_') || 'root';
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
  used.add(name);
  return name;
}

async function writeBundle(output: string, entries: Map<string, Buffer>, mtime: Date): Promise<string> {
  const sorted = [...entries.keys()].sort();
  if (/\.(tar\.gz|tgz)$/.test(output)) {
    const dirs = new Set<string>();
    for (const p of sorted) {
      const segs = p.split('/');
      for (let i = 1; i < segs.length; i++) dirs.add(`${segs.slice(0, i).join('/')}/`);
    }
    const top = path.basename(output).replace(/\.(tar\.gz|tgz)$/, '');
    const tarEntries: TarEntry[] = [
      { name: `${top}/`, mtime },
      ...[...dirs].sort().map((d) => ({ name: `${top}/${d}`, mtime })),
      ...sorted.map((p) => ({ name: `${top}/${p}`, data: entries.get(p)!, mtime })),
    ];
    await fsp.mkdir(path.dirname(path.resolve(output)), { recursive: true });
    await fsp.writeFile(output, tarGz(tarEntries));
    return output;
  }
  await fsp.mkdir(output, { recursive: true });
  for (const p of sorted) {
    const dest = path.join(output, ...p.split('/'));
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.writeFile(dest, entries.get(p)!);
  }
  return output;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Captures a process (by pid or command-line pattern) and its host into a bundle. Never throws on host data. */
export async function capture(opts: CaptureOptions): Promise<CaptureResult> {
  const procRoot = opts.procRoot ?? '/proc';
  const warnings: string[] = [];
  let pattern: RegExp | undefined;
  if (opts.name !== undefined) {
    try {
      pattern = new RegExp(opts.name);
    } catch (err) {
      return { ok: false, message: `--name is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  if (opts.pid !== undefined && (!Number.isInteger(opts.pid) || opts.pid <= 0)) {
    return { ok: false, message: `--pid must be a positive integer, got ${opts.pid}` };
  }
  const haveProc = (await exists(path.join(procRoot, 'meminfo'))) || (await exists(path.join(procRoot, 'self')));
  if (!haveProc) {
    warnings.push(
      process.platform === 'linux'
        ? `${procRoot} is not readable: the bundle holds only the manifest and the data-dir listings`
        : `this is ${process.platform}, not Linux: there is no ${procRoot}, so the bundle holds only the manifest and the data-dir listings (run capture on the Linux host)`,
    );
  }
  let pid = opts.pid;
  if (pid === undefined && pattern !== undefined) {
    const found = await findByName(procRoot, pattern);
    if (found.length === 0) return { ok: false, message: `no process has a command line matching /${opts.name}/` };
    if (found.length > 1) {
      return {
        ok: false,
        message: `${found.length} processes have a command line matching /${opts.name}/; choose one with --pid`,
        candidates: found,
      };
    }
    pid = found[0]!.pid;
  }

  const c: Collected = { entries: new Map(), files: [] };
  let commandLine: string | undefined;
  let uid: number | undefined;
  let integrity: Manifest['integrity'];
  if (pid !== undefined) {
    const pidDir = path.join(procRoot, String(pid));
    if (haveProc && !(await exists(pidDir))) {
      warnings.push(`process ${pid} does not exist (it has exited, or the pid is wrong): the bundle holds the host files only`);
    }
    const startBefore = await startTime(pidDir);
    for (const f of PROCESS_FILES) record(c, `proc/${pid}/${f}`, path.join(pidDir, f), await readWhole(path.join(pidDir, f)));
    await opts.afterProcessRead?.();
    integrity = await checkStable(pidDir, startBefore, c.entries.get(`proc/${pid}/maps`));
    if (!integrity.stable) {
      const maps = c.files.find((f) => f.path === `proc/${pid}/maps`);
      if (maps && maps.status === 'ok') {
        maps.status = 'changed';
        maps.reason = integrity.reasons.join('; ');
      }
      warnings.push(`process ${pid} changed while it was captured (${integrity.reasons.join('; ')}): its map count is a lower bound, not a trusted snapshot`);
    }
    const cmd = c.entries.get(`proc/${pid}/cmdline`);
    if (cmd) commandLine = cmdlineText(cmd);
    const status = c.entries.get(`proc/${pid}/status`);
    const uidLine = status ? /^Uid:\s*(\d+)/m.exec(status.toString('utf8')) : null;
    if (uidLine) uid = Number(uidLine[1]);
    const maps = c.files.find((f) => f.path === `proc/${pid}/maps`);
    if (maps && maps.status === 'unreadable' && haveProc) {
      warnings.push(`the maps of process ${pid} are not readable (${maps.reason}); run capture as root or as the process's user`);
    }
  }
  for (const f of HOST_FILES) record(c, `proc/${f}`, path.join(procRoot, f), await readWhole(path.join(procRoot, f)));

  // The process's cgroup memory and pids files, found through its cgroup file and our mounts.
  const cgroupFile = pid !== undefined ? c.entries.get(`proc/${pid}/cgroup`) : undefined;
  if (cgroupFile) {
    const mountinfo = await readWhole(path.join(procRoot, 'self', 'mountinfo'));
    const mounts = mountinfo.ok ? parseMountinfo(mountinfo.data.toString('utf8')) : [];
    const dirs = cgroupDirs(parseCgroupFile(cgroupFile.toString('utf8')), mounts);
    if (dirs.length === 0) warnings.push('no memory or pids cgroup of the process was found among the mounted cgroup filesystems');
    for (const d of dirs) {
      for (const f of d.files) {
        const bundlePath = d.label === '' ? `cgroup/${f}` : `cgroup/${d.label}/${f}`;
        const r = await readWhole(path.join(d.dir, f), 16 * 1024 * 1024);
        const absent = !r.ok && r.code === 'ENOENT';
        record(c, bundlePath, path.join(d.dir, f), absent ? { ...r, reason: `not in ${d.dir} (the root cgroup and a controller not enabled there have none)` } : r);
      }
    }
  }

  const dataDirs: Manifest['dataDirs'] = [];
  const used = new Set<string>();
  for (const dir of opts.dataDirs ?? []) {
    const name = dataDirName(dir, used);
    const bundlePath = `data-dirs/${name}.find.txt`;
    const abs = path.resolve(dir);
    const listing = await listDir(abs);
    if (listing.lines.length <= 1 && listing.reason !== undefined) {
      dataDirs.push({ dir: abs, path: bundlePath, entries: 0, complete: false, reason: listing.reason });
      warnings.push(`data dir ${abs} could not be listed: ${listing.reason}`);
      continue;
    }
    c.entries.set(bundlePath, Buffer.from(`${listing.lines.join('\n')}\n`));
    const entry: Manifest['dataDirs'][number] = { dir: abs, path: bundlePath, entries: listing.lines.length - 1, complete: listing.complete };
    if (listing.reason !== undefined) entry.reason = listing.reason;
    dataDirs.push(entry);
  }

  const osrelease = c.entries.get('proc/sys/kernel/osrelease')?.toString('utf8').trim();
  const maxMap = c.entries.get('proc/sys/vm/max_map_count')?.toString('utf8').trim();
  const mapsBuf = pid !== undefined ? c.entries.get(`proc/${pid}/maps`) : undefined;
  const unreadable = c.files.filter((f) => f.status === 'unreadable');
  if (unreadable.length > 0 && haveProc) {
    const self = typeof process.getuid === 'function' ? process.getuid() : undefined;
    if (self !== 0) warnings.push(`${unreadable.length} file(s) were not readable as uid ${self ?? '?'}; see manifest.json (root reads them all)`);
  }
  const manifest: Manifest = {
    schemaVersion: 1,
    tool: { name: 'mapmortem', version: opts.version },
    capturedAt: opts.now().toISOString(),
    hostname: os.hostname(),
    platform: process.platform,
    kernel: osrelease ?? os.release(),
    ...(uid === undefined ? {} : { uid }),
    ...(pid === undefined ? {} : { pid }),
    ...(commandLine === undefined ? {} : { commandLine }),
    ...(mapsBuf === undefined ? {} : { mapCount: countNewlines(mapsBuf) }),
    ...(maxMap !== undefined && /^\d+$/.test(maxMap) ? { maxMapCount: Number(maxMap) } : {}),
    files: c.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    ...(integrity === undefined ? {} : { integrity }),
    dataDirs,
    warnings,
  };
  c.entries.set('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  try {
    const bundle = await writeBundle(opts.output, c.entries, opts.now());
    return { ok: true, bundle, manifest, warnings };
  } catch (err) {
    return { ok: false, message: `cannot write the bundle to ${opts.output}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot): a recycled pid has another. */
async function startTime(pidDir: string): Promise<string | undefined> {
  const r = await readWhole(path.join(pidDir, 'stat'), 64 * 1024);
  if (!r.ok) return undefined;
  const text = r.data.toString('utf8');
  const fields = text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  return fields[19];
}

/** Did the process stay the same while its files were read: still there, same start time, maps read to a line end. */
async function checkStable(pidDir: string, before: string | undefined, maps: Buffer | undefined): Promise<{ stable: boolean; reasons: string[] }> {
  const reasons: string[] = [];
  const after = await startTime(pidDir);
  if (before !== undefined && after === undefined) reasons.push('the process exited during the capture');
  else if (before !== undefined && after !== before) reasons.push(`its start time changed (${before} → ${after}): the pid was reused by another process`);
  if (maps && maps.length > 0 && maps[maps.length - 1] !== 10) reasons.push('the maps read ended mid-line (a short read)');
  return { stable: reasons.length === 0, reasons };
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let at = buf.indexOf(10); at !== -1; at = buf.indexOf(10, at + 1)) n++;
  return n;
}
