// `npm run bench:rows` (node dist/bench/rows.js [--size 50M] [--runs 3] [--work DIR]): the rows of
// issue #11 that the corpus bench does not cover: crash-loop logs at 0%, 10% and 100% failure
// lines, 10,000 files of ~4 KiB, and start-up on a 2-line file. Data is generated
// deterministically under /tmp; mapmortem and rg run interleaved; each row prints as it finishes.

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const bundle = path.join(repo, 'dist', 'bundle', 'mapmortem.js');
const bin = existsSync(bundle) ? bundle : path.join(repo, 'dist', 'src', 'cli', 'bin.js');

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Cortex/Prometheus ingester log where `density` of the lines are mmap ENOMEM failures. */
function crashLoop(file: string, bytes: number, density: number): number {
  const r = rng(42);
  const fd = openSync(file, 'w');
  let ms = Date.UTC(2024, 4, 1);
  let size = 0;
  let n = 0;
  let failing = 0;
  let buf: string[] = [];
  while (size < bytes) {
    ms += Math.floor(r() * 50);
    const ts = new Date(ms).toISOString();
    let line: string;
    if (r() < density) {
      failing++;
      line = `level=error ts=${ts} caller=head.go:${100 + (n % 50)} component=tsdb msg="failed to mmap chunk" err="mmap, size ${30000 + Math.floor(r() * 5000)}: cannot allocate memory" series=${n}`;
    } else line = `level=info ts=${ts} caller=ingester.go:${200 + (n % 30)} msg="flushed series" user=tenant-${n % 17} series=${n} duration=${Math.floor(r() * 900)}ms`;
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
  return failing;
}

/** 10,000 Kafka server logs of ~4 KiB in 50 host folders; every 97th holds a Map failed trace. */
function smallFiles(dir: string, count: number): number {
  const r = rng(7);
  let needles = 0;
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
        needles++;
        s += `[${ts}] ERROR Error while appending records (kafka.server.ReplicaManager)\njava.io.IOException: Map failed\n\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:940)\n`;
      } else s += `[${ts}] INFO [Log partition=t-${i % 13}, dir=/var/kafka] Rolled new log segment at offset ${Math.floor(r() * 1e6)} (kafka.log.Log)\n`;
    }
    writeFileSync(path.join(d, `server-${i}.log`), s);
  }
  return needles;
}

interface Run {
  wall: number;
  rssKiB: number;
  out: string;
}

