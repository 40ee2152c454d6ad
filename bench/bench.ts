// `npm run bench` (node dist/bench/bench.js [--size 1G] [--runs 5] [--work DIR]): generates the
// corpus under /tmp, then times mapmortem scan against ripgrep, GNU grep and cat (plain, gzip,
// one giant line) with hyperfine (median of N runs, 1 warm-up), peak RSS with /usr/bin/time -v,
// checks that every tool found every planted needle, and prints MB/s and the ratio to rg.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus, generateGiantLine, type Corpus, type Needle } from './corpus.js';
import { grepPattern, jsRegex, loadPatterns, rgPattern } from './patterns.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const bin = path.join(repo, 'dist', 'src', 'cli', 'bin.js');

interface Args {
  size: number;
  runs: number;
  work: string;
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(s.trim());
  if (!m) throw new Error(`--size: not a size: ${s} (e.g. 256M, 1G)`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * mult);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { size: 1024 ** 3, runs: 5, work: path.join(tmpdir(), 'mapmortem-bench') };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--size' && v) a.size = parseSize(v);
    else if (k === '--runs' && v) a.runs = Math.max(1, Number(v));
    else if (k === '--work' && v) a.work = path.resolve(v);
    else if (k === '--help' || k === '-h') {
      process.stdout.write('usage: node dist/bench/bench.js [--size 1G|256M] [--runs 5] [--work /tmp/mapmortem-bench]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
    i++;
  }
  if (path.relative(repo, a.work).split(path.sep)[0] !== '..' && !path.isAbsolute(path.relative(repo, a.work))) {
    throw new Error(`--work ${a.work} is inside the repository; use a directory under /tmp`);
  }
  return a;
}

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Installs Debian packages when missing and allowed (root); else says what to do. */
function ensureTool(cmd: string, pkg: string, required: boolean): boolean {
  if (has(cmd)) return true;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && has('apt-get')) {
    process.stderr.write(`bench: ${cmd} missing, installing ${pkg} with apt-get…\n`);
    spawnSync('sh', ['-c', `apt-get install -y ${pkg} >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y ${pkg} >/dev/null 2>&1)`], { stdio: 'inherit' });
    if (has(cmd)) return true;
  }
  const msg = `bench: ${cmd} not found; install it with: sudo apt-get install -y ${pkg}\n`;
  if (required) throw new Error(msg);
  process.stderr.write(msg);
  return false;
}

interface Row {
  group: string;
  name: string;
  cmd: string;
  /** Uncompressed bytes the command processes (for MB/s). */
  bytes: number;
  /** Row name of the rg baseline to compare with. */
  base?: string;
  note?: string;
  check?: () => string;
  median?: number;
  rssMiB?: number;
  checked?: string;
}

const sh = (cmd: string): { out: string; status: number | null; err: string } => {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return { out: r.stdout, status: r.status, err: r.stderr };
};

function time(cmd: string, runs: number, work: string): number {
  if (has('hyperfine')) {
    const json = path.join(work, 'hyperfine.json');
    const r = spawnSync('hyperfine', ['--runs', String(runs), '--warmup', '1', '--export-json', json, '--style', 'none', cmd], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`hyperfine failed for: ${cmd}\n${r.stderr}`);
    const res = JSON.parse(readFileSync(json, 'utf8')) as { results: { median: number }[] };
    return res.results[0]?.median ?? NaN;
  }
  sh(cmd);
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    sh(cmd);
    t.push(Number(process.hrtime.bigint() - s) / 1e9);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)] as number;
}

function peakRss(cmd: string): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-v', 'sh', '-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) / 1024 : undefined;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** file (relative to the corpus root, without .gz) → matched line numbers. */
type Hits = Map<string, number[]>;

function hitsFromGrepOutput(out: string, root: string): Hits {
  const hits: Hits = new Map();
  for (const l of out.split('\n')) {
    const m = /^(.*?):(\d+):/.exec(l);
    if (!m) continue;
    const file = path.relative(root, m[1] as string).replace(/\.gz$/, '');
    const list = hits.get(file) ?? [];
    list.push(Number(m[2]));
    hits.set(file, list);
  }
  return hits;
}

