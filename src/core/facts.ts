// Evidence contracts: facts parsed from maps snapshots, sysctl, meminfo, limits, status,
// cgroup files, hs_err sections and data directories. Every fact names its source line so
// every number in a verdict can be traced to a file and line shown in the report.

export interface SourceRef {
  readonly file: string;
  /** 1-based line; 0 when the fact comes from a whole file or a directory walk. */
  readonly line: number;
}

export type EvidenceKind =
  | 'maps'
  | 'smaps'
  | 'pmap'
  | 'hs-err'
  | 'maps-count'
  | 'sysctl'
  | 'meminfo'
  | 'limits'
  | 'status'
  | 'cgroup'
  | 'kafka-log-dir'
  | 'tsdb-dir'
  | 'prometheus-startup'
  | 'capture-manifest'
  /** kubectl get pod -o json/yaml, kubectl describe pod: limits, OOMKilled, restarts, pod and node. */
  | 'kube-pod'
  /** Evidence blocks found inside a log or pasted text (free, ulimit -a, sysctl lines, prose counts). */
  | 'embedded';

/**
 * Where a fact's value was read, which decides which source wins when two disagree
 * (the precedence table is src/diagnose/precedence.ts):
 * - at-failure: written by the failing process at the failure (hs_err sections);
 * - live: a file or command output captured from the host (/proc files, sysctl -a, free, a maps file);
 * - transcript: the same kind of output pasted into a log or ticket;
 * - config: a configuration that may not have been applied (sysctl.conf, docker run, a pod spec);
 * - prose: a number written in a sentence ("252K maps against the 262144 limit").
 */
export type FactOrigin = 'at-failure' | 'live' | 'transcript' | 'config' | 'prose';

/** Numeric facts. Sizes are bytes; counts are plain numbers; `unlimited` is Infinity. */
export type NumericFactKey =
  | 'map-count'
  | 'max-map-count'
  | 'overcommit-memory'
  | 'overcommit-ratio'
  | 'mem-total'
  | 'mem-free'
  | 'mem-available'
  | 'swap-total'
  | 'swap-free'
  | 'commit-limit'
  | 'committed-as'
  | 'rlimit-as'
  | 'rlimit-data'
  | 'rlimit-nproc'
  | 'rlimit-nofile'
  | 'threads'
  | 'vm-size'
  | 'vm-rss'
  | 'cgroup-memory-limit'
  | 'cgroup-memory-usage'
  | 'cgroup-memory-max-usage'
  | 'cgroup-memory-failcnt'
  | 'cgroup-oom-kills'
  /** A Kubernetes container's last non-zero exit code (137: SIGKILL, as the OOM killer sends). */
  | 'container-exit-code'
  /** Restarts of a Kubernetes pod's containers (restartCount), a crash loop's length. */
  | 'container-restarts'
  | 'cgroup-pids-max'
  | 'cgroup-pids-current'
  | 'cgroup-pids-peak'
  | 'cgroup-pids-events-max'
  | 'threads-max'
  | 'pid-max'
  /** Every task on the host (`ps -eLf | wc -l`), against kernel.threads-max and pid_max. */
  | 'host-threads'
  | 'java-threads'
  | 'heap-base'
  | 'native-heap-top'
  | 'pid'
  | 'kafka-partitions'
  | 'kafka-index-files'
  | 'kafka-segments'
  | 'tsdb-blocks'
  | 'tsdb-mmap-files'
  | 'tsdb-tenants'
  | 'failed-request-bytes'
  /** Map areas of files already deleted (`(deleted)` in maps): many of them are a leak of mappings, not growth. */
  | 'deleted-maps';

export type FlagFactKey =
  | 'jvm-32bit'
  | 'process-size-limit-hit'
  | 'compressed-oops-heap-base-limit'
  | 'os-windows'
  | 'os-solaris'
  | 'thread-creation-failed'
  /** A 32-bit marker (uname, package name, library path, "32-bit" in text, Go frame pointers); weighed only next to a failure. */
  | 'arch-32bit-marker'
  /** The text says vm.max_map_count was already raised. */
  | 'map-limit-raised'
  /** The text says the failure persisted after the limit was raised. */
  | 'failure-persists-after-raise'
  /** The text says the map-count limit was reached (a person's conclusion, weighed only beside a failure). */
  | 'text-says-map-limit-hit';

