// The result contract: incidents with their verdict, decision trail and remediation, plus
// inputs, problems and statistics. This is what the JSON output serialises (schemaVersion 1)
// and what every renderer reads; docs/json-schema.md documents it.

import type { EvidenceFile, FactOrigin, MapsBreakdown, NumericFactKey, SourceRef } from './facts.js';
import type { Problem } from './problem.js';
import type { CaptureValue, Finding, RuleStatus, Severity } from './rules.js';
import type { SystemName } from './systems.js';

/** The verdict vocabulary (stable: JSON consumers depend on it); the words for each are CAUSE_LABEL in words.ts. */
export const CAUSES = [
  'map-count-exhaustion',
  'memory-exhaustion',
  'address-space-limit',
  'cgroup-memory-limit',
  'thread-limit',
  'map-count-limit-low',
  'other-mmap-error',
  'unknown',
] as const;
export type Cause = (typeof CAUSES)[number];

export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/**
 * A report's verdict: the cause of its most severe incident; `none` when logs or evidence were
 * read and nothing failed; `nothing-read` when no input could be read as a log or evidence (no
 * file, an empty directory, an include glob matching nothing, every input unreadable).
 */
export type Verdict = Cause | 'none' | 'nothing-read';

/** True when no input was read as a log or as evidence. */
export function nothingRead(inputs: readonly { readonly role: string }[]): boolean {
  return !inputs.some((i) => i.role.startsWith('log:') || i.role.startsWith('evidence:'));
}

/** One step of the decision procedure: the fact it looked at and where that fact came from. */
export interface TrailStep {
  readonly step: string;
  readonly fact: string;
  readonly sources: readonly SourceRef[];
  /** What the step concluded ("rules out memory", "points to map count"…). */
  readonly outcome: string;
}

export interface RemediationStep {
  readonly title: string;
  readonly detail: string;
  /** Copy-ready shell commands, if any. */
  readonly commands: readonly string[];
}

export interface Remediation {
  readonly summary: string;
  /** Recommended vm.max_map_count, when the cause involves the map count. */
  readonly recommendedMaxMapCount?: number;
  /** Map count the workload needs, and how it was computed. */
  readonly neededMapCount?: { readonly value: number; readonly basis: string; readonly sources: readonly SourceRef[] };
  readonly steps: readonly RemediationStep[];
  /** What to capture next when the evidence could not decide. */
  readonly capture: readonly string[];
}

/** One number the verdict used, with the line it came from and the values it won over. */
export interface UsedNumber {
  /** Bytes for sizes, a plain number for counts; Infinity ("unlimited" in JSON) for no limit. */
  readonly value: number;
  /** Absent only when the value is assumed (the kernel default limit). */
  readonly source?: SourceRef;
  readonly origin: FactOrigin | 'assumed';
  readonly method?: string;
  /** True when the source was cut short: the value is a lower bound. */
  readonly lowerBound?: boolean;
  /** Other values found for the same quantity that lost by precedence (shown as a caveat). */
  readonly overruled?: readonly { readonly value: number; readonly source: SourceRef; readonly origin: FactOrigin }[];
}

/** A failed request the rules or the crash header captured. */
export interface FailedRequest {
  readonly bytes: number;
  readonly source: SourceRef;
  readonly operation: string;
  readonly ruleId?: string;
}

/** A number computed from others (headroom), with what it was computed from. */
export interface DerivedNumber {
  readonly value: number;
  readonly basis: string;
  readonly sources: readonly SourceRef[];
}

/**
 * The numbers the verdict used, computed once in diagnose: every renderer (text, md, html, the
 * gauge) and JSON consumer reads these instead of re-deriving them from raw evidence.
 */
export interface IncidentNumbers {
  /** The map count that was weighed (the chosen maps snapshot or count). */
  readonly mapCount?: UsedNumber;
  /** vm.max_map_count: read, or the kernel default with origin 'assumed'. */
  readonly mapLimit: UsedNumber;
  /** Map areas the workload needs (data directory, observed count or the limit that was reached). */
  readonly mapCountNeeded?: DerivedNumber;
  /** The vm.max_map_count the remediation recommends, when it recommends one. */
  readonly recommendedMaxMapCount?: number;
  /** Failed requests, smallest first (the smallest drives the count-versus-memory step). */
  readonly requests: readonly FailedRequest[];
  /** Available memory + free swap, when captured. */
  readonly memoryHeadroom?: DerivedNumber;
  /** CommitLimit − Committed_AS, when both were captured. */
  readonly commitHeadroom?: DerivedNumber;
  /**
   * Every numeric fact of the incident's evidence, the winning value per key (memory, rlimits,
   * threads, cgroup and task limits…), keyed by the fact keys of docs/json-schema.md.
   */
  readonly facts: Readonly<Partial<Record<NumericFactKey, UsedNumber>>>;
}

