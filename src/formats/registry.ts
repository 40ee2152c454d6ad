// The log-format registry: every format the scanner reads, as one object each (how a file is
// recognised, how a line parses into an event, what text rules see, samples). Detection and
// record assembly read this list; adding a format is one file plus one line in FORMATS.

import type { LogFormat } from '../core/index.js';
import type { LogFormatDef } from './events.js';
import { hsErrFormat } from './hs-err.js';
import { javaLogFormat, kafkaFormat } from './java.js';
import { jsonFormat } from './json.js';
import { logfmtFormat } from './logfmt.js';
import { plainFormat } from './plain.js';

export type { FormatSample, LogFormatDef } from './events.js';

/**
 * In detection order: claims are tried first, then the formats that fit most head lines win,
 * ties going to the earlier (more specific) entry; the fallback takes the rest.
 */
const FORMATS: LogFormatDef[] = [hsErrFormat, kafkaFormat, jsonFormat, logfmtFormat, javaLogFormat, plainFormat];

export function logFormats(): readonly LogFormatDef[] {
  return FORMATS;
}

export function formatDef(name: LogFormat): LogFormatDef {
  const def = FORMATS.find((f) => f.name === name) ?? FORMATS.find((f) => f.fallback === true);
  if (!def) throw new Error(`no log format ${name} and no fallback format`);
  return def;
}

/**
 * Adds a format in-process, before the fallback (a test's fixture format; shipped formats are
 * listed in FORMATS). Worker threads (`--jobs` > 1) load FORMATS only. Returns the undo.
 */
export function registerFormat(def: LogFormatDef): () => void {
  if (FORMATS.some((f) => f.name === def.name)) throw new Error(`log format ${def.name} is registered twice`);
  const at = FORMATS.findIndex((f) => f.fallback === true);
  FORMATS.splice(at < 0 ? FORMATS.length : at, 0, def);
  return () => {
    const i = FORMATS.indexOf(def);
    if (i >= 0) FORMATS.splice(i, 1);
  };
}
