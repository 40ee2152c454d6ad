// Wrappers around log lines: CRI (containerd/CRI-O files under /var/log/pods), Docker's
// json-file driver, docker compose's `service  | ` prefix, the syslog/journal prefix
// (`May 01 12:00:00 host kafka[2211]: `), `kubectl logs --timestamps` / `--prefix`
// (`[pod/kafka-0/kafka] 2024-05-01T12:00:00.123456789Z `) and stern's `pod container `. Detects the wrapper of a file and removes it from a
// line, keeping the wrapper's time and partial-line flag.

import type { EventTime, Wrapper } from '../core/index.js';
import { parseIsoTime, syslogTime } from '../core/time.js';

const CRI_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) (stdout|stderr) ([PF])(?: (.*))?$/s;
const COMPOSE_RE = /^([A-Za-z0-9][\w.-]*)\s+\|(?: (.*))?$/s;
/** `journalctl` short / rsyslog: `May 01 12:00:00 host ident[pid]: message`. */
const SYSLOG_RE = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) \S+ [^\s:[]+(?:\[\d+\])?: ?(.*)$/s;
/** `journalctl -o short-iso` / RFC 3339 rsyslog: `2024-05-01T12:00:00+0000 host ident[pid]: message`. */
const SYSLOG_ISO_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})) \S+ [^\s:[]+(?:\[\d+\])?: ?(.*)$/s;

/** kubectl's RFC 3339 nano time (UTC, 4-9 fraction digits: an application's own millisecond stamp is not taken for it). */
const KUBECTL_TIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{4,9})?Z) (.*)$/s;
/** `kubectl logs --prefix`: `[pod/<pod>/<container>] `. */
const KUBECTL_PREFIX_RE = /^\[pod\/[^/\]\s]+\/[^\]\s]+\] ?(.*)$/s;
/** stern's default `<pod> <container> ` (a pod name has a dash: `<workload>-<hash or ordinal>`). */
const STERN_RE = /^[a-z0-9][a-z0-9.-]*-[a-z0-9]+ [a-z0-9][a-z0-9-]* (.*)$/s;

function kubectlTime(text: string, prefixed: boolean): Unwrapped | undefined {
  const t = KUBECTL_TIME_RE.exec(text);
  if (!t) return prefixed ? { text, partial: false, wrapped: true } : undefined;
  const time = parseIsoTime(t[1] ?? '');
  const rest = t[2] ?? '';
  return time === undefined ? { text: rest, partial: false, wrapped: true } : { text: rest, time, partial: false, wrapped: true };
}

function kubectl(raw: string): Unwrapped | undefined {
  const p = KUBECTL_PREFIX_RE.exec(raw);
  return p ? kubectlTime(p[1] ?? '', true) : kubectlTime(raw, false);
}

function stern(raw: string): Unwrapped | undefined {
  const m = STERN_RE.exec(raw);
  return m ? kubectlTime(m[1] ?? '', true) : undefined;
}

function syslog(raw: string): Unwrapped | undefined {
  const m = SYSLOG_RE.exec(raw);
  if (m) {
    const time = syslogTime(m[1] ?? '', m[2] ?? '', m[3] ?? '');
    const text = m[4] ?? '';
    return time === undefined ? { text, partial: false, wrapped: true } : { text, time, partial: false, wrapped: true };
  }
  const iso = SYSLOG_ISO_RE.exec(raw);
  if (!iso) return undefined;
  const time = parseIsoTime((iso[1] ?? '').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  const text = iso[2] ?? '';
  return time === undefined ? { text, partial: false, wrapped: true } : { text, time, partial: false, wrapped: true };
}

export interface Unwrapped {
  /** The line without its wrapper. */
  readonly text: string;
  /** The wrapper's own timestamp (CRI, docker json-file). */
  readonly time?: EventTime;
  /** True for a partial line (CRI `P`, docker json-file entry without a trailing newline). */
  readonly partial: boolean;
  /** False when the line did not have the file's wrapper shape (left as it was). */
  readonly wrapped: boolean;
}

function dockerJson(raw: string): Unwrapped | undefined {
  if (!raw.startsWith('{"log":') && !(raw.startsWith('{') && raw.includes('"log":'))) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const obj = value as Record<string, unknown>;
  const log = obj['log'];
  if (typeof log !== 'string') return undefined;
  const stream = obj['stream'];
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const partial = !log.endsWith('\n');
  const text = log.replace(/\r?\n$/, '');
  const time = typeof obj['time'] === 'string' ? parseIsoTime(obj['time']) : undefined;
  return time === undefined ? { text, partial, wrapped: true } : { text, time, partial, wrapped: true };
}

/** Removes `wrapper` from `raw` and reports what the wrapper said. Lines of another shape pass through. */
export function unwrap(raw: string, wrapper: Wrapper): Unwrapped {
  switch (wrapper) {
    case 'none':
      return { text: raw, partial: false, wrapped: true };
    case 'cri': {
      const m = CRI_RE.exec(raw);
      if (m === null) return { text: raw, partial: false, wrapped: false };
      const time = parseIsoTime(m[1] ?? '');
      const text = m[4] ?? '';
      const partial = m[3] === 'P';
      return time === undefined ? { text, partial, wrapped: true } : { text, time, partial, wrapped: true };
    }
    case 'docker-json':
      return dockerJson(raw) ?? { text: raw, partial: false, wrapped: false };
    case 'syslog':
      return syslog(raw) ?? { text: raw, partial: false, wrapped: false };
    case 'kubectl':
      return kubectl(raw) ?? { text: raw, partial: false, wrapped: false };
    case 'stern':
      return stern(raw) ?? { text: raw, partial: false, wrapped: false };
    case 'compose': {
      const m = COMPOSE_RE.exec(raw);
      if (m === null) return { text: raw, partial: false, wrapped: false };
      return { text: m[2] ?? '', partial: false, wrapped: true };
    }
  }
}

/** The line without its container wrapper (the text the format parser sees). */
export function unwrapLine(raw: string, wrapper: Wrapper): string {
  return unwrap(raw, wrapper).text;
}

/** The wrapper most of the non-empty lines have, or 'none'. */
export function detectWrapper(lines: readonly string[]): Wrapper {
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  if (nonEmpty.length === 0) return 'none';
  // On a tie the earlier wins: a CRI or journal line also starts with a time kubectl's could be.
  const candidates: readonly Wrapper[] = ['cri', 'docker-json', 'compose', 'syslog', 'kubectl', 'stern'];
  let best: Wrapper = 'none';
  let bestCount = 0;
  for (const w of candidates) {
    const count = nonEmpty.filter((l) => unwrap(l, w).wrapped).length;
    if (count > bestCount) {
      best = w;
      bestCount = count;
    }
  }
  return bestCount * 2 > nonEmpty.length ? best : 'none';
}
