// Remediation computed from the decision: the map count the workload needs, the
// vm.max_map_count to set (≥30% headroom, ≥262144, a power of two; a stated requirement as
// stated), copy-ready commands with the known pid, steps that fit what was found (the limit
// hit with its numbers, overcommit 2 only under it, heap advice only for JVMs, InfluxDB's
// .bad renames), and for `unknown` an interim action and what to capture next.

import type { Cause, Remediation, RemediationStep, SystemName } from '../core/index.js';
import { systemDef } from '../core/systems.js';
import type { Decision } from './verdict.js';
import { fmtBytes, fmtCount } from '../core/units.js';
import { CGROUP_LIMIT_HEADROOM, DELETED_MAPS_LEAK_MIN, DELETED_MAPS_LEAK_SHARE, MAP_COUNT_FLOOR, MAP_COUNT_HEADROOM } from './policy.js';

export { MAP_COUNT_FLOOR } from './policy.js';

/** needed × 1.3, at least 262144, rounded up to a power of two. */
export function recommendMaxMapCount(needed: number): number {
  const target = Math.max(MAP_COUNT_FLOOR, Math.ceil(needed * (1 + MAP_COUNT_HEADROOM)));
  return 2 ** Math.ceil(Math.log2(target));
}

/** What the remediation needs to know beyond the decision. */
export interface RemediationContext {
  /** The failing process's pid, when known: put into the commands. */
  readonly pid?: number;
  /** vm.overcommit_memory, when captured. */
  readonly overcommitMode?: number;
  /** The failure lines' text, to recognise consequences the system itself causes (InfluxDB's .bad renames). */
  readonly failureText?: string;
  /** The pod (namespace/name), node, container and owning workload kubectl output named: the fix is then written for Kubernetes. */
  readonly kubernetes?: { readonly pod?: string; readonly node?: string; readonly container?: string; readonly owner?: string };
  /** The container (cgroup) memory limit and its peak usage, bytes, when captured. */
  readonly memoryLimit?: number;
  readonly memoryPeak?: number;
  /** Map areas of deleted files, with the line that counted them. */
  readonly deletedMaps?: { readonly value: number; readonly file: string; readonly line: number };
}

