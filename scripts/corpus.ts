// `npm run corpus`: scores mapmortem against the real-world corpus (corpus/real-world/index.tsv,
// one folder per case) and, when ../shared is beside the clone, the krashpad hs_err corpus.
// Prints agreement (the label or an accepted alternative), per-class recall, the confusion
// matrix, false alarms on the negatives (label none), how often `high` confidence was right,
// and every disagreement with the incident's reason.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report, Rule } from '../src/core/index.js';
import { runScan } from '../src/pipeline/scan.js';
import { defaultRulesDir, loadRuleDirs } from '../src/rules/load.js';

export interface CorpusCase {
  readonly id: string;
  readonly system: string;
  readonly label: string;
  readonly accept: readonly string[];
  readonly paths: readonly string[];
}

export interface CorpusRow {
  readonly id: string;
  readonly system: string;
  readonly expected: string;
  readonly accept: readonly string[];
  readonly got: string;
  readonly confidence: string;
  readonly because: string;
  readonly rules: readonly string[];
}

export interface CorpusScore {
  readonly rows: readonly CorpusRow[];
  readonly agree: number;
  readonly exact: number;
  readonly recall: ReadonlyMap<string, { total: number; agree: number }>;
  /** expected → got → count. */
  readonly confusion: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly negatives: number;
  readonly falseAlarms: readonly CorpusRow[];
  readonly high: { total: number; right: number };
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root, from dist/scripts or scripts. */
export function repoRoot(): string {
  let dir = here;
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

/** The real-world corpus's cases: index.tsv rows with their case folder. */
export function readRealWorld(dir: string): CorpusCase[] {
  const lines = readFileSync(path.join(dir, 'index.tsv'), 'utf8').split('\n');
  const out: CorpusCase[] = [];
  const seen = new Set<string>();
  for (const line of lines.slice(1)) {
    const [id, system, label, accept] = line.split('\t');
    if (!id || !label || id === 'id' || seen.has(id)) continue;
    const folder = path.join(dir, 'cases', id);
    if (!existsSync(folder)) continue;
    seen.add(id);
    out.push({ id, system: system ?? '-', label, accept: accept && accept !== '-' ? accept.split(',').map((s) => s.trim()) : [], paths: [folder] });
  }
  return out;
}

/** The krashpad corpus's files with their expected verdicts (expected.tsv: file, ?, verdict). */
export function readKrashpad(dir: string): CorpusCase[] {
  const lines = readFileSync(path.join(dir, 'expected.tsv'), 'utf8').trim().split('\n').slice(1);
  const out: CorpusCase[] = [];
  for (const line of lines) {
    const [file, , expected] = line.split('\t');
    if (file && expected) out.push({ id: file, system: 'jvm', label: expected, accept: [], paths: [path.join(dir, file)] });
  }
  return out;
}

export async function loadPack(): Promise<Rule[]> {
  const loaded = await loadRuleDirs([defaultRulesDir()]);
  if (!loaded.ok) throw new Error(`rule pack invalid: ${JSON.stringify(loaded.errors)}`);
  return loaded.rules;
}

/** Scans each case with the real pipeline (as `mapmortem scan <case>` does) and scores the verdicts. */
export async function scoreCases(cases: readonly CorpusCase[], rules: readonly Rule[]): Promise<CorpusScore> {
  const rows: CorpusRow[] = [];
  for (const c of cases) {
    const report: Report = await runScan({
      paths: [...c.paths],
      cwd: process.cwd(),
      include: [],
      exclude: [],
      rules,
      context: 0,
      maxLineBytes: 1024 * 1024,
      now: new Date(0),
      version: 'corpus',
    });
    const top = report.incidents[0];
    rows.push({
      id: c.id,
      system: c.system,
      expected: c.label,
      accept: c.accept,
      got: report.verdict,
      confidence: top?.confidence ?? '',
      because: top?.summary ?? '',
      rules: [...new Set(report.incidents.flatMap((i) => i.findings.map((f) => f.ruleId)))].sort(),
    });
  }
  return summarise(rows);
}

export function agrees(r: CorpusRow): boolean {
  return r.got === r.expected || r.accept.includes(r.got);
}

export function summarise(rows: readonly CorpusRow[]): CorpusScore {
  const recall = new Map<string, { total: number; agree: number }>();
  const confusion = new Map<string, Map<string, number>>();
  let high = 0;
  let highRight = 0;
  for (const r of rows) {
    const v = recall.get(r.expected) ?? { total: 0, agree: 0 };
    v.total++;
    if (agrees(r)) v.agree++;
    recall.set(r.expected, v);
    const row = confusion.get(r.expected) ?? new Map<string, number>();
    row.set(r.got, (row.get(r.got) ?? 0) + 1);
    confusion.set(r.expected, row);
    if (r.confidence === 'high') {
      high++;
      if (agrees(r)) highRight++;
    }
  }
  const negatives = rows.filter((r) => r.expected === 'none');
  return {
    rows,
    agree: rows.filter(agrees).length,
    exact: rows.filter((r) => r.got === r.expected).length,
    recall,
    confusion,
    negatives: negatives.length,
    falseAlarms: negatives.filter((r) => r.got !== 'none' && !r.accept.includes(r.got)),
    high: { total: high, right: highRight },
  };
}

const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((a / b) * 100).toFixed(1)}%`);

/** The score in words: the lines `npm run corpus` prints. */
export function formatScore(name: string, s: CorpusScore, verbose = true): string {
  const out: string[] = [];
  const n = s.rows.length;
  out.push(`${name}: ${s.agree}/${n} agree (${pct(s.agree, n)}; exact ${s.exact}, accepted alternative ${s.agree - s.exact})`);
  out.push('  per-class recall (label or accepted alternative):');
  for (const [label, v] of [...s.recall.entries()].sort()) out.push(`    ${label.padEnd(22)} ${`${v.agree}/${v.total}`.padStart(8)}  ${pct(v.agree, v.total)}`);
  out.push(`  false alarms on negatives (label none): ${s.falseAlarms.length} of ${s.negatives}`);
  out.push(`  high confidence right: ${s.high.right}/${s.high.total} (${pct(s.high.right, s.high.total)})`);
  const labels = [...new Set([...s.confusion.keys(), ...[...s.confusion.values()].flatMap((m) => [...m.keys()])])].sort();
  const short = (l: string): string =>
    l
      .split('-')
      .map((w) => w.slice(0, 3))
      .join('-');
  out.push('  confusion matrix (rows: label, columns: verdict):');
  out.push(`    ${''.padEnd(22)} ${labels.map((l) => short(l).padStart(9)).join('')}`);
  for (const e of labels) {
    const row = s.confusion.get(e);
    if (!row) continue;
    out.push(`    ${e.padEnd(22)} ${labels.map((g) => String(row.get(g) ?? '.').padStart(9)).join('')}`);
  }
  const bad = s.rows.filter((r) => !agrees(r));
  if (verbose && bad.length > 0) {
    out.push('  disagreements:');
    for (const r of bad) out.push(`    ${r.id}: label ${r.expected}, got ${r.got} (${r.confidence || '-'}) [${r.rules.join(',') || 'no finding'}] ${r.because}`);
  }
  return `${out.join('\n')}\n`;
}

/** The krashpad corpus's rows, file by file (the krashpad evidence suite reads these). */
export async function scoreCorpus(dir: string): Promise<(CorpusRow & { file: string })[]> {
  const score = await scoreCases(readKrashpad(dir), await loadPack());
  return score.rows.map((r) => ({ ...r, file: r.id }));
}

async function cli(): Promise<number> {
  const root = repoRoot();
  const rules = await loadPack();
  const real = path.join(root, 'corpus', 'real-world');
  if (existsSync(path.join(real, 'index.tsv'))) {
    process.stdout.write(formatScore('real-world corpus', await scoreCases(readRealWorld(real), rules)));
  }
  const krashpad = process.argv[2] ?? path.resolve(root, '../shared/corpus/krashpad');
  if (existsSync(path.join(krashpad, 'expected.tsv'))) {
    process.stdout.write(formatScore('krashpad corpus', await scoreCases(readKrashpad(krashpad), rules)));
  } else process.stdout.write(`krashpad corpus: skipped (${krashpad} is not there)\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = await cli();
}
