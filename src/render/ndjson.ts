// ndjson output: one JSON object per finding as each file completes (in input order), then one
// summary object whose incidents list their findings by reference. With --redact the
// placeholders depend on the whole report, so the finding lines are held until the end.

import type { Finding, Report } from '../core/index.js';
import { jsonReplacer } from './json.js';
import { redactReportAndFindings } from './redact.js';

export interface NdjsonStreamer {
  /** The findings of one finished file. */
  readonly file: (findings: readonly Finding[]) => void;
  /** What is left to write once the scan is done: held finding lines, then the summary. */
  readonly summary: (report: Report) => string;
}

/** `live` receives finding lines as they come (stdout); without it they are held for `summary`. */
export function ndjsonStreamer(live: ((s: string) => void) | undefined, redact: boolean): NdjsonStreamer {
  const lines: string[] = [];
  const held: Finding[] = [];
  const line = (f: Finding): string => `${JSON.stringify({ type: 'finding', ...f }, jsonReplacer)}\n`;
  return {
    file(findings) {
      if (redact) {
        held.push(...findings);
        return;
      }
      for (const f of findings) {
        if (live) live(line(f));
        else lines.push(line(f));
      }
    },
    summary(unredacted) {
      let r = unredacted;
      if (redact) {
        const both = redactReportAndFindings(unredacted, held);
        r = both.report;
        lines.push(...both.findings.map(line));
      }
      const { incidents, ...rest } = r;
      const summary = JSON.stringify(
        {
          type: 'summary',
          ...rest,
          incidents: incidents.map(({ findings: _f, ...inc }) => ({
            ...inc,
            findings: _f.map((f) => ({ file: f.file, line: f.line, ruleId: f.ruleId })),
          })),
        },
        jsonReplacer,
      );
      return `${lines.join('')}${summary}\n`;
    },
  };
}
