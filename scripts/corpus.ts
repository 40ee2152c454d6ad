// `npm run corpus`: scans the krashpad hs_err corpus (../shared/corpus/krashpad) with the
// real CLI pipeline and prints agreement with its expected.tsv per verdict, every
// disagreement with the incident's reason, and false alarms on `none` files.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../src/core/index.js';
import { runScan } from '../src/pipeline/scan.js';
import { defaultRulesDir, loadRuleDirs } from '../src/rules/load.js';

export interface CorpusRow {
  readonly file: string;
  readonly expected: string;
  readonly got: string;
  readonly confidence: string;
  readonly because: string;
}

export async function scoreCorpus(dir: string): Promise<CorpusRow[]> {
  const tsv = readFileSync(path.join(dir, 'expected.tsv'), 'utf8').trim().split('\n').slice(1);
  const loaded = await loadRuleDirs([defaultRulesDir()]);
  if (!loaded.ok) throw new Error(`rule pack invalid: ${JSON.stringify(loaded.errors)}`);
  const rows: CorpusRow[] = [];
  for (const line of tsv) {
    const [file, , expected] = line.split('\t');
    if (!file || !expected) continue;
    const report: Report = await runScan({
      paths: [path.join(dir, file)],
      cwd: process.cwd(),
      include: [],
      exclude: [],
      rules: loaded.rules,
      context: 0,
      maxLineBytes: 1024 * 1024,
      now: new Date(0),
      version: 'corpus',
    });
    const top = report.incidents[0];
    rows.push({ file, expected, got: report.verdict, confidence: top?.confidence ?? '', because: top?.summary ?? '' });
  }
  return rows;
}

async function cli(): Promise<number> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dir = process.argv[2] ?? path.resolve(here, '../../../shared/corpus/krashpad');
  const rows = await scoreCorpus(dir);
  const byVerdict = new Map<string, { total: number; agree: number }>();
  for (const r of rows) {
    const v = byVerdict.get(r.expected) ?? { total: 0, agree: 0 };
    v.total++;
    if (r.got === r.expected) v.agree++;
    byVerdict.set(r.expected, v);
  }
  const agree = rows.filter((r) => r.got === r.expected).length;
  const falseAlarms = rows.filter((r) => r.expected === 'none' && r.got !== 'none');
  process.stdout.write(`krashpad corpus: ${agree}/${rows.length} verdicts agree (${((agree / rows.length) * 100).toFixed(1)}%)\n`);
  for (const [v, s] of [...byVerdict.entries()].sort()) process.stdout.write(`  ${v.padEnd(22)} ${s.agree}/${s.total}\n`);
  process.stdout.write(`  false alarms on 'none' files: ${falseAlarms.length}\n`);
  const bad = rows.filter((r) => r.got !== r.expected);
  if (bad.length > 0) process.stdout.write('disagreements:\n');
  for (const r of bad) process.stdout.write(`  ${r.file}: expected ${r.expected}, got ${r.got} (${r.confidence}) — ${r.because}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = await cli();
}