export interface Incident {
  /** Stable id: `<system>:<process key>`. */
  readonly id: string;
  readonly system: SystemName;
  /** The process or service: pid, hs_err file, or the log file's directory/host. */
  readonly process: string;
  readonly cause: Cause;
  readonly confidence: Confidence;
  readonly severity: Severity;
  readonly summary: string;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** Number of findings (including those not listed). */
  readonly count: number;
  /** Listed findings, sorted by file then line; capped (see `omittedFindings`). */
  readonly findings: readonly Finding[];
  readonly omittedFindings: number;
  /** Every finding counted in `omittedFindings`, compactly (present when it is not 0). */
  readonly unlisted?: UnlistedFindings;
  readonly trail: readonly TrailStep[];
  /** Evidence files used for this incident, and why they were attached. */
  readonly evidence: readonly { readonly file: string; readonly kind: string; readonly reason: string }[];
  readonly maps?: MapsBreakdown;
  readonly remediation: Remediation;
  readonly caveats: readonly string[];
  /** The numbers the verdict used (one source of truth for every renderer). */
  readonly numbers: IncidentNumbers;
}

/**
 * Findings beyond the listed examples, one column per field: row i of `file`, `line`, `rule`,
 * `time` and `captures` is one finding. `files`, `rules` and `captureSets` are the dictionaries
 * the columns index into. Nothing of a finding's identity is dropped: only its text and context.
 */
export interface UnlistedFindings {
  readonly files: readonly string[];
  readonly rules: readonly string[];
  readonly captureSets: readonly Readonly<Record<string, CaptureValue>>[];
  readonly file: readonly number[];
  readonly line: readonly number[];
  readonly rule: readonly number[];
  /** As a finding's `time.iso` (no zone when the log gave none); null when the record had no time. */
  readonly time: readonly (string | null)[];
  readonly captures: readonly number[];
}

export interface InputInfo {
  readonly file: string;
  /** Bytes read and scanned (decompressed). */
  readonly bytes: number;
  /** Size as stored, covered by `sha256`, when it differs from `bytes` (a gzip file, a skipped binary file). */
  readonly storedBytes?: number;
  readonly lines: number;
  readonly sha256: string;
  /** 'log:<format>' or 'evidence:<kind>' or 'skipped'. */
  readonly role: string;
  readonly wrapper?: string;
}

export interface ScanStats {
  readonly files: number;
  readonly bytes: number;
  readonly lines: number;
  readonly candidates: number;
  readonly findings: number;
  readonly rules: number;
}

/** Where a rule came from: mapmortem's own pack, or a file or directory given with `--rules`. */
export type RuleOrigin = 'bundled' | 'user';

/** A rule behind a report's findings, in its own words (docs/rules.md): renderers show these beside the verdict's fix. */
export interface RuleNote {
  readonly id: string;
  readonly title: string;
  readonly status: RuleStatus;
  readonly origin: RuleOrigin;
  readonly explanation: string;
  readonly remediation: string;
  readonly references: readonly string[];
}

export interface Report {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'mapmortem'; readonly version: string };
  readonly generatedAt: string;
  readonly roots: readonly string[];
  /** Cause of the most severe incident, 'none', or 'nothing-read' (see Verdict). */
  readonly verdict: Verdict;
  readonly incidents: readonly Incident[];
  readonly evidence: readonly EvidenceFile[];
  readonly inputs: readonly InputInfo[];
  readonly problems: readonly (Problem & { readonly message: string; readonly severity: string })[];
  readonly stats: ScanStats;
  /** Every rule with a finding in `incidents` (listed or unlisted), sorted by id; absent in results written before rule notes. */
  readonly rules?: readonly RuleNote[];
  /** Set by `mapmortem report` when several results were merged: incidents grouped by system and cause. */
  readonly groups?: readonly IncidentGroup[];
  /** Set by `mapmortem report`: the result files that were merged. */
  readonly mergedFrom?: readonly string[];
  /** Set by `scan --shard I/N`: which part of the inputs this report covers (`report` merges the parts). */
  readonly shard?: ShardInfo;
}

/**
 * One shard of a scan split with `--shard INDEX/COUNT` (INDEX 0-based, as Kubernetes'
 * JOB_COMPLETION_INDEX). Inputs are partitioned by host (correlate scope), never splitting one.
 */
export interface ShardInfo {
  readonly index: number;
  readonly count: number;
  /** Fingerprint of the partition (every host group and its inputs): shards of one scan share it. */
  readonly plan: string;
  /** Host groups this shard scanned, and in the whole partition. */
  readonly groups: number;
  readonly totalGroups: number;
}

export interface IncidentGroup {
  readonly system: SystemName;
  readonly cause: Cause;
  readonly incidents: readonly string[];
  readonly findings: number;
}
