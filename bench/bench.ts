// `npm run bench` (node dist/bench/bench.js [--size 1G] [--dense 50M] [--runs 5] [--rows a,b] [--work DIR]):
// generates every input of issue #11's table deterministically under /tmp, runs mapmortem and
// ripgrep on each in the same interleaved runs, and prints one row per input as it finishes:
// median wall and CPU time of both, the ratio, peak RSS of both, the target and whether both
// tools found the same needle lines. Nothing here is a test: targets are reported, not asserted.

import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { generateCorpus, rng, type Corpus, type Needle } from './corpus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const bundle = path.join(repo, 'dist', 'bundle', 'mapmortem.js');
const bin = existsSync(bundle) ? bundle : path.join(repo, 'dist', 'src', 'cli', 'bin.js');

const ROWS = ['startup', 'dense', 'small', 'plain', 'plain-j1', 'huge', 'gzip', 'targz', 'big'] as const;
type RowName = (typeof ROWS)[number];

interface Args {
  size: number;
  dense: number;
  runs: number;
  rows: Set<RowName>;
  work: string;
}

function parseSize(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(s.trim());
  if (!m) throw new Error(`${flag}: not a size: ${s} (e.g. 50M, 1G)`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * mult);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { size: 1024 ** 3, dense: 50 * 1000 * 1000, runs: 5, rows: new Set(ROWS), work: path.join(tmpdir(), 'mapmortem-bench') };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--size' && v) a.size = parseSize(v, '--size');
    else if (k === '--dense' && v) a.dense = parseSize(v, '--dense');
    else if (k === '--runs' && v) a.runs = Math.max(1, Number(v));
    else if (k === '--work' && v) a.work = path.resolve(v);
    else if (k === '--rows' && v) {
      const want = v.split(',').map((s) => s.trim());
      const bad = want.filter((w) => !(ROWS as readonly string[]).includes(w));
      if (bad.length > 0) throw new Error(`--rows: unknown row ${bad.join(', ')}; rows are ${ROWS.join(', ')}`);
      a.rows = new Set(want as RowName[]);
    } else if (k === '--help' || k === '-h') {
      process.stdout.write(`usage: node dist/bench/bench.js [--size 1G] [--dense 50M] [--runs 5] [--rows ${ROWS.join(',')}] [--work /tmp/mapmortem-bench]\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${k}; see --help`);
    i++;
  }
  const rel = path.relative(repo, a.work);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) throw new Error(`--work ${a.work} is inside the repository; use a directory under /tmp`);
  return a;
}

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

interface Run {
  wall: number;
  cpu: number;
  rssKiB: number;
  status: number | null;
}

/** One timed run of a shell command: wall, user+sys CPU and peak RSS of its largest process (GNU time). */
function timed(cmd: string, work: string): Run {
  const tf = path.join(work, 'time.out');
  const r = spawnSync('/usr/bin/time', ['-o', tf, '-f', '%e %U %S %M', 'sh', '-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const last = readFileSync(tf, 'utf8').trim().split('\n').pop() ?? '';
  const [wall, user, sys, rss] = last.split(' ').map(Number);
  if (r.status !== 0 && r.status !== 1) process.stderr.write(`bench: exit ${r.status} from: ${cmd}\n${(r.stderr ?? '').slice(0, 400)}\n`);
  return { wall: wall ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN), rssKiB: rss ?? NaN, status: r.status };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const mib = (kib: number): string => `${Math.round(kib / 1024)} MiB`;
const secs = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);

/** file:line keys of every finding of a mapmortem JSON report, listed or in `incidents[].unlisted`. */
function reportLines(json: string): { lines: Set<string>; verdict: string } {
  const rep = JSON.parse(json) as {
    verdict: string;
    incidents: { findings: { file: string; line: number }[]; unlisted?: { files: string[]; file: number[]; line: number[] } }[];
  };
  const lines = new Set<string>();
  for (const inc of rep.incidents) {
    for (const f of inc.findings) lines.add(`${f.file}:${f.line}`);
    const u = inc.unlisted;
    if (u) u.line.forEach((l, i) => lines.add(`${u.files[u.file[i]!] ?? ''}:${l}`));
  }
  return { lines, verdict: rep.verdict };
}

/** rg -n -H output (`path:line:text`, long lines omitted by -M) as `path:line`, read as a stream (a giant line never becomes one string). */
async function rgLines(file: string, keep: (text: string) => boolean = () => true): Promise<Set<string>> {
  const out = new Set<string>();
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const l of rl) {
    const m = /^(.*?):(\d+):(.*)$/.exec(l);
    if (m && keep(m[3]!)) out.add(`${m[1]}:${m[2]}`);
  }
  return out;
}

