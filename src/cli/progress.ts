// The progress line of `scan` on stderr: files, bytes read of the total, rate and ETA, and the file
// being read; it moves inside a big file (the reader reports raw bytes as it goes). On a terminal
// it is redrawn in place (ansi-escapes), at most every 100 ms; with --progress elsewhere (a CI log)
// one line per 5% of the bytes, so a log gets about twenty lines, never one per file.

import ansiEscapes from 'ansi-escapes';
import { fmtBytes } from '../core/index.js';
import type { ScanProgress } from '../pipeline/scan.js';
import type { CliIO } from './context.js';

const REDRAW_MS = 100;
const STEPS = 20;

/** '9s', '2m05s', '1h02m'. */
export function fmtEta(secs: number): string {
  const s = Math.max(0, Math.ceil(secs));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One progress line, at most `width` columns: the file name is cut from the left when it does not fit. */
export function progressLine(p: ScanProgress, secs: number, width: number): string {
  const rate = p.bytesDone / Math.max(secs, 0.001);
  const of = p.bytesTotal > 0 ? ` of ${fmtBytes(p.bytesTotal)} (${Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100))}%)` : '';
  const eta = rate > 0 && p.bytesTotal > p.bytesDone ? `, ETA ${fmtEta((p.bytesTotal - p.bytesDone) / rate)}` : '';
  let head = `scanning: ${p.filesDone}/${p.filesTotal} files, ${fmtBytes(p.bytesDone)}${of}, ${fmtBytes(rate)}/s${eta}`;
  // Too narrow: the last parts go whole (ETA, then the rate, …), never cut in the middle.
  while (head.length > width && head.includes(', ')) head = head.slice(0, head.lastIndexOf(', '));
  const room = width - head.length - 2;
  if (p.current === '' || room < 8) return head.slice(0, width);
  const name = p.current.length <= room ? p.current : `…${p.current.slice(p.current.length - room + 1)}`;
  return `${head}  ${name}`;
}

/** The printer `scan` hands to the pipeline; `done` clears an in-place line before the report is written. */
export function progressPrinter(io: CliIO, inPlace: boolean, clock: () => number = Date.now): { update: (p: ScanProgress) => void; done: () => void } {
  const start = clock();
  let last = -Infinity;
  let step = -1;
  let filesSeen = 0;
  let shown = false;
  const width = Math.max(40, (io.columns ?? 100) - 1);
  // Control characters in a file name never reach the terminal raw.
  const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return {
    update(p) {
      const t = clock();
      if (inPlace) {
        if (t - last < REDRAW_MS) return;
      } else {
        const now = p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * STEPS) : -1;
        const moved = p.bytesTotal > 0 ? now > step : p.filesDone > filesSeen;
        filesSeen = p.filesDone;
        if (!moved) return;
        step = now;
      }
      last = t;
      const line = progressLine({ ...p, current: clean(p.current) }, (t - start) / 1000, width);
      io.stderr(inPlace ? `${ansiEscapes.cursorTo(0)}${ansiEscapes.eraseEndLine}${line}` : `${line}\n`);
      shown = true;
    },
    done() {
      if (shown && inPlace) io.stderr(`${ansiEscapes.cursorTo(0)}${ansiEscapes.eraseEndLine}`);
    },
  };
}
