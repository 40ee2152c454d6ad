// JVM fatal error logs (hs_err_pid*.log): recognised by the `#` banner at the top. Every
// line is its own record (the header has no timestamps), so a rule sees each line alone.

import { makeEvent, type LogFormatDef, type ParsedEvent } from './events.js';

const BANNERS = [/^#\s*A fatal error has been detected by the Java Runtime Environment/, /^#\s*There is insufficient memory for the Java Runtime Environment to continue/];
const SECTION_RE = /^-{5,}\s+(?:S U M M A R Y|T H R E A D|P R O C E S S|S Y S T E M)\s+-{3,}/;

/**
 * An hs_err file: the first non-empty line is a `#` banner line and the banner text is
 * among the first lines, or the file opens on one of its section rulers.
 */
export function looksLikeHsErr(lines: readonly string[]): boolean {
  const nonEmpty = lines.filter((l) => l.trim() !== '').slice(0, 12);
  const firstLine = nonEmpty[0];
  if (firstLine === undefined) return false;
  if (SECTION_RE.test(firstLine)) return true;
  if (!firstLine.startsWith('#')) return false;
  return nonEmpty.some((l) => BANNERS.some((re) => re.test(l)));
}

/** Every hs_err line starts a record; its message is the line itself. */
export function parseHsErrLine(text: string): ParsedEvent {
  return makeEvent(text);
}

export const hsErrFormat: LogFormatDef = {
  name: 'hs-err',
  description: 'JVM fatal error log (hs_err_pid*.log): every line is its own record',
  claims: looksLikeHsErr,
  parse: parseHsErrLine,
  samples: [
    {
      lines: [
        '#',
        '# There is insufficient memory for the Java Runtime Environment to continue.',
        '# Native memory allocation (mmap) failed to map 12288 bytes for committing reserved memory.',
      ],
      event: { message: '#' },
    },
  ],
};