function hitsFromMapmortem(out: string, root: string): Hits {
  const hits: Hits = new Map();
  const add = (file: string, line: number): void => {
    const rel = path.relative(root, path.resolve(root, file)).replace(/\.gz$/, '');
    const list = hits.get(rel) ?? [];
    list.push(line);
    hits.set(rel, list);
  };
  for (const l of out.split('\n')) {
    if (!l.startsWith('{')) continue;
    const o = JSON.parse(l) as { type?: string; file?: string; line?: number; incidents?: { findings: { file: string; line: number }[] }[] };
    if (o.type === 'finding' && o.file !== undefined && o.line !== undefined) add(o.file, o.line);
    else if (o.type === undefined && o.incidents) for (const inc of o.incidents) for (const f of inc.findings) add(f.file, f.line);
  }
  return hits;
}

/** "found/needles, extra N": a needle is found when a hit falls inside its block. */
function score(hits: Hits, needles: readonly Needle[]): { found: number; extra: number; text: string } {
  let found = 0;
  let inBlocks = 0;
  let total = 0;
  for (const list of hits.values()) total += list.length;
  const missing: string[] = [];
  for (const n of needles) {
    const list = hits.get(n.file) ?? [];
    const inside = list.filter((x) => x >= n.startLine && x <= n.endLine).length;
    inBlocks += inside;
    if (inside > 0) found++;
    else missing.push(`${n.file}:${n.startLine} (${n.kind}${n.straddles ? ', straddles 1 MiB' : ''})`);
  }
  const extra = total - inBlocks;
  const text = `${found}/${needles.length}${extra > 0 ? ` +${extra} other lines` : ''}${missing.length > 0 ? ` MISSING ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? '…' : ''}` : ''}`;
  return { found, extra, text };
}

function fmt(n: number | undefined, digits: number): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