/** Facts whose value is text (JSON keeps them as strings; every other fact's "unlimited" is Infinity). */
/**
 * `crash-time`: an hs_err file's `Time:` line as ISO 8601 (with `Z` or an offset only when the line named UTC/GMT or an offset).
 * `kube-container`: the pod's container with the memory limit; `kube-owner`: its workload as `kubectl set resources` names it (`statefulset/ingester`).
 */
export const TEXT_FACT_KEYS = [
  'process-name',
  'hostname',
  'command-line',
  'os',
  'jvm-version',
  'compressed-oops-mode',
  'kube-pod',
  'kube-node',
  'kube-container',
  'kube-owner',
  'crash-time',
] as const;
export type TextFactKey = (typeof TEXT_FACT_KEYS)[number];

export interface NumericFact {
  readonly key: NumericFactKey;
  readonly value: number;
  readonly source: SourceRef;
  /** For counts: false when the source was cut short (the value is a lower bound). */
  readonly complete?: boolean;
  /** How it was obtained ("lines of /proc/pid/maps", "hs_err Dynamic libraries"…). */
  readonly method?: string;
  /** Where it was read; when absent, the evidence file's kind decides (src/diagnose/precedence.ts). */
  readonly origin?: FactOrigin;
}

export interface FlagFact {
  readonly key: FlagFactKey;
  readonly value: true;
  readonly source: SourceRef;
  readonly method?: string;
  readonly origin?: FactOrigin;
}

export interface TextFact {
  readonly key: TextFactKey;
  readonly value: string;
  readonly source: SourceRef;
  readonly method?: string;
  readonly origin?: FactOrigin;
}

export type Fact = NumericFact | FlagFact | TextFact;

/** Region classes of a memory-map snapshot. */
export type RegionClass =
  | 'thread-stack'
  | 'guard-page'
  | 'java-heap'
  | 'malloc-arena'
  | 'shared-library'
  | 'kafka-index'
  | 'kafka-log'
  | 'tsdb-block'
  | 'tsdb-head-chunk'
  | 'lucene-index'
  | 'deleted-file'
  | 'other-file'
  | 'anonymous'
  | 'special';

export interface RegionClassSummary {
  readonly class: RegionClass;
  readonly count: number;
  readonly bytes: number;
}

export interface TopEntry {
  /** A file, or a group such as a topic-partition, TSDB block or tenant directory. */
  readonly name: string;
  readonly class: RegionClass;
  readonly count: number;
  readonly bytes: number;
}

/** What a user controls that map areas multiply with: tenants and TSDB blocks, Kafka topic-partitions, Lucene index directories. */
export type MapsUnitKind = 'tenant' | 'block' | 'partition' | 'index';

/** Map areas rolled up by one such unit ("2,000 tenants x 33 maps"). */
export interface MapsUnitRollup {
  readonly unit: MapsUnitKind;
  /** Distinct units seen in the snapshot. */
  readonly count: number;
  /** Regions mapped under them in all. */
  readonly regions: number;
  readonly bytes: number;
}

export interface MapsBreakdown {
  readonly source: SourceRef;
  readonly kind: 'maps' | 'smaps' | 'pmap' | 'hs-err';
  /** Number of mapping regions counted. */
  readonly regions: number;
  /** False when the snapshot was cut short: `regions` is then a lower bound. */
  readonly complete: boolean;
  readonly classes: readonly RegionClassSummary[];
  /** Top files / groups by region count, largest first. */
  readonly top: readonly TopEntry[];
  /** Regions rolled up by tenant, block, partition or index directory, most regions first (absent when none is mapped). */
  readonly units?: readonly MapsUnitRollup[];
}

/** What one evidence file yielded. */
export interface EvidenceFile {
  readonly file: string;
  readonly kind: EvidenceKind;
  readonly facts: readonly Fact[];
  readonly maps?: MapsBreakdown;
  /** A capture manifest's word on files of its bundle that were not read whole or stable: their counts are lower bounds. */
  readonly distrusts?: readonly { readonly file: string; readonly reason: string }[];
}
