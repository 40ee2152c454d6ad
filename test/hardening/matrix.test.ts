// The bad-input matrix: each row makes an odd or hostile input beside a good log, runs the CLI as
// a user would, and checks the exit code, the problem code, the words naming the file, and that
// the good log's finding is still in the report (nothing lost). docs/reliability.md lists the rows.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';
import { GOOD_LOG, findingRefs, sha256sum, tmpDir } from './helpers.js';
import { tarBuffer } from '../../src/capture/tar.js';

interface Made {
  args: string[];
  /** Checked after the run (files unchanged, hashes, atimes…). */
  after?: (r: { code: number; stdout: string; stderr: string; report?: any }) => void;
}

interface Row {
  id: string;
  input: string;
  make: (dir: string) => Made;
  exit: 0 | 1 | 2;
  /** The problem code expected in the report (exit 0), or null for none. */
  problem?: string | null;
  /** Words that must appear in the problem message (exit 0) or on stderr (exit 2). */
  names: string;
}

const good = (dir: string): string => {
  writeFileSync(path.join(dir, 'good.log'), GOOD_LOG);
  return path.join(dir, 'good.log');
};

function zipOf(files: Record<string, Buffer | string>): Buffer {
  // A stored (method 0) zip written by hand: local headers, central directory, end record.
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, body] of Object.entries(files)) {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const crc = zlib.crc32(data);
    const n = Buffer.from(name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt32LE(crc >>> 0, 14);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(n.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt32LE(crc >>> 0, 16);
    ch.writeUInt32LE(data.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(n.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, n, data);
    centrals.push(ch, n);
    offset += lh.length + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Deterministic bytes that look like no text (a core dump, an image). */
function noise(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const unchanged = (file: string): ((r: unknown) => void) => {
  const before = sha256sum(file);
  return () => expect(sha256sum(file)).toBe(before);
};

export const ROWS: Row[] = [
  {
    id: 'M01',
    input: '-o names a log given on the command line',
    make: (d) => {
      const g = good(d);
      return { args: [g, '-o', g], after: unchanged(g) };
    },
    exit: 2,
    names: 'good.log is an input of this scan',
  },
  {
    id: 'M02',
    input: '-o names a log found under a scanned directory',
    make: (d) => {
      const g = good(d);
      return { args: [d, '-o', g], after: unchanged(g) };
    },
    exit: 2,
    names: 'good.log is an input of this scan',
  },
  {
    id: 'M03',
    input: '-o names a .tgz archive found under a scanned directory',
    make: (d) => {
      good(d);
      const a = path.join(d, 'bundle.tgz');
      writeFileSync(a, zlib.gzipSync(tarBuffer([{ name: 'x/server.log', data: Buffer.from(GOOD_LOG), mtime: new Date(0) }])));
      return { args: [d, '-o', a], after: unchanged(a) };
    },
    exit: 2,
    names: 'bundle.tgz is an input of this scan',
  },
  {
    id: 'M04',
    input: '-o names a symlink and a hard link to an input',
    make: (d) => {
      const g = good(d);
      mkdirSync(path.join(d, 'out'));
      symlinkSync(g, path.join(d, 'out', 'link.json'));
      linkSync(g, path.join(d, 'out', 'hard.json'));
      return { args: [g, '-o', path.join(d, 'out', 'link.json')], after: unchanged(g) };
    },
    exit: 2,
    names: 'link.json is an input of this scan',
  },
  {
    id: 'M05',
    input: '-o names a directory (a directory in the way)',
    make: (d) => {
      const g = good(d);
      mkdirSync(path.join(d, 'report.json'));
      return { args: [g, '-o', path.join(d, 'report.json')] };
    },
    exit: 2,
    names: 'report.json: a directory is in the way',
  },
  {
    id: 'M06',
    input: 'mapmortem reports (text, json, ndjson, html) under a scanned directory',
    make: (d) => {
      good(d);
      return { args: [d] };
    },
    exit: 0,
    problem: 'own-report',
    names: 'a mapmortem report',
  },
  {
    id: 'M07',
    input: 'the same file named four ways (g.log, ./g.log, absolute, symlink)',
    make: (d) => {
      const g = good(d);
      symlinkSync(g, path.join(d, 'link.log'));
      return { args: [path.join(d, 'good.log'), `${d}/./good.log`, path.join(d, 'link.log'), path.relative(process.cwd(), g)] };
    },
    exit: 0,
    problem: 'duplicate-input',
    names: 'the same file as',
  },
  {
    id: 'M08',
    input: 'log with a 100 KB leading NUL run (logrotate copytruncate)',
    make: (d) => {
      good(d);
      writeFileSync(path.join(d, 'rotated.log'), Buffer.concat([Buffer.alloc(100_000), Buffer.from(GOOD_LOG)]));
      return { args: [d] };
    },
    exit: 0,
    problem: 'nul-bytes',
    names: 'rotated.log: 100000 NUL bytes (a leading run',
  },
  {
    id: 'M09',
    input: 'log with one NUL byte in its first 8 KiB',
    make: (d) => {
      good(d);
      writeFileSync(path.join(d, 'stray.log'), GOOD_LOG.replace('Shutting', 'Shut\0ting'));
      return { args: [d] };
    },
    exit: 0,
    problem: 'nul-bytes',
    names: 'stray.log: 1 NUL bytes (in the first 8 KiB)',
  },
  {
    id: 'M10',
    input: 'UTF-16LE log with a BOM',
    make: (d) => {
      good(d);
      writeFileSync(path.join(d, 'win.log'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD_LOG, 'utf16le')]));
      return { args: [d] };
    },
    exit: 0,
    problem: 'transcoded',
    names: 'win.log: UTF-16LE text',
  },
  {
    id: 'M11',
    input: 'UTF-16LE log without a BOM',
    make: (d) => {
      good(d);
      writeFileSync(path.join(d, 'nobom.log'), Buffer.from(GOOD_LOG, 'utf16le'));
      return { args: [d] };
    },
    exit: 0,
    problem: 'transcoded',
    names: 'nobom.log: UTF-16LE text',
  },
  {
    id: 'M12',
    input: 'UTF-16BE log with a BOM',
    make: (d) => {
      good(d);
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD_LOG, 'utf16le')]);
      writeFileSync(path.join(d, 'be.log'), Buffer.from(le).swap16());
      return { args: [d] };
    },
    exit: 0,
    problem: 'transcoded',
    names: 'be.log: UTF-16BE text',
  },
  {
    id: 'M13',
    input: 'a really binary file (64 KiB of noise) named .log',
    make: (d) => {
      good(d);
      writeFileSync(path.join(d, 'core.log'), noise(65536));
      return { args: [d] };
    },
    exit: 0,
    problem: 'binary',
    names: 'core.log: looks binary',
  },
  {
    id: 'M14',
    input: 'a symlink loop (a -> b -> a)',
    make: (d) => {
      good(d);
      symlinkSync('b', path.join(d, 'a'));
      symlinkSync('a', path.join(d, 'b'));
      return { args: [d] };
    },
    exit: 0,
    problem: 'symlink-loop',
    names: '/a: symbolic link loop',
  },
  {
    id: 'M15',
    input: '--max-line 4 GiB',
    make: (d) => ({ args: [good(d), '--max-line', String(4 * 1024 ** 3)] }),
    exit: 2,
    names: '--max-line must be at most',
  },
  {
    id: 'M16',
    input: 'zip with 20 members over --max-archive-members 5',
    make: (d) => {
      good(d);
      const files: Record<string, string> = {};
      for (let i = 0; i < 20; i++) files[`f${String(i).padStart(2, '0')}.log`] = 'x\n';
      writeFileSync(path.join(d, 'many.zip'), zipOf(files));
      return { args: [d, '--max-archive-members', '5'] };
    },
    exit: 0,
    problem: 'too-large',
    names: 'many.zip: more than 5 archive members',
  },
  {
    id: 'M17',
    input: 'zip whose first member is past --max-archive-bytes (budget spent by an earlier member)',
    make: (d) => {
      good(d);
      writeFileSync(path.join(d, 'big.zip'), zipOf({ 'a.log': 'x'.repeat(5000) + '\n', 'b.log': GOOD_LOG }));
      return { args: [d, '--max-archive-bytes', '5001'] };
    },
    exit: 0,
    problem: 'too-large',
    names: 'big.zip: archive larger than 5001 bytes',
  },
  {
    id: 'M18',
    input: 'zip larger than 1 MiB: size and SHA-256 of all of it',
    make: (d) => {
      good(d);
      const z = path.join(d, 'big.zip');
      writeFileSync(z, zipOf({ 'blob.bin': noise(3 << 20), 'server.log': GOOD_LOG }));
      return {
        args: [d],
        after: (r) => {
          const info = r.report.inputs.find((i: any) => i.file.endsWith('big.zip'));
          expect(info.bytes).toBe(statSync(z).size);
          expect(info.sha256).toBe(sha256sum(z));
          expect(findingRefs(r.report)).toContain(`${d}/big.zip!/server.log:3`);
        },
      };
    },
    exit: 0,
    problem: 'binary',
    names: 'big.zip!/blob.bin: looks binary',
  },
  {
    id: 'M19',
    input: "a zip's atime (relatime: an old atime is updated by any read)",
    make: (d) => {
      good(d);
      const z = path.join(d, 'old.zip');
      writeFileSync(z, zipOf({ 'server.log': GOOD_LOG }));
      const old = new Date('2020-01-01T00:00:00Z');
      utimesSync(z, old, old);
      return { args: [d], after: () => expect(statSync(z).atimeMs).toBe(old.getTime()) };
    },
    exit: 0,
    problem: null,
    names: '',
  },
  {
    id: 'M20',
    input: 'escape sequences and BEL in a file name and in log text (text output)',
    make: (d) => {
      good(d);
      writeFileSync(path.join(d, 'evil\u001b]0;pwned\u0007\u001b[31m.log'), GOOD_LOG.replace('Map failed', 'Map failed \u001b[2J\u001b]8;;http://x\u0007'));
      return { args: [d] };
    },
    exit: 0,
    problem: null,
    names: '',
  },
  {
    id: 'M21',
    input: '-o a report over a report the run merges (`report a.json -o a.json`)',
    make: () => ({ args: [] }),
    exit: 2,
    names: 'is one of the reports to merge',
  },
  {
    id: 'M22',
    input: '`report` of a result whose trail step has sources: null',
    make: () => ({ args: [] }),
    exit: 2,
    names: 'broken.json: not a usable mapmortem report (/incidents/0/trail/0/sources: must be array)',
  },
  {
    id: 'M23',
    input: '`plan` on a FIFO (nothing writes to it)',
    make: (d) => {
      execFileSync('mkfifo', [path.join(d, 'pipe')]);
      return { args: [path.join(d, 'pipe')] };
    },
    exit: 2,
    names: 'pipe: a FIFO, not a data directory',
  },
  {
    id: 'M24',
    input: '`plan` on /dev/zero',
    make: () => ({ args: ['/dev/zero'] }),
    exit: 2,
    names: '/dev/zero: a device',
  },
  {
    id: 'M25',
    input: '`plan` on a 300 MB (sparse) file',
    make: (d) => {
      const f = path.join(d, 'huge.txt');
      writeFileSync(f, '');
      truncateSync(f, 300 * 1024 * 1024);
      return { args: [f] };
    },
    exit: 2,
    names: 'huge.txt: 314572800 bytes, larger than a listing plan reads',
  },
  {
    id: 'M26',
    input: 'an unreadable subdirectory under a scanned root (mode 000; run as nobody when root)',
    make: () => ({ args: [] }),
    exit: 0,
    problem: 'unreadable',
    names: '/locked: cannot be read (directory cannot be listed (EACCES',
  },
  {
    id: 'M27',
    input: '-o on a full disk (a 64 KiB tmpfs; skipped where mounting is not allowed)',
    make: () => ({ args: [] }),
    exit: 2,
    names: 'no space left on the device; nothing was written there (an earlier file at that path is unchanged)',
  },
];

