// Contracts of the rule pack: the validated rule, what a hit means for the verdict (signals),
// and the finding a match produces. The YAML shape is documented in docs/rules.md.

import type { EventTime, LogFormat, Wrapper } from './records.js';
import type { SystemName } from './systems.js';

/** Most severe first: `--fail-on` and the incident order read this order. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The system a rule names: open, so a user rule may declare one the registry does not know
 * (`redis`); the registry's systems (systems.ts) keep their words and recognition there.
 */
export type RuleSystem = string;

/** A rule's maturity: stable rules are tested on real output; experimental ones may change; deprecated ones will go. */
export const RULE_STATUSES = ['stable', 'experimental', 'deprecated'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

/** Which engine runs a pattern: V8 when it is proved linear-time, re2js (RE2, linear by construction) otherwise. */
export type PatternEngine = 'v8' | 're2';

/** A regular expression as data (serialisable); compiled by src/rules/engine.ts. */
export interface Pattern {
  readonly source: string;
  /** '' or 'i'. */
  readonly flags: string;
  /** Chosen at load (src/rules/engine.ts); absent means re2js. */
  readonly engine?: PatternEngine;
}

/**
 * What a hit says about the failure:
 * - enomem: an allocation/mapping failed with ENOMEM (errno 12) or the program's equivalent;
 * - non-enomem: an mmap-related failure with another errno or signal (EINVAL, EACCES, SIGBUS);
 * - limit-warning: no failure, but a check says a limit is too low (Elasticsearch bootstrap check);
 * - oom-kill: the kernel OOM killer (or a cgroup OOM) killed the process;
 * - context: a line that helps (which file, which tenant) but is not a failure by itself.
 */
export const FAILURE_SIGNALS = ['enomem', 'non-enomem', 'limit-warning', 'oom-kill', 'context'] as const;
export type FailureSignal = (typeof FAILURE_SIGNALS)[number];

/** Which operation failed. */
export const OPERATIONS = ['mmap', 'commit', 'malloc', 'mprotect', 'thread-create', 'stack-guard', 'runtime', 'check', 'kill', 'other'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The cause the message alone points to, if any (weak evidence; the engine decides). */
export const CAUSE_HINTS = ['map-count', 'memory', 'address-space', 'cgroup', 'thread', 'none'] as const;
export type CauseHint = (typeof CAUSE_HINTS)[number];

export interface RuleSignals {
  readonly failure: FailureSignal;
  readonly operation: Operation;
  readonly hint: CauseHint;
  /**
   * The line itself names the limit that was reached (the kernel's pids controller refusing a
   * fork): its hint is a verdict, not a lean. A memory-cgroup or address-space hint already is.
   */
  readonly decides?: boolean;
}

export const MATCH_SCOPES = ['line', 'record'] as const;
export type MatchScope = (typeof MATCH_SCOPES)[number];

export interface RuleMatchSpec {
  /** 'line': every regex must match one and the same line; 'record': each may match any line of the record. */
  readonly scope: MatchScope;
  readonly all: readonly Pattern[];
  readonly any: readonly Pattern[];
  readonly none: readonly Pattern[];
}

/** How a named capture is turned into a typed field of the finding. */
export const EXTRACT_KINDS = ['bytes', 'int', 'string', 'errno', 'path'] as const;
export type ExtractKind = (typeof EXTRACT_KINDS)[number];

export interface RuleSample {
  readonly text: string;
  /** Expected captures after extraction (only the listed keys are compared). */
  readonly captures?: Readonly<Record<string, string | number>>;
  /** Expected finding line, 1-based within the sample text. */
  readonly line?: number;
}

export interface Rule {
  readonly id: string;
  readonly title: string;
  /** 1 or 2: the rule file format it was written in (v1 files still load). */
  readonly formatVersion: 1 | 2;
  readonly status: RuleStatus;
  readonly severity: Severity;
  readonly systems: readonly RuleSystem[];
  /** Formats the rule applies to; empty means any. */
  readonly formats: readonly LogFormat[];
  /** Required literals: a rule can only match a record containing one of them (case-insensitive). */
  readonly literals: readonly string[];
  readonly match: RuleMatchSpec;
  /**
   * Extraction patterns: run on the hit line, then the other lines of the record, after the rule
   * matched; they fill captures and never decide whether the rule matches.
   */
  readonly captures: readonly Pattern[];
  /** Ids of rules this one replaces when both match the same record (transitive closure, computed at load). */
  readonly supersedes: readonly string[];
  /** The finding's one-line message: `{capture}` or `{capture|fallback}` placeholders; the title when absent. */
  readonly message?: string;
  /** Named capture → kind of value. Captures not listed are kept as strings. */
  readonly extract: Readonly<Record<string, ExtractKind>>;
  readonly signals: RuleSignals;
  readonly explanation: string;
  readonly remediation: string;
  readonly references: readonly string[];
  readonly tests: { readonly match: readonly RuleSample[]; readonly noMatch: readonly string[] };
  /** The YAML file the rule came from (for messages). */
  readonly sourceFile: string;
}

export type CaptureValue = string | number;

/** One rule hit on one record. */
export interface Finding {
  readonly ruleId: string;
  /** The rule's message template filled from the captures (its title when it has none). */
  readonly message: string;
  readonly severity: Severity;
  /** The rule's systems the registry knows (src/core/systems.ts); `generic` when it names none of them. */
  readonly systems: readonly SystemName[];
  readonly signals: RuleSignals;
  readonly file: string;
  /** The line where the rule's first regex matched (1-based). */
  readonly line: number;
  readonly recordStartLine: number;
  readonly format: LogFormat;
  readonly wrapper: Wrapper;
  readonly time?: EventTime;
  readonly level?: string;
  readonly logger?: string;
  /** The matched line's message text. */
  readonly text: string;
  /** The record's lines (hit, stack trace), capped. */
  readonly recordLines: readonly { readonly line: number; readonly text: string }[];
  readonly contextBefore: readonly { readonly line: number; readonly text: string }[];
  readonly contextAfter: readonly { readonly line: number; readonly text: string }[];
  /** [start, end) of the first regex's match in `text`, for highlighting. */
  readonly span?: readonly [number, number];
  readonly captures: Readonly<Record<string, CaptureValue>>;
}

/**
 * The findings of one rule in one file beyond its listed examples, as columns: what each hit
 * keeps when only a bounded set of examples keeps its text and context (a crash loop repeats
 * its failure thousands of times). `captures[i]` indexes `captureSets`.
 */
export interface CompactHits {
  readonly line: readonly number[];
  readonly time: readonly (string | null)[];
  readonly captures: readonly number[];
  readonly captureSets: readonly Readonly<Record<string, CaptureValue>>[];
}

/** Findings counted beyond the listed examples, per file and rule. */
export interface OmittedFindings {
  readonly file: string;
  readonly ruleId: string;
  readonly systems: readonly SystemName[];
  readonly count: number;
  readonly hits?: CompactHits;
}