function timed(cmd: string[]): Run {
  const tf = path.join(tmpdir(), `mapmortem-rows-${process.pid}.time`);
  const r = spawnSync('/usr/bin/time', ['-o', tf, '-f', '%e %M', ...cmd], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const last = readFileSync(tf, 'utf8').trim().split('\n').pop() ?? '';
  const [wall, rss] = last.split(' ').map(Number);
  return { wall: wall ?? NaN, rssKiB: rss ?? NaN, out: r.stdout };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

function row(name: string, target: string, runs: number, input: string, litFile: string, check: (mm: string, rg: string) => string): void {
  const mm: Run[] = [];
  const rg: Run[] = [];
  const out = path.join(tmpdir(), `mapmortem-rows-${process.pid}.json`);
  for (let i = 0; i < runs; i++) {
    mm.push(timed([process.execPath, bin, 'scan', input, '--format', 'json', '-o', out]));
    rg.push(timed(['rg', '--no-config', '-n', '-i', '-F', '-f', litFile, input]));
  }
  const m = median(mm.map((r) => r.wall));
  const g = median(rg.map((r) => r.wall));
  const rss = (rs: Run[]): string => `${Math.round(Math.max(...rs.map((r) => r.rssKiB)) / 1024)} MiB`;
  const verdict = check(readFileSync(out, 'utf8'), rg[0]?.out ?? '');
  process.stdout.write(`| ${name} | ${m.toFixed(2)} s | ${g.toFixed(2)} s | ${(g / m).toFixed(3)} | ${rss(mm)} | ${rss(rg)} | ${target} | ${verdict} |\n`);
}

/** Every line number of a finding, listed or in the unlisted columns. */
function foundLines(json: string): Set<string> {
  const rep = JSON.parse(json) as { incidents: { findings: { file: string; line: number }[]; unlisted?: { files: string[]; file: number[]; line: number[] } }[] };
  const s = new Set<string>();
  for (const inc of rep.incidents) {
    for (const f of inc.findings) s.add(`${path.basename(f.file)}:${f.line}`);
    const u = inc.unlisted;
    if (u) u.line.forEach((l, i) => s.add(`${path.basename(u.files[u.file[i]!] ?? '')}:${l}`));
  }
  return s;
}

/** rg -n output ('file:line:text' or 'line:text' for one file) as basename:line of the given literal's lines. */
function rgLines(out: string, oneFile: string | undefined, literal: RegExp): Set<string> {
  const s = new Set<string>();
  for (const l of out.split('\n')) {
    if (!literal.test(l)) continue;
    const m = oneFile ? /^(\d+):/.exec(l) : /^(.*?):(\d+):/.exec(l);
    if (!m) continue;
    s.add(oneFile ? `${oneFile}:${m[1]}` : `${path.basename(m[1]!)}:${m[2]}`);
  }
  return s;
}

function main(): void {
  const args = process.argv.slice(2);
  const get = (k: string, d: string): string => {
    const i = args.indexOf(k);
    return i >= 0 && args[i + 1] ? args[i + 1]! : d;
  };
  const size = Math.round(Number(get('--size', '50').replace(/M$/i, '')) * 1e6);
  const runs = Math.max(1, Number(get('--runs', '3')));
  const work = path.resolve(get('--work', path.join(tmpdir(), 'mapmortem-rows')));
  if (!path.relative(repo, work).startsWith('..')) throw new Error(`--work ${work} is inside the repository; use a directory under /tmp`);
  if (spawnSync('sh', ['-c', 'command -v rg'], { stdio: 'ignore' }).status !== 0) {
    process.stderr.write('bench:rows: rg not found; install it with: apt-get install -y ripgrep\n');
    process.exit(2);
  }
  mkdirSync(work, { recursive: true });
  const lits = new Set<string>();
  const rulesDir = path.join(repo, 'rules');
  for (const f of readdirSync(rulesDir).filter((n) => n.endsWith('.yaml'))) {
    const doc = parse(readFileSync(path.join(rulesDir, f), 'utf8')) as { literals?: string[] };
    for (const l of doc.literals ?? []) lits.add(l);
  }
  const litFile = path.join(work, 'literals.txt');
  writeFileSync(litFile, `${[...lits].join('\n')}\n`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(`mapmortem ${bin} vs rg (${lits.size} rule literals, -F -i); median of ${runs} interleaved runs; load average ${load}\n\n`);
  process.stdout.write('| input | mapmortem | rg | rg/ours | RSS ours | RSS rg | target | check |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n');
  const enomem = /cannot allocate memory/i;
  const same =
    (file: string) =>
    (mm: string, rg: string): string => {
      const a = foundLines(mm);
      const b = rgLines(rg, file, enomem);
      const missing = [...b].filter((x) => !a.has(x)).length;
      return missing === 0 ? `same ${b.size} lines` : `${missing} of ${b.size} rg lines missing`;
    };
  const tiny = path.join(work, 'tiny.log');
  writeFileSync(tiny, 'a\nb\n');
  row('2-line file (start-up)', '< 150 ms above node -e 0', runs, tiny, litFile, () => 'no findings, as rg');
  for (const [density, label, target] of [
    [0, 'clean', 'baseline'],
    [0.1, '10% failure lines', '<= 3x clean'],
    [1, '100% failure lines', '<= 3x clean'],
  ] as const) {
    const f = path.join(work, `crashloop-${density}.log`);
    if (!existsSync(f)) crashLoop(f, size, density);
    row(`${size / 1e6} MB, ${label}`, target, density === 1 ? Math.min(runs, 2) : runs, f, litFile, same(path.basename(f)));
  }
  const small = path.join(work, 'small');
  if (!existsSync(small)) smallFiles(small, 10_000);
  row('10,000 files of ~4 KiB', '>= 0.5', runs, small, litFile, (mm, rg) => {
    const a = new Set([...foundLines(mm)].map((x) => x.split(':')[0]));
    const b = new Set([...rgLines(rg, undefined, /Map failed/)].map((x) => x.split(':')[0]));
    const missing = [...b].filter((x) => !a.has(x)).length;
    return missing === 0 ? `same ${b.size} files` : `${missing} of ${b.size} rg files missing`;
  });
}

main();
