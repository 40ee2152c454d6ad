// `mapmortem check`: every readable process's map count against vm.max_map_count, worst
// first (a pre-flight and monitoring check); its text and Prometheus exposition renderings;
// and `--watch` sampling with the growth rate and the time left to the limit.

import path from 'node:path';
import { countLines, listPids, parseStatusFields, readMaxMapCount, readText } from '../capture/procfs.js';

export interface CheckOptions {
  /** Fraction of the limit (0..1) at or above which a process is over the threshold. */
  threshold?: number;
  /** Default '/proc'. */
  procRoot?: string;
}

export interface ProcessMaps {
  pid: number;
  name: string;
  threads: number;
  mapCount: number;
  limit: number;
  /** mapCount / limit. */
  ratio: number;
  /** limit − mapCount. */
  headroom: number;
}

export interface CheckResult {
  limit: number | null;
  /** Readable processes, worst ratio first (then more maps, then lower pid). */
  processes: ProcessMaps[];
  /** Processes whose maps could not be read (permission, exited while read, kernel threads excluded). */
  unreadable: number;
  threshold: number | null;
  /** Processes at or above the threshold, in the same order. */
  over: ProcessMaps[];
  /** Set when the check could not run (no /proc, no limit). */
  message?: string;
}

export interface WatchSample {
  time: string;
  sample: number;
  result: CheckResult;
  trends: WatchTrend[];
}

export interface WatchTrend {
  pid: number;
  name: string;
  mapCount: number;
  /** Change since the previous sample. */
  delta: number;
  /** Maps per second over the watch so far (first sample of the pid to now). */
  ratePerSecond: number;
  /** Seconds until the limit at that rate; null when not growing. */
  secondsToLimit: number | null;
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
  return {
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

function pct(r: number): string {
  return `${(r * 100).toFixed(1)}%`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Plain text: the limit, then one row per process (the top 20 and all over the threshold), worst first. */
export function renderCheckText(r: CheckResult, top = 20): string {
  if (r.limit === null) return `${r.message ?? 'cannot check map counts'}\n`;
  const out: string[] = [`vm.max_map_count = ${r.limit}`];
  const shown = r.processes.filter((p, i) => i < top || r.over.includes(p));
  if (shown.length === 0) out.push('no readable process (run as root to see every process)');
  else {
    const rows = [['PID', 'NAME', 'THREADS', 'MAPS', 'USED', 'HEADROOM', '']];
    for (const p of shown) {
      rows.push([String(p.pid), p.name, String(p.threads), String(p.mapCount), pct(p.ratio), String(p.headroom), r.over.includes(p) ? 'OVER' : '']);
    }
    out.push(...table(rows));
  }
  if (r.processes.length > shown.length) out.push(`… ${r.processes.length - shown.length} more process(es) below`);
  if (r.unreadable > 0) out.push(`${r.unreadable} process(es) not readable (run as root to include them)`);
  if (r.threshold !== null) {
    out.push(
      r.over.length === 0
        ? `OK: no process at or above ${pct(r.threshold)} of the limit`
        : `ALERT: ${r.over.length} process(es) at or above ${pct(r.threshold)} of the limit: ${r.over.map((p) => `${p.name} (pid ${p.pid}, ${p.mapCount} maps)`).join(', ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** A Prometheus label value: backslash, double quote and newline escaped. */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Prometheus text exposition format (for node_exporter's textfile collector). */
export function renderCheckPrometheus(r: CheckResult): string {
  const out: string[] = [];
  if (r.limit !== null) {
    out.push('# HELP mapmortem_map_areas_limit The kernel limit on memory map areas per process (vm.max_map_count).');
    out.push('# TYPE mapmortem_map_areas_limit gauge');
    out.push(`mapmortem_map_areas_limit ${r.limit}`);
  }
  out.push('# HELP mapmortem_process_map_areas Memory map areas of a process (lines of /proc/<pid>/maps).');
  out.push('# TYPE mapmortem_process_map_areas gauge');
  for (const p of [...r.processes].sort((a, b) => a.pid - b.pid)) {
    out.push(`mapmortem_process_map_areas{pid="${p.pid}",name="${escapeLabel(p.name)}"} ${p.mapCount}`);
  }
  out.push('# HELP mapmortem_process_map_areas_ratio Memory map areas of a process as a fraction of vm.max_map_count.');
  out.push('# TYPE mapmortem_process_map_areas_ratio gauge');
  for (const p of [...r.processes].sort((a, b) => a.pid - b.pid)) {
    out.push(`mapmortem_process_map_areas_ratio{pid="${p.pid}",name="${escapeLabel(p.name)}"} ${Number(p.ratio.toFixed(6))}`);
  }
  out.push('# HELP mapmortem_unreadable_processes Processes whose maps could not be read.');
  out.push('# TYPE mapmortem_unreadable_processes gauge');
  out.push(`mapmortem_unreadable_processes ${r.unreadable}`);
  return `${out.join('\n')}\n`;
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

function duration(s: number): string {
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86400).toFixed(1)}d`;
}

/** One watch sample as text: the top processes with their growth and time to the limit. */
export function renderWatchText(w: WatchSample, top = 10): string {
  if (w.result.limit === null) return `${w.time}  ${w.result.message ?? 'cannot check map counts'}\n`;
  const byPid = new Map(w.trends.map((t) => [t.pid, t]));
  const rows = [['PID', 'NAME', 'MAPS', 'USED', 'DELTA', 'RATE/s', 'TIME TO LIMIT']];
  for (const p of w.result.processes.slice(0, top)) {
    const t = byPid.get(p.pid);
    rows.push([
      String(p.pid),
      p.name,
      String(p.mapCount),
      pct(p.ratio),
      t ? (t.delta >= 0 ? `+${t.delta}` : String(t.delta)) : '',
      t ? t.ratePerSecond.toFixed(2) : '',
      t && t.secondsToLimit !== null ? duration(t.secondsToLimit) : '-',
    ]);
  }
  return `${w.time}  sample ${w.sample}  vm.max_map_count = ${w.result.limit}\n${table(rows).join('\n')}\n`;
}
