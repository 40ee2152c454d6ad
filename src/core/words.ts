// The product's words for its vocabulary: each cause and system in plain language, shared by
// the verdict summaries and every renderer so a cause reads the same everywhere (the systems'
// words live in their registry, systems.ts).

import type { Cause, Verdict } from './report.js';
import { systemDef } from './systems.js';
import type { MapsUnitKind, MapsUnitRollup } from './facts.js';
import { fmtCount } from './units.js';

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

/** Numeric fact keys whose values are bytes (the rest are counts, modes or addresses). */
export const BYTE_FACT_KEYS: ReadonlySet<string> = new Set([
  'mem-total',
  'mem-free',
  'mem-available',
  'swap-total',
  'swap-free',
  'commit-limit',
  'committed-as',
  'rlimit-as',
  'rlimit-data',
  'vm-size',
  'vm-rss',
  'cgroup-memory-limit',
  'cgroup-memory-usage',
  'cgroup-memory-max-usage',
  'failed-request-bytes',
]);

const FACT_LABEL: Record<string, string> = {
  'map-count': 'map count',
  'deleted-maps': 'map areas of deleted files',
  'max-map-count': 'vm.max_map_count',
  'overcommit-memory': 'vm.overcommit_memory',
  'overcommit-ratio': 'vm.overcommit_ratio',
  'mem-total': 'MemTotal',
  'mem-free': 'MemFree',
  'mem-available': 'MemAvailable',
  'swap-total': 'SwapTotal',
  'swap-free': 'SwapFree',
  'commit-limit': 'CommitLimit',
  'committed-as': 'Committed_AS',
  'rlimit-as': 'RLIMIT_AS (ulimit -v)',
  'rlimit-data': 'RLIMIT_DATA (ulimit -d)',
  'rlimit-nproc': 'RLIMIT_NPROC (ulimit -u)',
  'rlimit-nofile': 'RLIMIT_NOFILE (ulimit -n)',
  threads: 'thread count',
  'threads-max': 'kernel.threads-max',
  'pid-max': 'kernel.pid_max',
  'cgroup-memory-limit': 'cgroup memory limit',
  'cgroup-pids-max': 'pids.max',
  'cgroup-pids-current': 'pids.current',
  'cgroup-pids-peak': 'pids.peak',
};

/** A fact key in words (`max-map-count` → `vm.max_map_count`). */
export function factLabel(key: string): string {
  return FACT_LABEL[key] ?? key;
}

/** A report's verdict in words, including the two outcomes that are not causes. */
export function verdictHeadline(v: Verdict): string {
  if (v === 'none') return 'no mmap, memory-map or thread-creation failure found';
  if (v === 'nothing-read') return 'nothing was read: no input could be read as a log or evidence file';
  return CAUSE_LABEL[v];
}

const UNIT_WORDS: Record<MapsUnitKind, readonly [string, string]> = {
  tenant: ['tenant', 'tenants'],
  block: ['TSDB block', 'TSDB blocks'],
  partition: ['topic-partition', 'topic-partitions'],
  index: ['index directory', 'index directories'],
};

/** "2,000 tenants × 33 map areas": a rollup of a memory map by what the user controls (the per-unit figure is the mean, rounded). */
export function unitRollupPhrase(u: MapsUnitRollup): string {
  const [one, many] = UNIT_WORDS[u.unit];
  const each = Math.round(u.regions / u.count);
  return `${fmtCount(u.count)} ${u.count === 1 ? one : many} × ${fmtCount(each)} map ${each === 1 ? 'area' : 'areas'}`;
}
