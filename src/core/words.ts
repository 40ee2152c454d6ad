// The product's words for its vocabulary: each cause and system in plain language, shared by
// the verdict summaries and every renderer so a cause reads the same everywhere (the systems'
// words live in their registry, systems.ts).

import type { Cause } from './report.js';
import { systemDef } from './systems.js';

export const CAUSE_LABEL: Record<Cause, string> = {
  'map-count-exhaustion': 'out of memory-map areas (vm.max_map_count), not memory',
  'memory-exhaustion': 'memory really ran out',
  'address-space-limit': 'address-space limit (ulimit -v, 32-bit or heap base), not memory',
  'cgroup-memory-limit': 'container (cgroup) memory limit',
  'thread-limit': 'thread/task limit, not memory',
  'map-count-limit-low': 'vm.max_map_count is below what the workload needs',
  'other-mmap-error': 'mmap failed for a reason other than memory',
  unknown: 'cause not decided by the evidence',
};

/** A system in plain words; a name the registry does not hold (a user rule's) reads as itself. */
export function systemLabel(s: string): string {
  return systemDef(s)?.label ?? s;
}
