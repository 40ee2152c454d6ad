// Renderings of `mapmortem check`: plain text (worst first, with headroom), the Prometheus
// text exposition for node_exporter's textfile collector, and the `--watch` trend table.

import type { CheckResult, ProcessMaps, WatchSample } from '../core/index.js';

export interface CheckRenderOptions {
  /** Rows (text) or series (Prometheus) listed, worst first; default 20 in text, all in Prometheus. */
  readonly top?: number;
  /** Running as root: every process is readable, so no "run as root" advice. */
  readonly root?: boolean;
  /** The run's time, for the last-run timestamp metric. */
  readonly now?: Date;
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
export function renderCheckText(r: CheckResult, top = 20, root = false): string {
  if (r.limit === null) return `${r.message ?? 'cannot check map counts'}\n`;
  const out: string[] = [`vm.max_map_count = ${r.limit}`];
  const shown = r.processes.filter((p, i) => i < top || r.over.includes(p));
  if (shown.length === 0) out.push(root ? 'no process with memory maps was found' : 'no readable process (run as root to see every process)');
  else {
    const rows = [['PID', 'NAME', 'THREADS', 'MAPS', 'USED', 'HEADROOM', '']];
    for (const p of shown) {
      rows.push([String(p.pid), p.name, String(p.threads), String(p.mapCount), pct(p.ratio), String(p.headroom), r.over.includes(p) ? 'OVER' : '']);
    }
    out.push(...table(rows));
  }
  if (r.processes.length > shown.length) out.push(`… ${r.processes.length - shown.length} more process(es) below`);
  if (r.unreadable > 0) out.push(`${r.unreadable} process(es) not readable${root ? ' (they exited while read, or /proc hides them)' : ' (run as root to include them)'}`);
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

interface Series {
  readonly labels: string;
  readonly worst: ProcessMaps;
  readonly processes: number;
}

/** One series per program and place (name, container, pod, unit), its worst process: no pid label to churn. */
function series(r: CheckResult, top: number | undefined): Series[] {
  const by = new Map<string, Series>();
  for (const p of r.processes) {
    const pairs: [string, string | undefined][] = [
      ['name', p.name],
      ['container', p.container],
      ['pod', p.pod],
      ['unit', p.unit],
    ];
    const labels = pairs
      .filter((x): x is [string, string] => x[1] !== undefined)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',');
    const had = by.get(labels);
    // r.processes is worst first: the first seen is the worst of its series.
    by.set(labels, { labels, worst: had?.worst ?? p, processes: (had?.processes ?? 0) + 1 });
  }
  const list = [...by.values()];
  const kept = top === undefined ? list : list.slice(0, top);
  return kept.sort((a, b) => (a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0));
}

/** Prometheus text exposition format (for node_exporter's textfile collector). */
export function renderCheckPrometheus(r: CheckResult, opts: CheckRenderOptions = {}): string {
  const out: string[] = [];
  if (r.limit !== null) {
    out.push('# HELP mapmortem_map_areas_limit The kernel limit on memory map areas per process (vm.max_map_count).');
    out.push('# TYPE mapmortem_map_areas_limit gauge');
    out.push(`mapmortem_map_areas_limit ${r.limit}`);
  }
  const list = series(r, opts.top);
  out.push('# HELP mapmortem_process_map_areas Memory map areas (lines of /proc/<pid>/maps) of the worst process of this program and container, pod or unit.');
  out.push('# TYPE mapmortem_process_map_areas gauge');
  for (const s of list) out.push(`mapmortem_process_map_areas{${s.labels}} ${s.worst.mapCount}`);
  out.push('# HELP mapmortem_process_map_areas_ratio Memory map areas of that process as a fraction of vm.max_map_count.');
  out.push('# TYPE mapmortem_process_map_areas_ratio gauge');
  for (const s of list) out.push(`mapmortem_process_map_areas_ratio{${s.labels}} ${Number(s.worst.ratio.toFixed(6))}`);
  out.push('# HELP mapmortem_processes Processes of this program and container, pod or unit.');
  out.push('# TYPE mapmortem_processes gauge');
  for (const s of list) out.push(`mapmortem_processes{${s.labels}} ${s.processes}`);
  out.push('# HELP mapmortem_unreadable_processes Processes whose maps could not be read.');
  out.push('# TYPE mapmortem_unreadable_processes gauge');
  out.push(`mapmortem_unreadable_processes ${r.unreadable}`);
  if (r.threshold !== null) {
    out.push('# HELP mapmortem_check_threshold_ratio The --threshold of the check, as a fraction of the limit.');
    out.push('# TYPE mapmortem_check_threshold_ratio gauge');
    out.push(`mapmortem_check_threshold_ratio ${r.threshold}`);
  }
  if (opts.now) {
    out.push('# HELP mapmortem_check_last_run_timestamp_seconds When this check ran (Unix time): an alert can tell a stale file from a quiet host.');
    out.push('# TYPE mapmortem_check_last_run_timestamp_seconds gauge');
    out.push(`mapmortem_check_last_run_timestamp_seconds ${Math.floor(opts.now.getTime() / 1000)}`);
  }
  return `${out.join('\n')}\n`;
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
