// `mapmortem plan`: the map count a Kafka log dir or TSDB data dir will need, and the
// vm.max_map_count to set, as text or JSON.

import { Option, type Command } from 'commander';
import { UsageError, type RegisterCommand } from '../context.js';
import { parseNonNegInt } from '../options.js';

export interface PlanConfig {
  readonly dir: string;
  readonly maxMapCount?: number;
  readonly json: boolean;
}

export const registerPlan: RegisterCommand = (program: Command, { io }) => {
  program
    .command('plan')
    .description('predict the map count a Kafka log dir or TSDB data dir needs, and the limit to set')
    .argument('<dir>', 'a Kafka log dir, a Prometheus/Cortex TSDB dir, or a find / ls -R listing of one')
    .option(
      '--max-map-count <n>',
      "the vm.max_map_count to compare with (default: this host's, for a directory on this host; none for a listing)",
      parseNonNegInt('--max-map-count'),
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (dir: string, o: { maxMapCount?: number; format: string }) => {
      const c: PlanConfig = { dir, json: o.format === 'json', ...(o.maxMapCount !== undefined ? { maxMapCount: o.maxMapCount } : {}) };
      const { runPlan } = await import('../../pipeline/plan.js');
      const { renderPlan } = await import('../../render/plan.js');
      const res = await runPlan({ path: c.dir, cwd: io.cwd, ...(c.maxMapCount !== undefined ? { maxMapCount: c.maxMapCount } : {}) });
      if (!res.ok) throw new UsageError(res.message);
      io.stdout(c.json ? `${JSON.stringify(res.plan, null, 2)}\n` : renderPlan(res.plan));
    });
};