/** Needles (by block) a set of `path:line` hits covers; `toRel` maps a reported path to the corpus-relative one. */
function needlesFound(hits: Set<string>, needles: readonly Needle[], toRel: (p: string) => string): Set<number> {
  const byFile = new Map<string, number[]>();
  for (const h of hits) {
    const i = h.lastIndexOf(':');
    const rel = toRel(h.slice(0, i));
    const list = byFile.get(rel) ?? [];
    list.push(Number(h.slice(i + 1)));
    byFile.set(rel, list);
  }
  const found = new Set<number>();
  needles.forEach((n, k) => {
    if ((byFile.get(n.file) ?? []).some((l) => l >= n.startLine && l <= n.endLine)) found.add(k);
  });
  return found;
}

interface RowSpec {
  name: string;
  /** What the issue asks of the row, in words, and the test of it (given ours and rg's medians). */
  target: string;
  met: (ours: Summary, rg: Summary) => boolean | undefined;
  mm: string;
  rg: string;
  runs: number;
  check: () => Promise<string>;
}

interface Summary {
  wall: number;
  cpu: number;
  rssKiB: number;
}

const summary = (runs: Run[]): Summary => ({ wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)), rssKiB: Math.max(...runs.map((r) => r.rssKiB)) });

const results = new Map<string, Summary>();

async function runRow(spec: RowSpec, work: string): Promise<void> {
  process.stderr.write(`bench: ${spec.name} (${spec.runs} interleaved runs)…\n`);
  const mm: Run[] = [];
  const rg: Run[] = [];
  for (let i = 0; i < spec.runs; i++) {
    mm.push(timed(spec.mm, work));
    rg.push(timed(spec.rg, work));
  }
  const o = summary(mm);
  const g = summary(rg);
  results.set(spec.name, o);
  const met = spec.met(o, g);
  const check = await spec.check();
  const cells = [
    spec.name,
    `${secs(o.wall)} (${secs(o.cpu)} CPU)`,
    `${secs(g.wall)} (${secs(g.cpu)} CPU)`,
    `${(g.wall / o.wall).toFixed(3)} (CPU ${(g.cpu / o.cpu).toFixed(3)})`,
    mib(o.rssKiB),
    mib(g.rssKiB),
    spec.target,
    met === undefined ? '-' : met ? 'met' : 'NOT met',
    check,
  ];
  process.stdout.write(`| ${cells.join(' | ')} |\n`);
}

/** A Cortex/Prometheus ingester log where `density` of the lines are mmap ENOMEM failures. */
function crashLoop(file: string, bytes: number, density: number): void {
  const r = rng(42);
  const fd = openSync(file, 'w');
  let ms = Date.UTC(2024, 4, 1);
  let size = 0;
  let n = 0;
  let buf: string[] = [];
  while (size < bytes) {
    ms += Math.floor(r() * 50);
    const ts = new Date(ms).toISOString();
    const line =
      r() < density
        ? `level=error ts=${ts} caller=head.go:${100 + (n % 50)} component=tsdb msg="failed to mmap chunk" err="mmap, size ${30000 + Math.floor(r() * 5000)}: cannot allocate memory" series=${n}`
        : `level=info ts=${ts} caller=ingester.go:${200 + (n % 30)} msg="flushed series" user=tenant-${n % 17} series=${n} duration=${Math.floor(r() * 900)}ms`;
    buf.push(line);
    n++;
    size += line.length + 1;
    if (buf.length >= 10000) {
      writeSync(fd, `${buf.join('\n')}\n`);
      buf = [];
    }
  }
  if (buf.length > 0) writeSync(fd, `${buf.join('\n')}\n`);
  closeSync(fd);
}

/** 10,000 Kafka server logs of ~4 KiB in 50 host folders; every 97th holds a Map failed trace. */
function smallFiles(dir: string, count: number): void {
  const r = rng(7);
  for (let i = 0; i < count; i++) {
    const d = path.join(dir, `host-${String(i % 50).padStart(2, '0')}`);
    mkdirSync(d, { recursive: true });
    let s = '';
    let ms = Date.UTC(2024, 4, 1) + i * 1000;
    let planted = false;
    while (s.length < 4000) {
      ms += Math.floor(r() * 100);
      const ts = new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
      if (i % 97 === 0 && s.length > 2000 && !planted) {
        planted = true;
        s += `[${ts}] ERROR Error while appending records (kafka.server.ReplicaManager)\njava.io.IOException: Map failed\n\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:940)\n`;
      } else s += `[${ts}] INFO [Log partition=t-${i % 13}, dir=/var/kafka] Rolled new log segment at offset ${Math.floor(r() * 1e6)} (kafka.log.Log)\n`;
    }
    writeFileSync(path.join(d, `server-${i}.log`), s);
  }
}

