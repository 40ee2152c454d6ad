// Text rendering of a `plan` result: what the data dir needs, how it grows, and the limit.

import type { PlanResult } from '../core/index.js';
import { fmtCount } from '../core/units.js';

export function renderPlan(p: PlanResult): string {
  const out: string[] = [];
  out.push(`${p.kind === 'kafka-log-dir' ? 'Kafka log dir' : 'TSDB data dir'}: ${p.input}`);
  out.push(`  needs ${fmtCount(p.neededMaps)} map areas for its data files — ${p.basis}`);
  out.push(`  growth: about ${p.growth.perUnit} map areas per ${p.growth.unit} (${fmtCount(p.units)} ${p.growth.unit}s now)`);
  out.push('  the process also maps its libraries, heap and thread stacks (a JVM: typically 1,000–5,000 more; 2 per thread)');
  if (p.top.length > 0) {
    out.push('  largest:');
    for (const t of p.top) out.push(`    ${fmtCount(t.files).padStart(8)}  ${t.unit}`);
  }
  if (p.maxMapCount) {
    out.push(`  vm.max_map_count: ${fmtCount(p.maxMapCount.value)} (${p.maxMapCount.source}); headroom ${fmtCount(p.headroom ?? 0)}`);
  } else {
    out.push('  vm.max_map_count: not known (give --max-map-count N)');
  }
  out.push(`  verdict: ${p.verdict === 'ok' ? 'the limit leaves at least 30% headroom' : 'map-count-limit-low: the limit is below what this data dir needs + 30%'}`);
  out.push(`  recommended vm.max_map_count: ${fmtCount(p.recommended)} (needed + 30%, at least 262,144, a power of two)`);
  out.push(`    $ sudo sysctl -w vm.max_map_count=${p.recommended}`);
  out.push(`    $ echo 'vm.max_map_count = ${p.recommended}' | sudo tee /etc/sysctl.d/99-max-map-count.conf && sudo sysctl --system`);
  for (const pr of p.problems) out.push(`  problem: ${pr}`);
  return `${out.join('\n')}\n`;
}
