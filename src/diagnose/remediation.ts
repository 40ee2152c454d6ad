// Remediation computed from the decision: the map count the workload needs, the
// vm.max_map_count to set (≥30% headroom, ≥262144, a power of two), copy-ready commands,
// system-specific fixes, and what to capture next when the cause is undecided.

import type { Cause, Remediation, RemediationStep, SystemName } from '../core/index.js';
import type { Decision } from './verdict.js';
import { fmtCount } from '../core/units.js';

/** The floor that Kafka and Elasticsearch guides recommend (2^18). */
export const MAP_COUNT_FLOOR = 262144;

/** needed × 1.3, at least 262144, rounded up to a power of two. */
export function recommendMaxMapCount(needed: number): number {
  const target = Math.max(MAP_COUNT_FLOOR, Math.ceil(needed * 1.3));
  return 2 ** Math.ceil(Math.log2(target));
}

const CAPTURE = [
  'the map count of the failing process while it runs: `wc -l < /proc/<pid>/maps` (or `pmap <pid> | wc -l`), or save the whole `/proc/<pid>/maps`',
  'the limit: `sysctl vm.max_map_count vm.overcommit_memory vm.overcommit_ratio`',
  'memory: `cat /proc/meminfo` (MemAvailable, SwapFree, CommitLimit, Committed_AS)',
  'the process limits and size: `cat /proc/<pid>/limits /proc/<pid>/status` (Max address space, Max processes, Threads, VmSize)',
  'for a container: the cgroup files `memory.max`, `memory.current`, `memory.events`, `pids.max`, `pids.current`',
];

function systemSteps(system: SystemName, cause: Cause): RemediationStep[] {
  const mapCause = cause === 'map-count-exhaustion' || cause === 'map-count-limit-low' || cause === 'unknown';
  if (!mapCause) return [];
  switch (system) {
    case 'kafka':
      return [
        {
          title: 'Kafka: reduce the number of mapped index files',
          detail:
            'Each open segment maps its .index and .timeindex. Fewer, larger segments (segment.bytes, segment.ms), a shorter retention (retention.ms / retention.bytes) or fewer partitions per broker lower the count; raising the limit is the cheap fix.',
          commands: [],
        },
      ];
    case 'prometheus-tsdb':
    case 'cortex':
    case 'mimir':
    case 'loki':
      return [
        {
          title: 'TSDB: fewer mapped block and chunk files',
          detail:
            'Every block index, chunk segment and head chunk file is mapped. Let compaction run (fewer, larger blocks), lower retention on the ingesters, close idle tenant TSDBs (Cortex -blocks-storage.tsdb.close-idle-tsdb-timeout), or spread tenants over more ingesters.',
          commands: [],
        },
      ];
    case 'elasticsearch':
    case 'opensearch':
      return [
        {
          title: 'Elasticsearch/OpenSearch demand at least 262144',
          detail: 'The bootstrap check refuses to start a production node below vm.max_map_count 262144; Lucene maps every index segment file.',
          commands: [],
        },
      ];
    case 'jvm':
      return [
        {
          title: 'JVM: look for a thread leak',
          detail: 'Each Java thread costs two map areas (stack and guard page). Compare the thread count over time (`jcmd <pid> Thread.print | grep -c "^\\""`) and bound thread pools.',
          commands: [],
        },
      ];
    default:
      return [];
  }
}

function mapCountSteps(recommended: number): RemediationStep[] {
  return [
    {
      title: `Raise vm.max_map_count to ${fmtCount(recommended)} now`,
      detail: 'Takes effect at once for new mappings; no reboot and no restart of other processes needed.',
      commands: [`sudo sysctl -w vm.max_map_count=${recommended}`],
    },
    {
      title: 'Make it persistent',
      detail: 'A file under /etc/sysctl.d/ survives reboots.',
      commands: [`echo 'vm.max_map_count = ${recommended}' | sudo tee /etc/sysctl.d/99-max-map-count.conf`, 'sudo sysctl --system'],
    },
    {
      title: 'On Kubernetes: set it on the node, not the pod',
      detail:
        'vm.max_map_count is host-wide and not namespaced: a pod securityContext cannot set it. Set it on every node that runs the workload (node image, a tuning DaemonSet or a privileged init container).',
      commands: [],
    },
    {
      title: 'Watch the count from now on',
      detail:
        "Alert before the limit is reached: `mapmortem check` lists every process's map count against the limit (exit 1 at 80%); from cron, its Prometheus output for node_exporter's textfile collector feeds an alert (docs/alerting.md).",
      commands: ['mapmortem check', 'mapmortem check --prometheus -o /var/lib/node_exporter/textfile_collector/mapmortem.prom'],
    },
  ];
}

