// Renderings of `mapmortem check`: plain text (worst first, with headroom), the Prometheus
// text exposition for node_exporter's textfile collector, and the `--watch` trend table.

import type { CheckResult, WatchSample } from '../core/index.js';

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
