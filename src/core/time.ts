// Timestamp normalisation for every log format and evidence file (the hs_err `Time:` line): ISO
// 8601 with or without a zone, epoch seconds/milliseconds, syslog (no year), dmesg -T and Go's
// log package. Zoned times become UTC with a `Z`; times without a zone keep their wall clock and
// say hasOffset=false.

import type { EventTime } from './records.js';

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** Regex source for an ISO-like timestamp (date, `T` or space, time, optional fraction and zone). */
export const ISO_TS = String.raw`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?)?`;

const ISO_RE = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$`);

function pad(n: number, width = 2): string {
  if (width === 2 && n >= 0 && n < 100) return n < 10 ? `0${n}` : `${n}`;
  return String(n).padStart(width, '0');
}

/** Fraction digits as exactly three (milliseconds), or '' when the source had none. */
function millis(frac: string | undefined): string {
  if (frac === undefined || frac === '') return '';
  return '.' + frac.slice(0, 3).padEnd(3, '0');
}

function validParts(mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

/** Builds an EventTime from wall-clock parts; `offsetMin` given means the source had a zone. */
export function timeFromParts(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, offsetMin: number | undefined): EventTime | undefined {
  if (!validParts(mo, d, h, mi, s)) return undefined;
  if (offsetMin === undefined) {
    return { iso: `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${millis(frac)}`, hasOffset: false };
  }
  const utc = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - offsetMin * 60_000);
  const iso =
    `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}` +
    `T${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}${millis(frac)}Z`;
  return { iso, hasOffset: true };
}

/** Minutes east of UTC of `Z`, `+hh`, `+hhmm` or `+hh:mm`; undefined for no zone. */
export function offsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined) return undefined;
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hh = Number(digits.slice(0, 2));
  const mm = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hh * 60 + mm);
}

/** Parses a whole string as an ISO-like timestamp. */
export function parseIsoTime(s: string): EventTime | undefined {
  const m = ISO_RE.exec(s.trim());
  if (m === null) return undefined;
  return timeFromParts(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7], offsetMinutes(m[8]));
}

/** Whether parseIsoTime gives a time (the parts are checked; no string is built). */
export function isIsoTime(s: string): boolean {
  const m = ISO_RE.exec(s.trim());
  return m !== null && validParts(Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Epoch seconds (with fraction) or milliseconds (values above 1e11) to UTC. */
export function parseEpochTime(n: number): EventTime | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  const ms = n > 1e11 ? n : n * 1000;
  const date = new Date(Math.round(ms));
  if (Number.isNaN(date.getTime())) return undefined;
  return { iso: date.toISOString(), hasOffset: true };
}

/** A timestamp field value: ISO string, numeric string or number. */
export function parseTimeValue(v: unknown): EventTime | undefined {
  if (typeof v === 'number') return parseEpochTime(v);
  if (typeof v !== 'string') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(v)) return parseEpochTime(Number(v));
  return parseIsoTime(v);
}

export function monthNumber(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

/**
 * Syslog time (`May  1 12:00:00`): no year and no zone. Kept as ISO 8601 without a year
 * (`--05-01T12:00:00`), hasOffset=false.
 */
export function syslogTime(mon: string, day: string, clock: string): EventTime | undefined {
  const mo = monthNumber(mon);
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(clock);
  if (mo === undefined || m === null) return undefined;
  const d = Number(day);
  if (!validParts(mo, d, Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  return { iso: `--${pad(mo)}-${pad(d)}T${m[1]}:${m[2]}:${m[3]}${millis(m[4])}`, hasOffset: false };
}
