// Text rendering of a `plan` result: what the data dir needs, how it grows, and the limit; the
// commands to raise it only when the limit is below what the data needs (or is not known).

import type { PlanResult } from '../core/index.js';
import { fmtCount } from '../core/units.js';

export function renderPlan(p: PlanResult): string {
  const out: string[] = [];
  const needed = p.neededMapCount;
  out.push(`${p.kind === 'kafka-log-dir' ? 'Kafka log dir' : 'TSDB data dir'}: ${p.input}`);
  out.push(`  needs ${fmtCount(needed.value)} map areas for its data files — ${needed.basis}`);
  out.push(`  growth: about ${p.growth.perUnit} map areas per ${p.growth.unit} (${fmtCount(p.units)} ${p.growth.unit}s now)`);
  out.push('  the process also maps its libraries, heap and thread stacks (a JVM: typically 1,000–5,000 more; 2 per thread)');
  if (p.top.length > 0) {
    out.push('  largest:');
    for (const t of p.top) out.push(`    ${fmtCount(t.files).padStart(8)}  ${t.unit}`);
  }
  if (p.maxMapCount) {
    out.push(`  vm.max_map_count: ${fmtCount(p.maxMapCount.value)} (${p.maxMapCount.source}); headroom ${fmtCount(p.headroom ?? 0)}`);
  } else {
    out.push('  vm.max_map_count: not known (a listing says nothing of the host it came from; give --max-map-count N)');
  }
  if (p.verdict === 'none') {
    out.push(`  verdict: none — the limit leaves at least 30% headroom over ${fmtCount(needed.value)}; nothing to change`);
    out.push(`  set vm.max_map_count to ${fmtCount(p.recommendedMaxMapCount)} before the data grows past ${fmtCount(Math.floor((p.maxMapCount?.value ?? 0) / 1.3))} map areas`);
  } else {
    out.push(
      p.verdict === 'map-count-limit-low'
        ? '  verdict: map-count-limit-low — the limit is below what this data dir needs + 30%'
        : "  verdict: unknown — compare the recommendation with the host's vm.max_map_count (sysctl vm.max_map_count)",
    );
    out.push(`  recommended vm.max_map_count: ${fmtCount(p.recommendedMaxMapCount)} (needed + 30%, at least 262,144, a power of two)`);
    out.push(`    $ sudo sysctl -w vm.max_map_count=${p.recommendedMaxMapCount}`);
    out.push(`    $ echo 'vm.max_map_count = ${p.recommendedMaxMapCount}' | sudo tee /etc/sysctl.d/99-max-map-count.conf && sudo sysctl --system`);
  }
  for (const pr of p.problems) out.push(`  problem: ${pr}`);
  return `${out.join('\n')}\n`;
}
