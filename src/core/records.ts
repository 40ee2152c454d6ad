// Contracts between the scanner, the format layer and the matcher: candidate windows cut
// out of raw chunks around prefilter hits, the log formats, and assembled records/events.

/** Log formats recognised by content. `hs-err` is a JVM fatal error log. */
export const LOG_FORMATS = ['kafka-log4j', 'java-log', 'logfmt', 'json', 'hs-err', 'plain'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Container and journal wrappers unwrapped before the format is parsed (syslog: `journalctl` / rsyslog line prefixes). */
export const WRAPPERS = ['none', 'cri', 'docker-json', 'compose', 'syslog', 'kubectl', 'stern'] as const;
export type Wrapper = (typeof WRAPPERS)[number];

export interface DetectedFormat {
  readonly format: LogFormat;
  readonly wrapper: Wrapper;
}

/** One raw line as the scanner cut it (already decoded from UTF-8). */
export interface RawLine {
  /** 1-based line number in the file. */
  readonly lineNo: number;
  readonly text: string;
  /** True when the line was longer than the cap and only a window of it is shown. */
  readonly cut?: boolean;
}

/**
 * What the scanner emits for each prefilter hit: the hit line and the lines around it.
 * `before` holds up to the scanner's look-back lines (nearest last), `after` up to its
 * look-ahead lines; the format layer decides where the record starts and ends.
 */
export interface CandidateWindow {
  readonly hit: RawLine;
  readonly before: readonly RawLine[];
  readonly after: readonly RawLine[];
  /** Byte offset of the hit line's first byte in the (decompressed) input. */
  readonly byteOffset: number;
  /**
   * Lazy access for the hot path: the k-th line before / after the hit (k >= 1), or undefined
   * past the window. A scanner's window decodes only the lines asked for, so a dense log does
   * not pay for 264 lines per hit; `before`/`after` then materialise the whole window.
   */
  lineBefore?(k: number): RawLine | undefined;
  lineAfter?(k: number): RawLine | undefined;
}

/** A parsed line after the container wrapper was removed. */
export interface ParsedLine {
  readonly lineNo: number;
  /** The raw line as in the file. */
  readonly raw: string;
  /** The message text the rules match against (wrapper removed, JSON field extracted). */
  readonly text: string;
  readonly cut?: boolean;
}

/** Timestamp normalised to ISO 8601; `hasOffset` false when the source gave no zone. */
export interface EventTime {
  readonly iso: string;
  readonly hasOffset: boolean;
}

/** A record: one log event with its continuation lines (stack trace, Caused by: chain). */
export interface LogRecord {
  readonly file: string;
  readonly format: LogFormat;
  readonly wrapper: Wrapper;
  /** Line number of the record's first line. */
  readonly startLine: number;
  readonly lines: readonly ParsedLine[];
  readonly time?: EventTime;
  readonly level?: string;
  readonly logger?: string;
  /** The first line's message (without timestamp/level/logger). */
  readonly message: string;
  /** Context lines requested with -C, outside the record. */
  readonly contextBefore: readonly ParsedLine[];
  readonly contextAfter: readonly ParsedLine[];
}