export function remediate(decision: Decision, system: SystemName): Remediation {
  const { cause } = decision;
  const counts: { value: number; basis: string; sources: Decision['mapLimit']['source'][] }[] = [];
  if (decision.mapCount) counts.push({ value: decision.mapCount.value, basis: `the observed map count ${fmtCount(decision.mapCount.value)}`, sources: [decision.mapCount.source] });
  if (decision.needed) counts.push({ value: decision.needed.value, basis: decision.needed.basis, sources: [...decision.needed.sources] });
  const best = counts.sort((a, b) => b.value - a.value)[0];
  const neededValue = Math.max(best?.value ?? 0, cause === 'map-count-exhaustion' ? decision.mapLimit.value : 0);

  switch (cause) {
    case 'map-count-exhaustion':
    case 'map-count-limit-low': {
      const recommended = recommendMaxMapCount(neededValue);
      const basis = best && best.value >= neededValue ? best.basis : `at least the current limit ${fmtCount(decision.mapLimit.value)}, which was reached`;
      return {
        summary: `Raise vm.max_map_count from ${fmtCount(decision.mapLimit.value)} to ${fmtCount(recommended)} (needed ≈ ${fmtCount(neededValue)} + 30% headroom, at least 262,144, rounded to a power of two). Each map area costs the kernel roughly 64–256 bytes, so a high limit is cheap.`,
        recommendedMaxMapCount: recommended,
        neededMapCount: {
          value: neededValue,
          basis,
          sources: (best?.sources ?? []).filter((s): s is NonNullable<typeof s> => s !== undefined),
        },
        steps: [...mapCountSteps(recommended), ...systemSteps(system, cause)],
        capture: cause === 'map-count-exhaustion' && !decision.mapCount ? CAPTURE.slice(0, 2) : [],
      };
    }
    case 'memory-exhaustion':
      return {
        summary: 'Memory really ran out: lower the process\'s footprint (heap size, caches), add RAM or swap, or stop what else uses the memory. Raising vm.max_map_count would not help.',
        steps: [
          { title: 'Find who holds the memory', detail: 'The biggest resident processes at the time of the failure.', commands: ['ps -eo pid,rss,vsz,comm --sort=-rss | head -15', 'grep -E "MemAvailable|SwapFree|CommitLimit|Committed_AS" /proc/meminfo'] },
          { title: 'JVM: size the heap to the machine', detail: 'Heap (-Xmx/-Xms) plus metaspace, thread stacks and direct buffers must fit in RAM + swap with room for the OS and other processes.', commands: [] },
          { title: 'Under vm.overcommit_memory=2', detail: 'The commit limit is swap + RAM × overcommit_ratio%: raise vm.overcommit_ratio or add swap, or return to the heuristic mode 0 if strict accounting is not required.', commands: ['sysctl vm.overcommit_memory vm.overcommit_ratio'] },
        ],
        capture: [],
      };
    case 'address-space-limit':
      return {
        summary: 'The process hit its address-space ceiling (ulimit -v / RLIMIT_AS, RLIMIT_DATA, a 32-bit process, or the compressed-oops heap base), not the machine\'s memory.',
        steps: [
          { title: 'Lift the address-space limit', detail: 'Remove or raise `ulimit -v`/`-d` in the start script, LimitAS=/LimitDATA= in the systemd unit, or the as/data entries in /etc/security/limits.d.', commands: ['grep -E "Max address space|Max data size" /proc/<pid>/limits', 'systemctl show <unit> -p LimitAS -p LimitDATA'] },
          { title: 'JVM: 64-bit and heap placement', detail: 'Run a 64-bit JVM. With compressed oops the native heap cannot grow past the Java heap base: set -XX:HeapBaseMinAddress higher, reduce -Xmx, or disable compressed oops (-XX:-UseCompressedOops).', commands: [] },
        ],
        capture: [],
      };
    case 'cgroup-memory-limit':
      return {
        summary: 'The container\'s memory limit was the ceiling: raise the limit or make the program stay under it.',
        steps: [
          { title: 'Raise the container memory limit', detail: 'Kubernetes resources.limits.memory, Docker --memory, systemd MemoryMax=.', commands: ['cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.current /sys/fs/cgroup/memory.events'] },
          { title: 'Make the runtime aware of the limit', detail: 'Go: GOMEMLIMIT a little below the limit. JVM: -XX:MaxRAMPercentage so heap + native fit.', commands: [] },
        ],
        capture: [],
      };
    case 'thread-limit':
      return {
        summary: 'Thread creation hit a task limit (RLIMIT_NPROC, kernel.threads-max, kernel.pid_max or the cgroup pids.max), not memory.',
        steps: [
          { title: 'Raise the task limit that was hit', detail: 'ulimit -u / LimitNPROC= / nproc in /etc/security/limits.d; TasksMax= for a systemd unit; the pod pids limit; kernel.threads-max and kernel.pid_max host-wide.', commands: ['grep "Max processes" /proc/<pid>/limits', 'sysctl kernel.threads-max kernel.pid_max', 'ps -eLf | wc -l'] },
          { title: 'Look for a thread leak', detail: 'A count that only grows is a leak: compare thread dumps over time and bound the pools.', commands: ['ls /proc/<pid>/task | wc -l'] },
        ],
        capture: [],
      };
    case 'other-mmap-error':
      return {
        summary: 'mmap failed for a reason other than memory: the filesystem, the file or the mapping flags were refused. Raising vm.max_map_count or memory would not help.',
        steps: [
          { title: 'Check the filesystem under the data directory', detail: 'Some network and FUSE filesystems do not support shared mappings; move the data to a local filesystem (ext4, xfs).', commands: ['findmnt -T <data-dir>', 'ls -l <file>'] },
        ],
        capture: [],
      };
    case 'unknown':
      return {
        summary: 'The evidence cannot decide the cause. Capture the items below on the host (before the process restarts, if possible) and scan them with the logs.',
        steps: systemSteps(system, cause),
        capture: CAPTURE,
      };
  }
}
