// `mapmortem check`: on a live host, every process's map count against vm.max_map_count,
// worst first, once or sampled with --watch; exit 1 at or above the threshold.

import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { parsePercent, parsePositiveInt } from '../options.js';

export interface CheckConfig {
  readonly threshold?: number;
  readonly prometheus: boolean;
  readonly watchSeconds?: number;
  readonly samples?: number;
  readonly top?: number;
}

export const registerCheck: RegisterCommand = (program: Command, { io, exit }) => {
  program
    .command('check')
    .description("on a live host: every process's map count against vm.max_map_count, worst first")
    .option('-t, --threshold <percent>', 'exit 1 when a process is at or above PERCENT of the limit (e.g. 80%)', parsePercent)
    .option('--prometheus', 'print the Prometheus text exposition (node_exporter textfile collector)')
    .option('-w, --watch <seconds>', 'sample every SECONDS and print the trend and the time left to the limit', parsePositiveInt('--watch'))
    .option('--samples <n>', 'with --watch: stop after N samples (default: run until interrupted)', parsePositiveInt('--samples'))
    .option('--top <n>', 'processes listed (default 20)', parsePositiveInt('--top'))
    .action(async (o: { threshold?: number; prometheus?: boolean; watch?: number; samples?: number; top?: number }) => {
      const c: CheckConfig = {
        ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
        prometheus: o.prometheus === true,
        ...(o.watch !== undefined ? { watchSeconds: o.watch } : {}),
        ...(o.samples !== undefined ? { samples: o.samples } : {}),
        ...(o.top !== undefined ? { top: o.top } : {}),
      };
      const { checkHost, watch } = await import('../../check/check.js');
      const { renderCheckPrometheus, renderCheckText, renderWatchText } = await import('../../render/check.js');
      const opts = { ...(c.threshold !== undefined ? { threshold: c.threshold } : {}), ...(io.procRoot ? { procRoot: io.procRoot } : {}) };
      if (c.watchSeconds !== undefined) {
        let over = false;
        for await (const sample of watch({ ...opts, intervalSeconds: c.watchSeconds, ...(c.samples ? { samples: c.samples } : {}), now: io.now })) {
          io.stdout(c.prometheus ? renderCheckPrometheus(sample.result) : renderWatchText(sample, c.top));
          over = over || sample.result.over.length > 0;
        }
        exit(over ? 1 : 0);
        return;
      }
      const r = await checkHost(opts);
      io.stdout(c.prometheus ? renderCheckPrometheus(r) : renderCheckText(r, c.top));
      if (r.limit === null && !c.prometheus) exit(2);
      else exit(r.over.length > 0 ? 1 : 0);
    });
};