/** The corpus files joined into one file `copies` times; the needles renumbered into it. */
/** The needles of `copies` of the corpus joined into `file`, written (again) unless both the file and its needle list are there. */
function joinedCorpus(c: Corpus, file: string, copies: number): Needle[] {
  const manifest = `${file}.json`;
  if (existsSync(file) && existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as Needle[];
  const { needles } = joinCorpus(c, file, copies);
  writeFileSync(manifest, JSON.stringify(needles));
  return needles;
}

function joinCorpus(c: Corpus, file: string, copies: number): { needles: Needle[]; bytes: number } {
  const fd = openSync(file, 'w');
  const needles: Needle[] = [];
  let lineBase = 0;
  let bytes = 0;
  for (let k = 0; k < copies; k++) {
    for (const f of c.files) {
      const data = readFileSync(path.join(c.dir, f));
      writeSync(fd, data);
      bytes += data.length;
      for (const n of c.needles.filter((x) => x.file === f)) {
        needles.push({ ...n, file: path.basename(file), startLine: n.startLine + lineBase, endLine: n.endLine + lineBase });
      }
      let lines = 0;
      for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
      lineBase += lines;
    }
  }
  closeSync(fd);
  return { needles, bytes };
}

function ruleLiterals(): string[] {
  const lits = new Set<string>();
  const dir = path.join(repo, 'rules');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    const doc = parse(readFileSync(path.join(dir, f), 'utf8')) as { literals?: string[] };
    for (const l of doc.literals ?? []) lits.add(l);
  }
  return [...lits].sort();
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (!existsSync(bin)) throw new Error(`${bin} not built; run npm run build first`);
  if (!has('rg')) throw new Error('rg not found; install it with: apt-get install -y ripgrep');
  if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time not found; install it with: apt-get install -y time');
  mkdirSync(a.work, { recursive: true });
  const w = a.work;
  const lits = ruleLiterals();
  const litFile = path.join(w, 'literals.txt');
  writeFileSync(litFile, `${lits.join('\n')}\n`);
  const mmOut = path.join(w, 'mapmortem.json');
  const rgOut = path.join(w, 'rg.out');
  const mm = (input: string, extra = ''): string => `node ${q(bin)} scan ${q(input)} --format json -q -o ${q(mmOut)}${extra}`;
  const rg = (input: string, extra = ''): string => `rg --no-config -n -H --no-heading -M 300 -i -F -f ${q(litFile)}${extra} ${q(input)} > ${q(rgOut)}`;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const rgVersion = spawnSync('rg', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  process.stdout.write(
    `mapmortem (${path.relative(repo, bin)}) vs ${rgVersion} given the rule pack's ${lits.length} literals (-F -i); node ${process.version}; ` +
      `${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}); medians of ${a.runs} interleaved runs; load average at start ${load}\n` +
      `ratio = rg time / mapmortem time (above 1: mapmortem is faster); CPU = user + sys; work dir ${w}\n\n` +
      `| input | mapmortem wall (CPU) | rg wall (CPU) | ratio wall (CPU) | RSS ours | RSS rg | target | met | same needles |\n` +
      `| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n`,
  );

  /** A check that both found the same needle lines: the lines rg prints (kept by `keep`) against the report's findings. */
  const sameLines =
    (keep: (t: string) => boolean, key: (p: string) => string = (p) => p) =>
    async (): Promise<string> => {
      const ours = reportLines(readFileSync(mmOut, 'utf8')).lines;
      const theirs = await rgLines(rgOut, keep);
      const oursKeys = new Set([...ours].map((h) => key(h)));
      const missing = [...theirs].map(key).filter((x) => !oursKeys.has(x)).length;
      return missing === 0 ? `same: all ${theirs.size} rg lines` : `${missing} of ${theirs.size} rg lines missing`;
    };
  const sameNeedles = (needles: readonly Needle[], toRelOurs: (p: string) => string, toRelRg: (p: string) => string) => async (): Promise<string> => {
    const ours = needlesFound(reportLines(readFileSync(mmOut, 'utf8')).lines, needles, toRelOurs);
    const theirs = needlesFound(await rgLines(rgOut), needles, toRelRg);
    const same = ours.size === theirs.size && [...ours].every((k) => theirs.has(k));
    return `${same ? 'same' : 'DIFFERENT'}: ours ${ours.size}/${needles.length}, rg ${theirs.size}/${needles.length}`;
  };
  const ratioAtLeast = (x: number) => (o: Summary, g: Summary) => g.wall / o.wall >= x;

  if (a.rows.has('startup')) {
    const tiny = path.join(w, 'tiny.log');
    writeFileSync(tiny, 'a\nb\n');
    const node0: Run[] = [];
    for (let i = 0; i < a.runs; i++) node0.push(timed(`node -e 0`, w));
    const n0 = summary(node0);
    process.stdout.write(`| node -e 0 (reference) | ${secs(n0.wall)} (${secs(n0.cpu)} CPU) | | | ${mib(n0.rssKiB)} | | | | |\n`);
    await runRow(
      {
        name: '2-line file (start-up)',
        target: '< 150 ms above node -e 0',
        met: (o) => o.wall - n0.wall < 0.15,
        mm: mm(tiny),
        rg: rg(tiny),
        runs: a.runs,
        check: async () => `verdict ${reportLines(readFileSync(mmOut, 'utf8')).verdict}; rg ${(await rgLines(rgOut)).size} lines`,
      },
      w,
    );
  }

  if (a.rows.has('dense')) {
    let clean: Summary | undefined;
    for (const [density, label] of [
      [0, 'clean'],
      [0.1, '10% failure lines'],
      [1, '100% failure lines (crash loop)'],
    ] as const) {
      const f = path.join(w, `crashloop-${a.dense}-${density}.log`);
      if (!existsSync(f)) crashLoop(f, a.dense, density);
      const name = `${(a.dense / 1e6).toFixed(0)} MB log, ${label}`;
      await runRow(
        {
          name,
          target: density === 0 ? 'baseline; RSS < 256 MiB' : 'within 3x of clean; RSS < 256 MiB',
          met: (o) => o.rssKiB < 256 * 1024 && (clean === undefined || o.wall <= 3 * clean.wall),
          mm: mm(f),
          rg: rg(f),
          runs: density === 1 ? Math.min(a.runs, 3) : a.runs,
          check: sameLines((t) => /cannot allocate memory/i.test(t)),
        },
        w,
      );
      if (density === 0) clean = results.get(name);
    }
  }

  if (a.rows.has('small')) {
    const small = path.join(w, 'small');
    if (!existsSync(small)) smallFiles(small, 10_000);
    await runRow(
      {
        name: '10,000 files of ~4 KiB',
        target: 'ratio >= 0.5',
        met: ratioAtLeast(0.5),
        mm: mm(small),
        rg: rg(small),
        runs: a.runs,
        check: sameLines((t) => /Map failed/.test(t)),
      },
      w,
    );
  }

  const corpusRows: RowName[] = ['plain', 'plain-j1', 'huge', 'gzip', 'targz', 'big'];
  if (corpusRows.some((r) => a.rows.has(r))) {
    const plain = path.join(w, `corpus-${a.size}`);
    const manifest = path.join(w, `corpus-${a.size}.json`);
    let corpus: Corpus;
    if (existsSync(manifest)) corpus = JSON.parse(readFileSync(manifest, 'utf8')) as Corpus;
    else {
      rmSync(plain, { recursive: true, force: true });
      process.stderr.write(`bench: generating the ${(a.size / 1e6).toFixed(0)} MB corpus…\n`);
      corpus = generateCorpus(plain, a.size);
      writeFileSync(manifest, JSON.stringify(corpus));
    }
    const mb = `${(corpus.bytes / 1e6).toFixed(0)} MB`;
    const rel = (root: string) => (p: string) => path.relative(root, p).replace(/\.gz$/, '');
    if (a.rows.has('plain')) {
      await runRow(
        {
          name: `${mb} of mixed logs in ${corpus.files.length} files, default jobs`,
          target: 'ratio >= 1.0',
          met: ratioAtLeast(1),
          mm: mm(plain),
          rg: rg(plain),
          runs: a.runs,
          check: sameNeedles(corpus.needles, rel(plain), rel(plain)),
        },
        w,
      );
    }
    if (a.rows.has('plain-j1')) {
      await runRow(
        {
          name: `the same, --jobs 1 vs rg -j1`,
          target: 'ratio >= 1.0',
          met: ratioAtLeast(1),
          mm: mm(plain, ' --jobs 1'),
          rg: rg(plain, ' -j1'),
          runs: a.runs,
          check: sameNeedles(corpus.needles, rel(plain), rel(plain)),
        },
        w,
      );
    }
    if (a.rows.has('huge')) {
      const one = path.join(w, `one-${a.size}.log`);
      const needles = joinedCorpus(corpus, one, 1);
      await runRow(
        {
          name: `one ${mb} file`,
          target: 'ratio >= 1.0',
          met: ratioAtLeast(1),
          mm: mm(one),
          rg: rg(one),
          runs: a.runs,
          check: sameNeedles(
            needles,
            (p) => path.basename(p),
            (p) => path.basename(p),
          ),
        },
        w,
      );
    }
    if (a.rows.has('gzip')) {
      const gz = path.join(w, `gz-${a.size}`);
      if (!existsSync(path.join(gz, '.done'))) {
        process.stderr.write('bench: gzipping the corpus…\n');
        for (const f of corpus.files) {
          mkdirSync(path.dirname(path.join(gz, f)), { recursive: true });
          spawnSync('sh', ['-c', `gzip -6 -c ${q(path.join(plain, f))} > ${q(path.join(gz, `${f}.gz`))}`]);
        }
        writeFileSync(path.join(gz, '.done'), '');
      }
      await runRow(
        {
          name: 'the corpus gzipped, vs rg -z',
          target: 'ratio >= 1.0',
          met: ratioAtLeast(1),
          mm: mm(gz),
          rg: rg(gz, ' -z'),
          runs: a.runs,
          check: sameNeedles(corpus.needles, rel(gz), rel(gz)),
        },
        w,
      );
    }
    if (a.rows.has('targz')) {
      const tgz = path.join(w, `corpus-${a.size}.tar.gz`);
      if (!existsSync(tgz)) {
        process.stderr.write('bench: writing the tar.gz…\n');
        spawnSync('sh', ['-c', `tar -C ${q(plain)} -czf ${q(tgz)} ${corpus.files.map(q).join(' ')}`]);
      }
      // rg reads one stream without file names: the needles it finds are counted by matching line count.
      await runRow(
        {
          name: 'a tar.gz of the corpus vs tar -xzOf piped to rg',
          target: 'ratio >= 1.0',
          met: ratioAtLeast(1),
          mm: mm(tgz),
          rg: `tar -xzOf ${q(tgz)} | rg --no-config -n --no-heading -M 300 -i -F -f ${q(litFile)} > ${q(rgOut)}`,
          runs: a.runs,
          check: async () => {
            const ours = needlesFound(reportLines(readFileSync(mmOut, 'utf8')).lines, corpus.needles, (p) => p.slice(p.indexOf('!/') + 2));
            let rgCount = 0;
            for await (const l of createInterface({ input: createReadStream(rgOut) })) if (l !== '') rgCount++;
            return `ours ${ours.size}/${corpus.needles.length} needles; rg ${rgCount} lines (no file names in a stream)`;
          },
        },
        w,
      );
    }
    if (a.rows.has('big')) {
      const rss: string[] = [];
      for (const [label, copies] of [
        ['64 MiB', 0],
        ['4x corpus', 4],
      ] as const) {
        const f = path.join(w, `big-${a.size}-${copies}.log`);
        let needles: Needle[];
        if (copies === 0) {
          // The first 64 MiB of the one-file corpus, cut at a line end.
          const one = path.join(w, `one-${a.size}.log`);
          const oneNeedles = joinedCorpus(corpus, one, 1);
          if (!existsSync(f)) spawnSync('sh', ['-c', `head -c ${64 * 1024 * 1024} ${q(one)} | sed '$d' > ${q(f)}`]);
          const lines = Number(spawnSync('sh', ['-c', `wc -l < ${q(f)}`], { encoding: 'utf8' }).stdout.trim());
          needles = oneNeedles.filter((n) => n.endLine <= lines).map((n) => ({ ...n, file: path.basename(f) }));
        } else {
          needles = joinedCorpus(corpus, f, copies);
        }
        const name = `${label} plain, one file (${(statSync(f).size / 2 ** 30).toFixed(2)} GiB)`;
        await runRow(
          {
            name,
            target: 'linear in size, RSS flat',
            met: () => undefined,
            mm: mm(f),
            rg: rg(f),
            runs: copies === 0 ? a.runs : Math.min(a.runs, 3),
            check: sameNeedles(
              needles,
              (p) => path.basename(p),
              (p) => path.basename(p),
            ),
          },
          w,
        );
        rss.push(`${label}: ${mib(results.get(name)?.rssKiB ?? NaN)}`);
      }
      process.stdout.write(`\npeak RSS by size (one file): ${rss.join(', ')}; the 1 GiB figure is the "one file" row above\n`);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
