// `mapmortem check`: every readable process's map count against vm.max_map_count, worst
// first (a pre-flight and monitoring check), and `--watch` sampling with the growth rate
// and the time left to the limit. The renderings live in src/render/check.ts.

import path from 'node:path';
import type { CheckResult, ProcessMaps, WatchSample, WatchTrend } from '../core/index.js';
import { countLines, listPids, parseCgroupFile, parseStatusFields, readMaxMapCount, readText } from '../capture/procfs.js';

/** The default --threshold: a cron or pre-flight run exits 1 at 80% of the limit without flags. */
export const DEFAULT_THRESHOLD = 0.8;

export interface Placement {
  container?: string;
  pod?: string;
  unit?: string;
}

/**
 * Where a process runs, from /proc/<pid>/cgroup: the container id (12 characters, as docker
 * and crictl print it) and the Kubernetes pod UID of a kubepods path, or the systemd unit.
 */
export function placementOf(cgroupText: string): Placement {
  const paths = parseCgroupFile(cgroupText).map((e) => e.path);
  const out: Placement = {};
  for (const p of paths) {
    const pod = /kubepods[^\n]*?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/.exec(p);
    if (pod && !out.pod) out.pod = pod[1]!.replace(/_/g, '-');
    const ctr = /(?:^|\/)(?:(?:cri-containerd|crio|docker|libpod)-)?([0-9a-f]{64})(?:\.scope)?$/.exec(p);
    if (ctr && !out.container) out.container = ctr[1]!.slice(0, 12);
    const unit = /\/([^/]+\.service)(?:\/|$)/.exec(p);
    if (unit && !out.unit && !ctr) out.unit = unit[1]!;
  }
  return out;
}

export interface CheckOptions {
  /** Fraction of the limit (0..1) at or above which a process is over the threshold. */
  threshold?: number;
  /** Default '/proc'. */
  procRoot?: string;
}

/** Reads one process's figures, or null when it cannot be read (gone, kernel thread, permission). */
async function readProcess(procRoot: string, pid: number, limit: number): Promise<ProcessMaps | null> {
  const dir = path.join(procRoot, String(pid));
  const status = await readText(path.join(dir, 'status'));
  if (status === undefined) return null;
  const fields = parseStatusFields(status);
  const maps = await countLines(path.join(dir, 'maps'));
  if (!maps.ok) return null;
  // Kernel threads have an empty maps file; they cannot run out of mappings.
  if (maps.lines === 0) return null;
  const cgroup = await readText(path.join(dir, 'cgroup'));
  return {
    ...(cgroup ? placementOf(cgroup) : {}),
    pid,
    name: fields.name ?? String(pid),
    threads: fields.threads ?? 0,
    mapCount: maps.lines,
    limit,
    ratio: limit > 0 ? maps.lines / limit : 0,
    headroom: limit - maps.lines,
  };
}

export function compareProcesses(a: ProcessMaps, b: ProcessMaps): number {
  return b.ratio - a.ratio || b.mapCount - a.mapCount || a.pid - b.pid;
}

/** Every readable process's map count against vm.max_map_count, worst first. */
export async function checkHost(opts: CheckOptions): Promise<CheckResult> {
  const procRoot = opts.procRoot ?? '/proc';
  const threshold = opts.threshold ?? null;
  if (threshold !== null && !(threshold >= 0 && threshold <= 1)) throw new Error(`threshold must be within 0..1, got ${threshold}`);
  const limit = await readMaxMapCount(procRoot);
  if (limit === undefined) {
    return {
      limit: null,
      processes: [],
      unreadable: 0,
      threshold,
      over: [],
      message:
        process.platform === 'linux' || opts.procRoot !== undefined
          ? `${path.join(procRoot, 'sys/vm/max_map_count')} is not readable: cannot check map counts`
          : `this is ${process.platform}, not Linux: vm.max_map_count and /proc/<pid>/maps exist only on Linux`,
    };
  }
  const processes: ProcessMaps[] = [];
  let unreadable = 0;
  for (const pid of await listPids(procRoot)) {
    const p = await readProcess(procRoot, pid, limit);
    if (p) processes.push(p);
    else if ((await readText(path.join(procRoot, String(pid), 'cmdline'))) !== '') unreadable++;
  }
  processes.sort(compareProcesses);
  const over = threshold === null ? [] : processes.filter((p) => p.ratio >= threshold);
  return { limit, processes, unreadable, threshold, over };
}

/** Samples the host repeatedly; each sample carries per-process growth and time left to the limit. */
export async function* watch(
  opts: CheckOptions & { intervalSeconds: number; samples?: number; now: () => Date; sleep?: (ms: number) => Promise<void> },
): AsyncGenerator<WatchSample> {
  if (!(opts.intervalSeconds > 0)) throw new Error(`watch interval must be positive, got ${opts.intervalSeconds}`);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  const first = new Map<number, { t: number; maps: number; name: string }>();
  const prev = new Map<number, number>();
  for (let i = 1; opts.samples === undefined || i <= opts.samples; i++) {
    if (i > 1) await sleep(opts.intervalSeconds * 1000);
    const result = await checkHost(opts);
    const now = opts.now();
    const t = now.getTime() / 1000;
    const trends: WatchTrend[] = [];
    for (const p of result.processes) {
      const f = first.get(p.pid);
      // A pid reused by another program starts over.
      if (!f || f.name !== p.name) first.set(p.pid, { t, maps: p.mapCount, name: p.name });
      const start = first.get(p.pid)!;
      const elapsed = t - start.t;
      const rate = elapsed > 0 ? (p.mapCount - start.maps) / elapsed : 0;
      trends.push({
        pid: p.pid,
        name: p.name,
        mapCount: p.mapCount,
        delta: p.mapCount - (prev.get(p.pid) ?? p.mapCount),
        ratePerSecond: rate,
        secondsToLimit: rate > 0 ? Math.max(0, p.headroom) / rate : null,
      });
    }
    prev.clear();
    for (const p of result.processes) prev.set(p.pid, p.mapCount);
    for (const pid of [...first.keys()]) if (!prev.has(pid)) first.delete(pid);
    yield { time: now.toISOString(), sample: i, result, trends };
  }
}
