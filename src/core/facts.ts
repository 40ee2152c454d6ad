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
  | 'capture-manifest';

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
  | 'cgroup-pids-max'
  | 'cgroup-pids-current'
  | 'threads-max'
  | 'pid-max'
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
  | 'failed-request-bytes';

export type FlagFactKey =
  | 'jvm-32bit'
  | 'process-size-limit-hit'
  | 'compressed-oops-heap-base-limit'
  | 'os-windows'
  | 'os-solaris'
  | 'thread-creation-failed';

/** Facts whose value is text (JSON keeps them as strings; every other fact's "unlimited" is Infinity). */
export const TEXT_FACT_KEYS = ['process-name', 'hostname', 'command-line', 'os', 'jvm-version', 'compressed-oops-mode'] as const;
export type TextFactKey = (typeof TEXT_FACT_KEYS)[number];

export interface NumericFact {
  readonly key: NumericFactKey;
  readonly value: number;
  readonly source: SourceRef;
  /** For counts: false when the source was cut short (the value is a lower bound). */
  readonly complete?: boolean;
  /** How it was obtained ("lines of /proc/pid/maps", "hs_err Dynamic libraries"…). */
  readonly method?: string;
}

export interface FlagFact {
  readonly key: FlagFactKey;
  readonly value: true;
  readonly source: SourceRef;
  readonly method?: string;
}

export interface TextFact {
  readonly key: TextFactKey;
  readonly value: string;
  readonly source: SourceRef;
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
}

/** What one evidence file yielded. */
export interface EvidenceFile {
  readonly file: string;
  readonly kind: EvidenceKind;
  readonly facts: readonly Fact[];
  readonly maps?: MapsBreakdown;
}