/** Many areas of deleted files: a leak of mappings, which a higher limit only postpones. */
function deletedMapsStep(decision: Decision, ctx: RemediationContext): RemediationStep | undefined {
  const d = ctx.deletedMaps;
  if (!d) return undefined;
  const of = decision.mapCount?.value ?? decision.mapLimit.value;
  if (d.value < DELETED_MAPS_LEAK_MIN || d.value < DELETED_MAPS_LEAK_SHARE * of) return undefined;
  const pid = ctx.pid ?? '<pid>';
  return {
    title: `${fmtCount(d.value)} of ${fmtCount(of)} map areas are files already deleted`,
    detail:
      `${d.file}${d.line > 0 ? `:${d.line}` : ''} counts them. Something deletes files it keeps mapped (an index, segment or block ` +
      'reader that is never closed), so the count grows until the limit: raising vm.max_map_count only buys time. Restarting the process ' +
      'frees them; count them again a while later to see whether they grow back, and look for the component that keeps them open.',
    commands: [`grep -c '(deleted)' /proc/${pid}/maps`, `awk '/\\(deleted\\)$/ {print $6}' /proc/${pid}/maps | sort | uniq -c | sort -rn | head`],
  };
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** A Kubernetes memory quantity for a new limit: the larger of limit and peak, plus the headroom, up to a whole Gi (256Mi steps below 1Gi). */
export function recommendMemoryLimit(limit: number, peak = 0): string {
  const target = Math.max(limit, peak) * (1 + CGROUP_LIMIT_HEADROOM);
  return target < GiB ? `${Math.ceil(target / (256 * MiB)) * 256}Mi` : `${Math.ceil(target / GiB)}Gi`;
}

/** The Kubernetes step for a container memory limit: kubectl set resources on the pod's workload, and the manifest's resources block. */
function kubernetesMemoryStep(kube: NonNullable<RemediationContext['kubernetes']>, limit: number | undefined, peak: number | undefined): RemediationStep {
  const [ns, podName] = kube.pod?.includes('/') ? kube.pod.split('/', 2) : [undefined, kube.pod];
  const nsFlag = ns ? `-n ${ns} ` : '';
  const container = kube.container ?? '<container>';
  const owner = kube.owner ?? '<kind>/<workload>';
  const value = limit !== undefined && Number.isFinite(limit) ? recommendMemoryLimit(limit, peak) : '<new limit>';
  const from = limit !== undefined && Number.isFinite(limit) ? ` from ${fmtBytes(limit)}` : '';
  return {
    title: `Kubernetes: raise resources.limits.memory of container ${container}${podName ? ` (pod ${podName})` : ''}${from} to ${value}`,
    detail:
      `A pod's resources are set on the workload that owns it (${owner}); the pods restart with the new limit. ${value} is the ` +
      `${peak !== undefined && limit !== undefined && peak > limit ? 'peak usage' : 'old limit'} plus ${Math.round(CGROUP_LIMIT_HEADROOM * 100)}%: keep the ` +
      'request equal to the limit for a memory-bound service. Run set resources, or apply the same change as the YAML patch below; ' +
      'put its block into the manifest so the next deploy keeps it.',
    commands: [
      `kubectl ${nsFlag}set resources ${owner} -c ${container} --limits=memory=${value} --requests=memory=${value}`,
      [
        `kubectl ${nsFlag}patch ${owner} --type=strategic --patch-file=/dev/stdin <<'EOF'`,
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        `        - name: ${container}`,
        '          resources:',
        '            limits:',
        `              memory: ${value}`,
        '            requests:',
        `              memory: ${value}`,
        'EOF',
      ].join('\n'),
      ...(podName ? [`kubectl ${nsFlag}exec ${podName} -c ${container} -- cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.peak /sys/fs/cgroup/memory.events`] : []),
    ],
  };
}

/** A privileged DaemonSet that sets vm.max_map_count on every node it runs on (and keeps it set). */
export function maxMapCountDaemonSet(value: number): string {
  return [
    "kubectl apply -f - <<'EOF'",
    'apiVersion: apps/v1',
    'kind: DaemonSet',
    'metadata:',
    '  name: max-map-count',
    '  namespace: kube-system',
    'spec:',
    '  selector:',
    '    matchLabels: { app: max-map-count }',
    '  template:',
    '    metadata:',
    '      labels: { app: max-map-count }',
    '    spec:',
    '      initContainers:',
    '        - name: sysctl',
    '          image: busybox:1.36',
    `          command: ['sysctl', '-w', 'vm.max_map_count=${value}']`,
    '          securityContext: { privileged: true }',
    '      containers:',
    '        - name: pause',
    '          image: registry.k8s.io/pause:3.9',
    'EOF',
  ].join('\n');
}

/** The Kubernetes step for a node-wide sysctl: now on the node the pod ran on, then on every node by a DaemonSet. */
function kubernetesMapCountStep(recommended: number, kube: NonNullable<RemediationContext['kubernetes']>): RemediationStep {
  const node = kube.node ?? '<node>';
  const pod = kube.pod ? ` (pod ${kube.pod})` : '';
  return {
    title: `Kubernetes: set vm.max_map_count to ${fmtCount(recommended)} on node ${node}${pod}, then on every node of the pool`,
    detail:
      'vm.max_map_count is host-wide and not namespaced: a pod securityContext cannot set it. Set it now on the node (kubectl debug runs a ' +
      'privileged pod there), then on every node that may run the workload with the DaemonSet below, or in the node pool itself (GKE ' +
      'linuxConfig sysctls, AKS linuxOSConfig, EKS launch-template user data, or the node image).',
    commands: [
      `kubectl debug node/${node} -it --image=busybox:1.36 --profile=sysadmin -- chroot /host sysctl -w vm.max_map_count=${recommended}`,
      maxMapCountDaemonSet(recommended),
    ],
  };
}

function withPid(cmds: readonly string[], pid: number | undefined): string[] {
  return pid === undefined ? [...cmds] : cmds.map((c) => c.replace(/<pid>/g, String(pid)));
}

const CAPTURE = [
  'everything at once on the host, while the process runs: `npx mapmortem capture --pid <pid>` (maps, status, limits, sysctls, meminfo, cgroup files), ' +
    "then scan the bundle with the logs; `npx mapmortem check` lists every process's map count against the limit",
  'the map count of the failing process while it runs: `wc -l < /proc/<pid>/maps` (or `pmap <pid> | wc -l`), or save the whole `/proc/<pid>/maps`',
  'the limit: `sysctl vm.max_map_count vm.overcommit_memory vm.overcommit_ratio`',
  'memory: `cat /proc/meminfo` (MemAvailable, SwapFree, CommitLimit, Committed_AS)',
  'the process limits and size: `cat /proc/<pid>/limits /proc/<pid>/status` (Max address space, Max processes, Threads, VmSize)',
  'for a container: the cgroup files `memory.max`, `memory.current`, `memory.events`, `pids.max`, `pids.current`',
];

const INFLUX_TSM = /\.tsm\b|influx/i;

/** InfluxDB (1.x, 2.x before the fix) renames a TSM file it cannot map to `.bad`: the data is healthy but no longer read. */
function influxSteps(ctx: RemediationContext): RemediationStep[] {
  if (!INFLUX_TSM.test(ctx.failureText ?? '')) return [];
  return [
    {
      title: 'InfluxDB: restore the TSM files it renamed to .bad',
      detail:
        'When InfluxDB cannot mmap a TSM file it renames it to `<file>.tsm.bad` and stops reading it: the file is healthy, the data just disappears ' +
        'from queries. After fixing the limit, stop influxd, rename the files back and start it again.',
      commands: ['sudo systemctl stop influxdb', 'sudo find /var/lib/influxdb -name "*.tsm.bad" -exec sh -c \'mv "$1" "${1%.bad}"\' _ {} \\;', 'sudo systemctl start influxdb'],
    },
  ];
}

function systemSteps(system: SystemName, cause: Cause): RemediationStep[] {
  const mapCause = cause === 'map-count-exhaustion' || cause === 'map-count-limit-low' || cause === 'unknown';
  if (!mapCause) return [];
  switch (system) {
    case 'kafka':
      return [
        {
          title: 'Kafka: reduce the number of mapped index files',
          detail:
            'Each open segment maps its .index and .timeindex. Fewer, larger segments (segment.bytes, segment.ms), a shorter retention (retention.ms / ' +
            'retention.bytes) or fewer partitions per broker lower the count; raising the limit is the cheap fix.',
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
            'Every block index, chunk segment and head chunk file is mapped. Let compaction run (fewer, larger blocks), lower retention on the ' +
            'ingesters, close idle tenant TSDBs (Cortex -blocks-storage.tsdb.close-idle-tsdb-timeout), or spread tenants over more ingesters.',
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
          detail:
            'Each Java thread costs two map areas (stack and guard page). Compare the thread count over time (`jcmd <pid> Thread.print | grep -c "^\\""`) and bound thread pools.',
          commands: [],
        },
      ];
    default:
      return [];
  }
}

function mapCountSteps(recommended: number, pid: number | undefined, kube?: RemediationContext['kubernetes']): RemediationStep[] {
  const steps: RemediationStep[] = [
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
    kube
      ? kubernetesMapCountStep(recommended, kube)
      : {
          title: 'On Kubernetes: set it on the node, not the pod',
          detail:
            'vm.max_map_count is host-wide and not namespaced: a pod securityContext cannot set it. Set it on every node that runs the workload (node ' +
            'image, a tuning DaemonSet or a privileged init container).',
          commands: [],
        },
    {
      title: 'Watch the count from now on',
      detail:
        "Alert before the limit is reached: `mapmortem check` lists every process's map count against the limit (exit 1 at 80%); from cron, its " +
        "Prometheus output for node_exporter's textfile collector feeds an alert (docs/alerting.md).",
      commands: [
        ...(pid !== undefined ? [`wc -l < /proc/${pid}/maps`] : []),
        'mapmortem check',
        'mapmortem check --prometheus -o /var/lib/node_exporter/textfile_collector/mapmortem.prom',
      ],
    },
  ];
  // On Kubernetes the node step replaces sudo on a host (now: kubectl debug; persistent: the DaemonSet).
  return kube ? steps.slice(2) : steps;
}

export function remediate(decision: Decision, system: SystemName, ctx: RemediationContext = {}): Remediation {
  const { cause } = decision;
  const pid = ctx.pid;
  const counts: { value: number; basis: string; sources: Decision['mapLimit']['source'][] }[] = [];
  if (decision.mapCount) counts.push({ value: decision.mapCount.value, basis: `the observed map count ${fmtCount(decision.mapCount.value)}`, sources: [decision.mapCount.source] });
  if (decision.needed) counts.push({ value: decision.needed.value, basis: decision.needed.basis, sources: [...decision.needed.sources] });
  const best = counts.sort((a, b) => b.value - a.value)[0];
  const reached = cause === 'map-count-exhaustion' ? decision.mapLimit.value : 0;
  const neededValue = Math.max(best?.value ?? 0, reached);
  const required = decision.required;

  switch (cause) {
    case 'map-count-exhaustion':
    case 'map-count-limit-low': {
      // A requirement the software states (Elasticsearch's 262,144, a vendor's 524,288) is met as stated; a count gets 30% headroom.
      const fromCount = neededValue > 0 ? recommendMaxMapCount(neededValue) : MAP_COUNT_FLOOR;
      const recommended = Math.max(fromCount, required?.value ?? 0);
      const basis =
        required && required.value >= neededValue
          ? required.basis
          : best && best.value >= neededValue
            ? best.basis
            : `at least the current limit ${fmtCount(decision.mapLimit.value)}, which was reached`;
      const needed = Math.max(neededValue, required?.value ?? 0);
      const how =
        required && required.value >= neededValue
          ? `the software demands at least ${fmtCount(required.value)}`
          : needed > 0
            ? `needed ≈ ${fmtCount(needed)} + 30% headroom, at least 262,144, rounded to a power of two`
            : 'at least 262,144, the floor Kafka and Elasticsearch guides recommend';
      const from = decision.mapLimit.assumed
        ? `${fmtCount(decision.mapLimit.value)} (the kernel default, assumed: check it with \`sysctl vm.max_map_count\`)`
        : fmtCount(decision.mapLimit.value);
      const leak = deletedMapsStep(decision, ctx);
      return {
        summary:
          `Raise vm.max_map_count from ${from} to ${fmtCount(recommended)} (${how})${leak ? `, and find the leak: ${leak.title}` : ''}. ` +
          'Each map area costs the kernel roughly 64–256 bytes, so a high limit is cheap.',
        recommendedMaxMapCount: recommended,
        ...(needed > 0
          ? {
              neededMapCount: {
                value: needed,
                basis,
                sources: (required && required.value >= neededValue ? [...required.sources] : (best?.sources ?? [])).filter((s): s is NonNullable<typeof s> => s !== undefined),
              },
            }
          : {}),
        steps: [...mapCountSteps(recommended, pid, ctx.kubernetes), ...(leak ? [leak] : []), ...systemSteps(system, cause), ...influxSteps(ctx)],
        capture: cause === 'map-count-exhaustion' && !decision.mapCount ? CAPTURE.slice(0, 3).map((c) => withPid([c], pid)[0]!) : [],
      };
    }
    case 'memory-exhaustion': {
      const java = systemDef(system)?.family === 'java';
      const strict = ctx.overcommitMode === 2;
      return {
        summary:
          `Memory really ran out: lower the process's footprint (${java ? 'heap size, ' : ''}caches), add RAM or swap, or stop what else uses the ` +
          `memory.${strict ? ' Under vm.overcommit_memory=2 the commit limit, not free RAM, is what ran out.' : ''} Raising vm.max_map_count would not ` +
          `help.`,
        steps: [
          {
            title: 'Find who holds the memory',
            detail: 'The biggest resident processes at the time of the failure.',
            commands: withPid(
              [
                'ps -eo pid,rss,vsz,comm --sort=-rss | head -15',
                'grep -E "MemAvailable|SwapFree|CommitLimit|Committed_AS" /proc/meminfo',
                ...(pid !== undefined ? ['grep -E "VmSize|VmRSS" /proc/<pid>/status'] : []),
              ],
              pid,
            ),
          },
          ...(java
            ? [
                {
                  title: 'JVM: size the heap to the machine',
                  detail: 'Heap (-Xmx/-Xms) plus metaspace, thread stacks and direct buffers must fit in RAM + swap with room for the OS and other processes.',
                  commands: [],
                },
              ]
            : []),
          ...(strict
            ? [
                {
                  title: 'Under vm.overcommit_memory=2',
                  detail:
                    `The commit limit is swap + RAM × ` +
                    `overcommit_ratio%${commitHeadroomNote(decision.commitHeadroom)}: ` +
                    `raise vm.overcommit_ratio or add swap, or return to the heuristic mode 0 if strict accounting is not required.`,
                  commands: ['sysctl vm.overcommit_memory vm.overcommit_ratio'],
                },
              ]
            : []),
        ],
        capture: [],
      };
    }
    case 'address-space-limit': {
      const java = systemDef(system)?.family === 'java';
      return {
        summary: "The process hit its address-space ceiling (ulimit -v / RLIMIT_AS, RLIMIT_DATA, a 32-bit process, or the compressed-oops heap base), not the machine's memory.",
        steps: [
          {
            title: 'Lift the address-space limit',
            detail: 'Remove or raise `ulimit -v`/`-d` in the start script, LimitAS=/LimitDATA= in the systemd unit, or the as/data entries in /etc/security/limits.d.',
            commands: withPid(['grep -E "Max address space|Max data size" /proc/<pid>/limits', 'systemctl show <unit> -p LimitAS -p LimitDATA'], pid),
          },
          ...(java
            ? [
                {
                  title: 'JVM: 64-bit and heap placement',
                  detail:
                    'Run a 64-bit JVM. With compressed oops the native heap cannot grow past the Java heap base: set -XX:HeapBaseMinAddress higher, ' +
                    'reduce -Xmx, or disable compressed oops (-XX:-UseCompressedOops).',
                  commands: [],
                },
              ]
            : /32-bit/.test(decision.because)
              ? [
                  {
                    title: 'A 32-bit build: move to 64-bit',
                    detail: 'A 32-bit process has at most 4 GiB of address space (often 3 GiB) whatever the RAM; install the 64-bit (amd64/arm64) build of the program.',
                    commands: withPid(['file -L /proc/<pid>/exe'], pid),
                  },
                ]
              : []),
        ],
        capture: [],
      };
    }
    case 'cgroup-memory-limit':
      return {
        summary: "The container's memory limit was the ceiling: raise the limit or make the program stay under it.",
        steps: [
          ctx.kubernetes
            ? kubernetesMemoryStep(ctx.kubernetes, ctx.memoryLimit, ctx.memoryPeak)
            : {
                title: 'Raise the container memory limit',
                detail: 'Kubernetes resources.limits.memory, Docker --memory, systemd MemoryMax=.',
                commands: ['cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.current /sys/fs/cgroup/memory.events'],
              },
          {
            title: 'Make the runtime aware of the limit',
            detail:
              systemDef(system)?.family === 'java'
                ? 'JVM: -XX:MaxRAMPercentage so heap + native fit under the limit.'
                : systemDef(system)?.family === 'go'
                  ? 'Go: GOMEMLIMIT a little below the limit.'
                  : 'Go: GOMEMLIMIT a little below the limit. JVM: -XX:MaxRAMPercentage so heap + native fit.',
            commands: [],
          },
        ],
        capture: [],
      };
    case 'thread-limit': {
      const hit = decision.hitLimit;
      const fix: Record<string, { detail: string; commands: string[] }> = {
        'RLIMIT_NPROC (ulimit -u)': {
          detail:
            'RLIMIT_NPROC counts every thread of the user, not only this process: raise `ulimit -u` in the start script, LimitNPROC= in the systemd ' +
            'unit, or nproc in /etc/security/limits.d.',
          commands: withPid(['grep "Max processes" /proc/<pid>/limits', 'ps -L -u "$(stat -c %U /proc/<pid>)" | wc -l'], pid),
        },
        'kernel.threads-max': {
          detail: 'kernel.threads-max caps every thread on the host.',
          commands: ['sysctl kernel.threads-max', 'ps -eLf | wc -l', hit ? `sudo sysctl -w kernel.threads-max=${Math.max(hit.limit * 2, 4194304)}` : ''],
        },
        'kernel.pid_max': {
          detail: 'Every thread takes a pid: kernel.pid_max caps them host-wide.',
          commands: ['sysctl kernel.pid_max', 'ps -eLf | wc -l', 'sudo sysctl -w kernel.pid_max=4194304'],
        },
        'pids.max': {
          detail: 'The container or systemd unit caps its tasks: raise the pod pids limit (kubelet --pod-max-pids), docker --pids-limit, or TasksMax= for a unit.',
          commands: withPid(['cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids.current /sys/fs/cgroup/pids.events', 'systemctl show <unit> -p TasksMax'], pid),
        },
      };
      const f = hit ? fix[hit.name] : undefined;
      return {
        summary: hit
          ? `Thread creation hit ${hit.name}: ${fmtCount(hit.used)} of ${fmtCount(hit.limit)}. Raise that limit or bound the threads; memory was not the problem.`
          : 'Thread creation hit a task limit (RLIMIT_NPROC, kernel.threads-max, kernel.pid_max or the cgroup pids.max), not memory.',
        steps: [
          f
            ? { title: `Raise ${hit!.name} (${fmtCount(hit!.used)} of ${fmtCount(hit!.limit)})`, detail: f.detail, commands: f.commands.filter((c) => c !== '') }
            : {
                title: 'Raise the task limit that was hit',
                detail:
                  'ulimit -u / LimitNPROC= / nproc in /etc/security/limits.d; TasksMax= for a systemd unit; the pod pids limit; kernel.threads-max and kernel.pid_max host-wide.',
                commands: withPid(['grep "Max processes" /proc/<pid>/limits', 'sysctl kernel.threads-max kernel.pid_max', 'ps -eLf | wc -l'], pid),
              },
          {
            title: 'Look for a thread leak',
            detail: 'A count that only grows is a leak: compare thread dumps over time and bound the pools.',
            commands: withPid(['ls /proc/<pid>/task | wc -l'], pid),
          },
        ],
        capture: [],
      };
    }
    case 'other-mmap-error':
      return {
        summary: 'mmap failed for a reason other than memory: the filesystem, the file or the mapping flags were refused. Raising vm.max_map_count or memory would not help.',
        steps: [
          {
            title: 'Check the filesystem under the data directory',
            detail: 'Some network and FUSE filesystems do not support shared mappings; move the data to a local filesystem (ext4, xfs).',
            commands: ['findmnt -T <data-dir>', 'ls -l <file>'],
          },
        ],
        capture: [],
      };
    case 'unknown':
      return {
        summary:
          'The evidence cannot decide the cause; meanwhile, raising vm.max_map_count to 262,144 is cheap and safe while you confirm (it only lets the ' +
          'kernel track more map areas). Capture the items below on the host (before the process restarts, if possible) and scan them with the logs.',
        steps: [
          {
            title: 'Interim: raise vm.max_map_count to 262,144 while you confirm',
            detail: 'Cheap and safe whatever the cause turns out to be; it rules the map count out if the failure comes back.',
            commands: [`sudo sysctl -w vm.max_map_count=${MAP_COUNT_FLOOR}`],
          },
          ...systemSteps(system, cause),
          ...influxSteps(ctx),
        ],
        capture: CAPTURE.map((c) => withPid([c], pid)[0]!),
      };
  }
}

/** " (basis: over by 1.2 GiB)" or " (basis: 300 MiB left)" after the commit limit, or nothing when it was not computed. */
function commitHeadroomNote(h: { readonly basis: string; readonly value: number } | undefined): string {
  if (!h) return '';
  return ` (${h.basis}: ${h.value < 0 ? `over by ${fmtBytes(-h.value)}` : `${fmtBytes(h.value)} left`})`;
}
