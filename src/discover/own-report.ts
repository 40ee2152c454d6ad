// Recognises mapmortem's own reports by content (text, JSON, ndjson, Markdown, HTML), so a report
// written under a scanned directory is skipped with a note instead of being read back as a log
// (its quoted log lines would match the rules again). A capture manifest is evidence, not a report.

import { CAUSES } from '../core/index.js';

export type OwnReportFormat = 'text' | 'json' | 'ndjson' | 'md' | 'html';

const VERDICTS = [...CAUSES, 'none', 'nothing-read'].map((c) => c.replace(/[-]/g, '\\-')).join('|');
const TEXT_HEAD = new RegExp(`^(?:\\u001b\\[[0-9;]*m)*VERDICT: (?:\\u001b\\[[0-9;]*m)*(?:${VERDICTS})(?:\\u001b\\[[0-9;]*m)* `);
const MD_HEAD = new RegExp(`^## mapmortem verdict: \`(?:${VERDICTS})\``);
const JSON_HEAD = /^\s*\{\s*"schemaVersion"\s*:\s*\d+\s*,\s*"tool"\s*:\s*\{\s*"name"\s*:\s*"mapmortem"/;
const HTML_GENERATOR = /<meta name="generator" content="mapmortem [^"<>]*">/;
const NDJSON_FINDING = /^\{"type":"finding","ruleId":"[^"]+",(?:"message":"(?:[^"\\]|\\.)*",)?"severity":"[a-z]+","systems":\[/;
const NDJSON_SUMMARY = /^\{"type":"summary","schemaVersion":\d+,"tool":\{"name":"mapmortem"/;

/** The report format when the first bytes of an input are one of mapmortem's own reports, else null. */
export function ownReportFormat(head: Buffer): OwnReportFormat | null {
  const text = head
    .subarray(0, 8192)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const firstLine = text.split('\n', 1)[0] ?? '';
  if (TEXT_HEAD.test(firstLine)) return 'text';
  if (MD_HEAD.test(firstLine)) return 'md';
  if (NDJSON_FINDING.test(firstLine) || NDJSON_SUMMARY.test(firstLine)) return 'ndjson';
  if (JSON_HEAD.test(text) && /"generatedAt"\s*:/.test(text)) return 'json';
  if (/^\s*<!doctype html>/i.test(text) && HTML_GENERATOR.test(text)) return 'html';
  return null;
}
