// `mapmortem check`: on a live host, every process's map count against vm.max_map_count,
// worst first, once or sampled with --watch; exit 1 at or above the threshold (80% by default).
// Text, JSON or the Prometheus exposition; -o replaces the file atomically (textfile collector).

import { Option, type Command } from 'commander';
import type { CheckResult } from '../../core/index.js';
import { emit, nowFrom, UsageError, type RegisterCommand } from '../context.js';
import { parsePercent, parsePositiveInt } from '../options.js';

export type CheckFormat = 'text' | 'json' | 'prometheus';

export interface CheckConfig {
  readonly threshold?: number;
  readonly format: CheckFormat;
  readonly output?: string;
  readonly watchSeconds?: number;
  readonly samples?: number;
  readonly top?: number;
}

export const registerCheck: RegisterCommand = (program: Command, { io, exit }) => {
  program
    .command('check')
    .description("on a live host: every process's map count against vm.max_map_count, worst first")
    .option('-t, --threshold <percent>', 'exit 1 when a process is at or above PERCENT of the limit (default 80%)', parsePercent)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'prometheus']))
    .option('--prometheus', "the Prometheus text exposition for node_exporter's textfile collector (same as --format prometheus)")
    .option('-o, --output <file>', 'write to FILE atomically (a temporary file beside it, then renamed), for the textfile collector')
    .option('-w, --watch <seconds>', 'sample every SECONDS and print the trend and the time left to the limit', parsePositiveInt('--watch'))
    .option('--samples <n>', 'with --watch: stop after N samples (default: run until interrupted)', parsePositiveInt('--samples'))
    .option('--top <n>', 'processes (text) or series (Prometheus) listed, worst first (default 20 in text, all in Prometheus)', parsePositiveInt('--top'))
    .action(async (o: { threshold?: number; format?: CheckFormat; prometheus?: boolean; output?: string; watch?: number; samples?: number; top?: number }) => {
      if (o.prometheus && o.format && o.format !== 'prometheus') throw new UsageError(`--prometheus and --format ${o.format} contradict each other; give one`);
      if (o.watch !== undefined && o.output) throw new UsageError('--watch prints to stdout; for a textfile collector run check from cron with -o');
      const c: CheckConfig = {
        ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
        format: o.prometheus ? 'prometheus' : (o.format ?? 'text'),
        ...(o.output !== undefined ? { output: o.output } : {}),
        ...(o.watch !== undefined ? { watchSeconds: o.watch } : {}),
        ...(o.samples !== undefined ? { samples: o.samples } : {}),
        ...(o.top !== undefined ? { top: o.top } : {}),
      };
      const { checkHost, watch, DEFAULT_THRESHOLD } = await import('../../check/check.js');
      const { renderCheckPrometheus, renderCheckText, renderWatchText } = await import('../../render/check.js');
      const root = io.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0);
      const opts = { threshold: c.threshold ?? DEFAULT_THRESHOLD, ...(io.procRoot ? { procRoot: io.procRoot } : {}) };
      const render = (r: CheckResult): string =>
        c.format === 'prometheus'
          ? renderCheckPrometheus(r, { ...(c.top !== undefined ? { top: c.top } : {}), now: nowFrom(io) })
          : c.format === 'json'
            ? `${JSON.stringify({ generatedAt: nowFrom(io).toISOString(), ...r, processes: c.top !== undefined ? r.processes.slice(0, c.top) : r.processes }, null, 2)}\n`
            : renderCheckText(r, c.top, root);
      if (c.watchSeconds !== undefined) {
        let over = false;
        for await (const sample of watch({ ...opts, intervalSeconds: c.watchSeconds, ...(c.samples ? { samples: c.samples } : {}), now: io.now })) {
          io.stdout(c.format === 'text' ? renderWatchText(sample, c.top) : render(sample.result));
          over = over || sample.result.over.length > 0;
        }
        exit(over ? 1 : 0);
        return;
      }
      const r = await checkHost(opts);
      const text = render(r);
      // emit writes -o atomically (a temporary file beside it, then rename): the collector never reads half a file.
      await emit(text, c.output, io);
      if (r.limit === null && c.format !== 'prometheus') exit(2);
      else exit(r.over.length > 0 ? 1 : 0);
    });
};
