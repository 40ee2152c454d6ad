// Results of the live and planning commands (`check`, `check --watch`, `plan`), the
// contracts between the code that measures and the renderers that print them.

import type { SourceRef } from './facts.js';

export interface ProcessMaps {
  pid: number;
  name: string;
  threads: number;
  mapCount: number;
  limit: number;
  /** mapCount / limit. */
  ratio: number;
  /** limit − mapCount. */
  headroom: number;
  /** Where the process runs, read from its cgroup path (stable across restarts, unlike the pid). */
  container?: string;
  pod?: string;
  unit?: string;
}

export interface CheckResult {
  limit: number | null;
  /** Readable processes, worst ratio first (then more maps, then lower pid). */
  processes: ProcessMaps[];
  /** Processes whose maps could not be read (permission, exited while read, kernel threads excluded). */
  unreadable: number;
  threshold: number | null;
  /** Processes at or above the threshold, in the same order. */
  over: ProcessMaps[];
  /** Set when the check could not run (no /proc, no limit). */
  message?: string;
}

export interface WatchSample {
  time: string;
  sample: number;
  result: CheckResult;
  trends: WatchTrend[];
}

export interface WatchTrend {
  pid: number;
  name: string;
  mapCount: number;
  /** Change since the previous sample. */
  delta: number;
  /** Maps per second over the watch so far (first sample of the pid to now). */
  ratePerSecond: number;
  /** Seconds until the limit at that rate; null when not growing. */
  secondsToLimit: number | null;
}

/** What `plan` predicts for a data directory. */
export interface PlanResult {
  readonly input: string;
  readonly kind: 'kafka-log-dir' | 'tsdb-dir';
  /** Map areas the data files need once every segment/block is open, and how (scan's field name). */
  readonly neededMapCount: { readonly value: number; readonly basis: string };
  /** Average map areas added per partition (Kafka) or per block/tenant (TSDB). */
  readonly growth: { readonly unit: string; readonly perUnit: number };
  readonly units: number;
  readonly top: readonly { readonly unit: string; readonly files: number }[];
  /** The limit to compare with: --max-map-count, or this host's when a live directory is planned (never for a listing). */
  readonly maxMapCount?: { readonly value: number; readonly source: string };
  readonly headroom?: number;
  readonly recommendedMaxMapCount: number;
  /** scan's vocabulary: `map-count-limit-low` when the limit is below needed + 30%, `none` when it is enough, `unknown` without a limit. */
  readonly verdict: 'map-count-limit-low' | 'none' | 'unknown';
  readonly source: SourceRef;
  readonly problems: readonly string[];
}