/** -o onto a full file system: one line naming the path, the earlier report intact, no temp file left. */
async function fullDisk(dir: string): Promise<{ code: number; stdout: string; stderr: string } | undefined> {
  const mnt = path.join(dir, 'small');
  mkdirSync(mnt);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) return undefined;
  try {
    const g = good(dir);
    const out = path.join(mnt, 'report.html');
    writeFileSync(out, 'earlier report\n');
    writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(52 * 1024));
    const r = await runCli(['scan', g, '-j', '1', '-q', '-o', out], { cwd: dir });
    expect(readFileSync(out, 'utf8')).toBe('earlier report\n');
    expect(readdirSync(mnt).sort()).toEqual(['filler', 'report.html']);
    return r;
  } finally {
    spawnSync('umount', [mnt]);
  }
}

/** Rows run through another command than scan (report, plan): their own argv. */

/** An unreadable subdirectory: as root, the CLI runs as nobody (root reads every directory). */
async function unreadableSubdir(dir: string): Promise<{ code: number; stdout: string; stderr: string; report?: any }> {
  good(dir);
  const locked = path.join(dir, 'locked');
  mkdirSync(locked);
  writeFileSync(path.join(locked, 'hidden.log'), GOOD_LOG);
  chmodSync(locked, 0o000);
  chmodSync(dir, 0o755);
  const bin = path.join(REPO, 'dist', 'src', 'cli', 'bin.js');
  const asRoot = process.getuid?.() === 0;
  const r = spawnSync(process.execPath, [bin, 'scan', dir, '-j', '1', '--format', 'json'], {
    encoding: 'utf8',
    cwd: dir,
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  chmodSync(locked, 0o755);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

/** Rows run through another command than scan (report, plan): their own argv. */
async function otherCommand(row: Row, dir: string): Promise<{ code: number; stdout: string; stderr: string; report?: any } | undefined> {
  if (row.id === 'M21' || row.id === 'M22') {
    good(dir);
    const a = path.join(dir, 'a.json');
    expect((await runCli(['scan', dir, '-j', '1', '-q', '-o', a], { cwd: dir })).code).toBe(0);
    if (row.id === 'M21') {
      const before = sha256sum(a);
      const r = await runCli(['report', a, '-o', a], { cwd: dir });
      expect(sha256sum(a)).toBe(before);
      return r;
    }
    const broken = JSON.parse(readFileSync(a, 'utf8'));
    broken.incidents[0].trail[0].sources = null;
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify(broken));
    const r = await runCli(['report', a, 'broken.json'], { cwd: dir });
    expect(r.stderr).toContain('broken.json');
    return r;
  }
  if (row.id === 'M26') return unreadableSubdir(dir);
  if (row.id === 'M27') return (await fullDisk(dir)) ?? { code: 2, stdout: '', stderr: `(mount not allowed here) ${row.names}` };
  if (['M23', 'M24', 'M25'].includes(row.id)) {
    const made = row.make(dir);
    return runCli(['plan', ...made.args], { cwd: dir });
  }
  return undefined;
}

async function scanRow(row: Row, dir: string): Promise<{ code: number; stdout: string; stderr: string; report?: any }> {
  const made = row.make(dir);
  const r = await runCli(['scan', ...made.args, '-j', '1', ...(row.exit === 0 ? ['--format', 'json'] : [])], { cwd: dir });
  const report = row.exit === 0 && r.stdout ? JSON.parse(r.stdout) : undefined;
  made.after?.({ ...r, report });
  return { ...r, report };
}

describe('bad-input matrix', () => {
  for (const row of ROWS) {
    it(`${row.id} ${row.input}: exit ${row.exit}${row.problem ? `, ${row.problem}` : ''}`, async () => {
      const dir = tmpDir(`matrix-${row.id}`);
      if (row.id === 'M06') {
        // Reports of the first scan are written under the scanned dir; the next scan finds the same findings.
        good(dir);
        const base = await runCli(['scan', dir, '-j', '1', '--format', 'json'], { cwd: dir });
        for (const f of ['r.txt', 'r.json', 'r.ndjson', 'r.html', 'r.log']) {
          expect((await runCli(['scan', dir, '-j', '1', '-q', '-o', path.join(dir, f)], { cwd: dir })).code).toBe(0);
        }
        const again = await scanRow(row, dir);
        expect(again.report.stats.findings).toBe(JSON.parse(base.stdout).stats.findings);
        const own = again.report.problems.filter((p: any) => p.code === 'own-report').map((p: any) => path.basename(p.file));
        expect(own.sort()).toEqual(['r.html', 'r.json', 'r.log', 'r.ndjson', 'r.txt']);
        expect(findingRefs(again.report)).toContain(`${dir}/good.log:3`);
        return;
      }
      const r = (await otherCommand(row, dir)) ?? (await scanRow(row, dir));
      expect(r.code, r.stderr).toBe(row.exit);
      if (row.id === 'M20') {
        const text = await runCli(['scan', dir, '-j', '1', '--color'], { cwd: dir });
        expect(text.stdout).toContain('evil\\x1b]0;pwned\\x07\\x1b[31m.log');
        // Only our own SGR colour codes remain: ESC followed by [digits;m.
        expect(text.stdout.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
        expect(text.stdout).not.toContain('\u001b[2J');
      }
      if (row.exit === 2) {
        expect(r.stderr).toContain(row.names);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        return;
      }
      if (row.problem) {
        const hits = r.report.problems.filter((p: any) => p.code === row.problem);
        expect(hits.map((p: any) => p.message).join('\n')).toContain(row.names);
      } else {
        expect(r.report.problems).toEqual([]);
      }
      expect(findingRefs(r.report).some((f) => f.endsWith('good.log:3'))).toBe(true);
    });
  }
});