function printTable(rows: Row[]): void {
  const header = ['group', 'method', 'median s', 'MB/s', 'peak RSS MiB', '× rg', 'needles found', 'note'];
  const byName = new Map(rows.map((r) => [`${r.group}/${r.name}`, r]));
  const body = rows.map((r) => {
    const base = r.base ? byName.get(`${r.group}/${r.base}`) : undefined;
    const ratio = base?.median && r.median ? base.median / r.median : undefined;
    return [
      r.group,
      r.name,
      fmt(r.median, 3),
      r.median ? fmt(r.bytes / 1e6 / r.median, 0) : '-',
      fmt(r.rssMiB, 0),
      ratio === undefined ? '' : `${ratio.toFixed(2)} (vs ${r.base})`,
      r.checked ?? '',
      r.note ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  process.stdout.write(`${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('\n')}\n`);
}

function gzipCorpus(c: Corpus, gzDir: string): number {
  const tool = has('pigz') ? 'pigz -6' : 'gzip -6';
  let bytes = 0;
  for (const f of c.files) {
    const out = path.join(gzDir, `${f}.gz`);
    mkdirSync(path.dirname(out), { recursive: true });
    execFileSync('sh', ['-c', `${tool} -c ${q(path.join(c.dir, f))} > ${q(out)}`]);
    bytes += Number(sh(`stat -c %s ${q(out)}`).out.trim());
  }
  return bytes;
}

export async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  if (!existsSync(bin)) throw new Error(`${bin} not built; run npm run build first`);
  ensureTool('rg', 'ripgrep', true);
  ensureTool('hyperfine', 'hyperfine', false);
  if (!existsSync('/usr/bin/time')) ensureTool('/usr/bin/time', 'time', false);

  const plainDir = path.join(a.work, 'plain');
  const gzDir = path.join(a.work, 'gz');
  const giantDir = path.join(a.work, 'giant');
  rmSync(a.work, { recursive: true, force: true });
  mkdirSync(giantDir, { recursive: true });
  let t = Date.now();
  const corpus = generateCorpus(plainDir, a.size);
  const genS = (Date.now() - t) / 1000;
  t = Date.now();
  const gzBytes = gzipCorpus(corpus, gzDir);
  const gzS = (Date.now() - t) / 1000;
  const giantFile = path.join(giantDir, 'giant.log');
  const giantNeedle = generateGiantLine(giantFile, a.size);
  writeFileSync(path.join(a.work, 'corpus.manifest.json'), `${JSON.stringify({ ...corpus, giant: giantNeedle }, null, 1)}\n`);

  const patterns = loadPatterns(path.join(repo, 'rules'));
  const rgFile = path.join(a.work, 'rg.patterns');
  const grepFile = path.join(a.work, 'grep.patterns');
  writeFileSync(rgFile, `${patterns.map(rgPattern).join('\n')}\n`);
  const grepPats = patterns.map(grepPattern).filter((p): p is string => p !== null);
  writeFileSync(grepFile, `${grepPats.join('\n')}\n`);
  // Sanity: every needle block has a line the rule pack's anchor regexes match (JS semantics).
  const js = patterns.map(jsRegex);
  for (const n of corpus.needles) {
    const lines = readFileSync(path.join(plainDir, n.file), 'utf8')
      .split('\n')
      .slice(n.startLine - 1, n.endLine);
    if (!lines.some((l) => js.some((re) => re.test(l)))) throw new Error(`needle ${n.file}:${n.startLine} matches no rule pattern`);
  }

  const help = sh(`node ${q(bin)} scan --help`).out;
  const jobsFlag = help.includes('--jobs');
  const ndjson = help.includes('ndjson');
  const cores = availableParallelism();
  const files = corpus.files.map((f) => q(path.join(plainDir, f))).join(' ');
  const gzFiles = corpus.files.map((f) => q(path.join(gzDir, `${f}.gz`))).join(' ');
  const mm = (dir: string, jobs: string): string => `node ${q(bin)} scan ${q(dir)} --format json -q${jobs && jobsFlag ? ` --jobs ${jobs}` : ''}`;
  const mmCheck =
    (dir: string): (() => string) =>
    () => {
      const r = sh(`node ${q(bin)} scan ${q(dir)} --format ${ndjson ? 'ndjson' : 'json'} -q`);
      if (r.status !== 0) return `exit ${r.status}: ${r.err.slice(0, 200)}`;
      const needles = dir === giantDir ? [giantNeedle] : corpus.needles;
      let text = score(hitsFromMapmortem(r.out, dir), needles).text;
      if (dir === giantDir) text += /line-too-long/.test(r.out) ? ', line reported cut' : ', line NOT reported cut';
      return text;
    };
  const rgCheck =
    (dir: string, z: boolean, needles: readonly Needle[]): (() => string) =>
    () =>
      score(hitsFromGrepOutput(sh(`rg --no-config ${z ? '-z ' : ''}-n -H --no-heading -f ${q(rgFile)} ${q(dir)}`).out, dir), needles).text;
  const grepCheck = (): string => score(hitsFromGrepOutput(sh(`LC_ALL=C.UTF-8 grep -r -n -H -E -f ${q(grepFile)} ${q(plainDir)}`).out, plainDir), corpus.needles).text;

  const noJobs = jobsFlag ? undefined : '--jobs not available yet: both rows run the default';
  const rows: Row[] = [
    { group: 'plain', name: 'cat (read limit)', cmd: `cat ${files} > /dev/null`, bytes: corpus.bytes, base: 'rg' },
    {
      group: 'plain',
      name: 'rg',
      cmd: `rg --no-config -c -f ${q(rgFile)} ${q(plainDir)} | cat`,
      bytes: corpus.bytes,
      check: rgCheck(plainDir, false, corpus.needles),
      note: `${cores} threads`,
    },
    { group: 'plain', name: 'rg -j1', cmd: `rg --no-config -j1 -c -f ${q(rgFile)} ${q(plainDir)} | cat`, bytes: corpus.bytes, base: 'rg' },
    {
      group: 'plain',
      name: 'grep -rcE',
      cmd: `LC_ALL=C.UTF-8 grep -r -c -E -f ${q(grepFile)} ${q(plainDir)} | cat`,
      bytes: corpus.bytes,
      base: 'rg -j1',
      check: grepCheck,
      note: `${grepPats.length}/${patterns.length} patterns`,
    },
    { group: 'plain', name: 'mapmortem --jobs 1', cmd: mm(plainDir, '1'), bytes: corpus.bytes, base: 'rg -j1', ...(noJobs ? { note: noJobs } : {}) },
    { group: 'plain', name: 'mapmortem', cmd: mm(plainDir, ''), bytes: corpus.bytes, base: 'rg', check: mmCheck(plainDir) },
    {
      group: 'gzip',
      name: `${has('pigz') ? 'pigz' : 'gzip'} -dc (read limit)`,
      cmd: `${has('pigz') ? 'pigz' : 'gzip'} -dc ${gzFiles} > /dev/null`,
      bytes: corpus.bytes,
      base: 'rg -z',
    },
    { group: 'gzip', name: 'rg -z', cmd: `rg --no-config -z -c -f ${q(rgFile)} ${q(gzDir)} | cat`, bytes: corpus.bytes, check: rgCheck(gzDir, true, corpus.needles) },
    { group: 'gzip', name: 'rg -z -j1', cmd: `rg --no-config -z -j1 -c -f ${q(rgFile)} ${q(gzDir)} | cat`, bytes: corpus.bytes, base: 'rg -z' },
    { group: 'gzip', name: 'mapmortem --jobs 1', cmd: mm(gzDir, '1'), bytes: corpus.bytes, base: 'rg -z -j1', ...(noJobs ? { note: noJobs } : {}) },
    { group: 'gzip', name: 'mapmortem', cmd: mm(gzDir, ''), bytes: corpus.bytes, base: 'rg -z', check: mmCheck(gzDir) },
    { group: 'giant line', name: 'cat (read limit)', cmd: `cat ${q(giantFile)} > /dev/null`, bytes: a.size, base: 'rg' },
    {
      group: 'giant line',
      name: 'rg',
      cmd: `rg --no-config --no-mmap -c -f ${q(rgFile)} ${q(giantDir)} | cat`,
      bytes: a.size,
      check: rgCheck(giantDir, false, [giantNeedle]),
      note: '--no-mmap (else RSS = file size)',
    },
    { group: 'giant line', name: 'mapmortem', cmd: mm(giantDir, ''), bytes: a.size, base: 'rg', check: mmCheck(giantDir) },
  ];

  process.stdout.write(
    `corpus: ${(corpus.bytes / 1e6).toFixed(0)} MB in ${corpus.files.length} files, ${corpus.lines} lines, ${corpus.needles.length} needles ` +
      `(${corpus.needles.filter((n) => n.straddles).length} straddle a 1 MiB boundary); generated in ${genS.toFixed(1)} s, gzip ${(gzBytes / 1e6).toFixed(0)} MB in ${gzS.toFixed(1)} s\n` +
      `giant line: ${(a.size / 1e6).toFixed(0)} MB, needle at byte ${giantNeedle.offset}; work dir ${a.work}\n` +
      `rules: ${patterns.length} anchor patterns from rules/*.yaml; ${a.runs} runs each (median, 1 warm-up), ${has('hyperfine') ? 'hyperfine' : 'built-in timer'}; ${sh('rg --version').out.split('\n')[0]}; node ${process.version}; ${cores} cores\n\n`,
  );
  for (const r of rows) {
    process.stderr.write(`bench: ${r.group} / ${r.name}…\n`);
    if (r.check) r.checked = r.check();
    r.median = time(r.cmd, a.runs, a.work);
    r.rssMiB = peakRss(r.cmd);
  }
  printTable(rows);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
