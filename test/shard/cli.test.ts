// The sharding flags as a user meets them: --files-from lists (comments, stdin, a missing path
// reported while the run goes on), --shard validation before any log is read, an empty shard,
// and `report` over duplicated, missing, different and overlapping results.

import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSchemaValid, REPO, runCli, scanJson } from '../helpers/cli.js';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'mapmortem-shard-cli-'));
const HOST = 'samples/cgroup-oom';

async function scanTo(dir: string, name: string, args: string[]): Promise<string> {
  const out = path.join(dir, name);
  const r = await runCli(['scan', ...args, '-o', out, '--quiet', '--jobs', '1']);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

describe('scan --files-from', () => {
  it('reads one path a line, skipping blank lines and # comments, as if the paths were arguments', async () => {
    const dir = await tmp();
    const list = path.join(dir, 'paths.txt');
    await writeFile(list, `# hosts to look at\r\n\n  ${HOST}  \r\n# samples/thread-limit\nsamples/overcommit-strict/sysctl.txt\n`);
    const listed = await scanJson(['--files-from', list, '--jobs', '1']);
    const direct = await scanJson([HOST, 'samples/overcommit-strict/sysctl.txt', '--jobs', '1']);
    expect(listed.code).toBe(0);
    expect(listed.report.roots).toEqual([HOST, 'samples/overcommit-strict/sysctl.txt']);
    expect(listed.report).toEqual(direct.report);
  });

  it('a missing listed path is a problem naming the list and line; the rest is scanned', async () => {
    const dir = await tmp();
    const list = path.join(dir, 'hosts.txt');
    await writeFile(list, `${HOST}\n\nsamples/no-such-host\n`);
    const r = await scanJson(['--files-from', list, '--jobs', '1']);
    expect(r.code).toBe(0);
    expect(r.report.verdict).toBe('cgroup-memory-limit');
    const p = r.report.problems.find((x: any) => x.code === 'input-not-found');
    expect(p.file).toBe('samples/no-such-host');
    expect(p.message).toBe(`samples/no-such-host: no such file or directory (listed at ${list}:3); check the path (it was not scanned)`);
  });

  it('--files-from - reads the list from stdin', async () => {
    const r = await scanJson(['--files-from', '-', '--jobs', '1'], { stdin: `${HOST}\n` });
    expect(r.code).toBe(0);
    expect(r.report.roots).toEqual([HOST]);
    expect(r.report.inputs.length).toBeGreaterThan(3);
  });

  it('a list that cannot be one stops the run before any log is read, naming the list, the line and the fix', async () => {
    const dir = await tmp();
    const write = async (name: string, text: string | Buffer) => {
      const f = path.join(dir, name);
      await writeFile(f, text);
      return f;
    };
    const cases: [string[], string][] = [
      [['--files-from', await write('nul.txt', `${HOST}\0samples/x\0`)], 'line 1 holds a NUL byte: the list looks like `find -print0` output'],
      [['--files-from', await write('dash.txt', `${HOST}\n-\n`)], 'line 2 is "-": stdin cannot be listed; give - on the command line instead'],
      [['--files-from', await write('empty.txt', '# nothing yet\n\n')], 'names no path (2 lines, all blank or # comments); nothing to scan'],
      [['--files-from', path.join(dir, 'absent.txt')], 'absent.txt: the list cannot be read (ENOENT); nothing was scanned'],
      [['-', '--files-from', '-'], '--files-from - reads the list from stdin, so stdin cannot also be scanned'],
      [['--files-from', '-', '--files-from', '-'], '--files-from - can be given once'],
      [[], 'nothing to scan: give paths (files, directories, - for stdin) or --files-from LIST'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['scan', ...args], { stdin: '' });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
  });
});

describe('scan --shard', () => {
  it('rejects a bad INDEX/COUNT with the numbering spelled out', async () => {
    const cases: [string, string][] = [
      ['3/3', '--shard 3/3: INDEX counts from 0 and must be below COUNT: 0/3 to 2/3 (counting from 1? the last of 3 shards is 2/3)'],
      ['7/3', '--shard 7/3: INDEX counts from 0 and must be below COUNT: 0/3 to 2/3'],
      ['0/0', '--shard 0/0: COUNT must be at least 1'],
      ['1-of-3', '--shard takes INDEX/COUNT with INDEX counted from 0, such as 0/4 (the first of 4 shards), got "1-of-3"'],
      ['-1/3', 'got "-1/3"'],
    ];
    for (const [v, message] of cases) {
      const r = await runCli(['scan', HOST, '--shard', v]);
      expect(r.code, v).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it('refuses stdin and --capture-pid, which one process alone can read', async () => {
    const s = await runCli(['scan', '-', '--shard', '0/2'], { stdin: 'x\n' });
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('--shard 0/2 cannot split stdin (-): every shard is its own process; save the input to a file and scan that');
    const c = await runCli(['scan', HOST, '--shard', '0/2', '--capture-pid', '1']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--shard and --capture-pid');
  });

  it('a shard that drew no host writes an empty report and exits 0; the one that drew it has it all', async () => {
    const runs = await Promise.all([0, 1, 2, 3].map((i) => runCli(['scan', HOST, '--shard', `${i}/4`, '--format', 'json', '--jobs', '1'])));
    const reports = runs.map((r) => JSON.parse(r.stdout));
    for (const r of runs) expect(r.code).toBe(0);
    const full = reports.filter((r) => r.shard.groups === 1);
    expect(full).toHaveLength(1);
    expect(full[0].verdict).toBe('cgroup-memory-limit');
    for (const r of reports.filter((x) => x.shard.groups === 0)) {
      expect(r.inputs).toEqual([]);
      expect(r.verdict).toBe('nothing-read');
      expect(r.shard.totalGroups).toBe(1);
    }
    const quietless = await runCli(['scan', HOST, '--shard', `${reports.findIndex((r) => r.shard.groups === 0)}/4`]);
    expect(quietless.stderr).toMatch(/^mapmortem: shard \d\/4 \(plan [0-9a-f]{16}\): 0 of 1 host groups, 0 inputs$/m);
  });
});

describe('report over shards and overlapping results', () => {
  it('a shard given twice counts once; missing shards are named in the report', async () => {
    const dir = await tmp();
    const s0 = await scanTo(dir, 's0.json', ['samples/cgroup-oom', 'samples/overcommit-strict', 'samples/healthy-kafka', '--shard', '0/3']);
    const s0again = await scanTo(dir, 's0-retry.json', ['samples/cgroup-oom', 'samples/overcommit-strict', 'samples/healthy-kafka', '--shard', '0/3']);
    const r = await runCli(['report', s0, s0again, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${s0again}: the same shard 0/3 as ${s0}; counted once`);
    const m = JSON.parse(r.stdout);
    assertSchemaValid(m);
    const missing = m.problems.find((p: any) => p.code === 'shards-missing');
    expect(missing.message).toContain('shards 1/3, 2/3 of this scan are not among the merged results');
    expect(m.mergedFrom).toEqual([s0]);
    const alone = JSON.parse((await runCli(['report', s0, '--format', 'json'])).stdout);
    expect(alone.problems.some((p: any) => p.code === 'shards-missing')).toBe(true);
  });

  it('two different results for one shard are refused, naming both', async () => {
    const dir = await tmp();
    const a = await scanTo(dir, 'a.json', [HOST, '--shard', '0/1']);
    const b = await scanTo(dir, 'b.json', [HOST, '--shard', '0/1', '--until', '2000-01-01']);
    const r = await runCli(['report', a, b]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${a} and ${b} are both shard 0/1 of plan`);
    expect(r.stderr).toContain('with different results: keep one of them');
  });

  it('the same host scanned twice is counted once (inputs matched by name and SHA-256)', async () => {
    const dir = await tmp();
    const a = await scanTo(dir, 'a.json', [HOST]);
    const b = await scanTo(dir, 'b.json', [HOST]);
    const c = await scanTo(dir, 'c.json', ['samples/overcommit-strict']);
    const one = (await scanJson([HOST, '--jobs', '1'])).report;
    const r = await runCli(['report', a, b, c, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${b}: every input (${one.inputs.length}) is already in ${a}; counted once`);
    const m = JSON.parse(r.stdout);
    const other = (await scanJson(['samples/overcommit-strict', '--jobs', '1'])).report;
    expect(m.stats.files).toBe(one.stats.files + other.stats.files);
    expect(m.stats.findings).toBe(one.stats.findings + other.stats.findings);
    expect(m.incidents.map((i: any) => i.id).sort()).toEqual([...one.incidents, ...other.incidents].map((i: any) => i.id).sort());
  });

  it('an incident that mixes counted and new logs is refused: it cannot be counted once without a rescan', async () => {
    const dir = await tmp();
    const extra = path.join(dir, 'broker-2.log');
    await writeFile(extra, '[2025-03-01 10:00:00,000] ERROR Error while loading log dir (kafka.log.LogManager)\njava.io.IOException: Map failed\n');
    const log = path.join(REPO, 'samples/kafka-map-failed-no-evidence/server.log');
    const a = await scanTo(dir, 'a.json', [log]);
    const b = await scanTo(dir, 'b.json', [log, extra]);
    const r = await runCli(['report', a, b]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${b}: incident`);
    expect(r.stderr).toContain(`already counted from ${a}`);
    expect(r.stderr).toContain('nothing was written');
  });
});
