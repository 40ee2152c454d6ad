// Reports that land in a ticket: the Markdown comment fits GitHub (well under 65,536
// characters for all of samples/, the full detail behind <details>, no empty table header),
// and `--format jira` is Jira wiki markup within Jira's comment limit.

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** samples/ scanned once to JSON; `report` renders it again as each comment format (as `scan --format` would). */
const samplesJson = path.join(mkdtempSync(path.join(os.tmpdir(), 'mapmortem-comment-')), 'samples.json');
beforeAll(async () => {
  const r = await runCli(['scan', 'samples', '-o', samplesJson, '--quiet']);
  if (r.code !== 0) throw new Error(`scan samples failed: ${r.stderr}`);
}, 120_000);

describe('markdown comment', () => {
  it('the whole of samples/ fits a GitHub comment, the detail folded, every header named', async () => {
    const r = await runCli(['report', samplesJson, '--format', 'md']);
    expect(r.stdout.length).toBeLessThan(55_000);
    expect(r.stdout.length).toBeGreaterThan(10_000);
    // The headline is the first incident's cause (high confidence, then most findings); the breakdown counts every cause.
    const head = /^## mapmortem verdict: `([a-z-]+)` 16 incidents: \d+ map-count-exhaustion, /.exec(r.stdout.split('\n')[0]!);
    expect(head).not.toBeNull();
    expect(r.stdout).toMatch(new RegExp(`^\\| 1 \\| \`[^\`]+\` \\| [^|]+ \\| \`${head![1]!}\` \\| high \\| \\d+ \\|$`, 'm'));
    expect(r.stdout).toMatch(/^\| # \| host \| system \| cause \| confidence \| findings \|$/m);
    expect(r.stdout).toMatch(/^\| \d+ \| `cortex-ingester-crashloop` \| Cortex ingester \| `map-count-exhaustion` \| high \| 8 \|$/m);
    const opened = r.stdout.match(/^<details>$/gm)?.length ?? 0;
    expect(opened).toBeGreaterThan(1);
    expect(r.stdout.match(/^<\/details>$/gm)?.length).toBe(opened);
    // no table whose header row is empty
    expect(r.stdout).not.toMatch(/^\|(\s*\|)+$/m);
  });

  it('one incident: the summary first, the full detail behind <details>', async () => {
    const r = await runCli(['scan', 'samples/cortex-ingester-crashloop', '--format', 'md']);
    const [summary] = r.stdout.split('<details>');
    expect(summary).toContain('**8x** `tsdb-mmap-size-enomem` at `ingester.log:56-250`, every \\~2 min');
    expect(summary).toContain('```sh\nsudo sysctl -w vm.max_map_count=262144');
    expect(summary).not.toContain('**Decision trail**');
    expect(r.stdout).toContain('**Decision trail**');
    expect(summary!.length).toBeLessThan(4000);
  });
});

describe('jira comment', () => {
  it('--format jira writes wiki markup: headings, ||tables||, {code} commands, no Markdown', async () => {
    const r = await runCli(['report', samplesJson, '--format', 'jira']);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(32_767);
    expect(r.stdout.split('\n')[0]).toMatch(/^h2\. mapmortem verdict: \{\{[a-z-]+\}\} 16 incidents: \d+ map\\-count\\-exhaustion, /);
    expect(r.stdout).toMatch(/^\|\|#\|\|host\|\|system\|\|cause\|\|confidence\|\|findings\|\|$/m);
    expect(r.stdout).toContain('{code:bash}\nsudo sysctl -w vm.max_map_count=262144');
    expect(r.stdout).not.toMatch(/^```|<details>|^\| --- /m);
    expect((r.stdout.match(/\{noformat\}/g)?.length ?? 0) % 2).toBe(0);
  });

  it('-o ticket.jira implies the format; log text cannot inject markup', async () => {
    const { mkdtemp, readFile, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mapmortem-jira-'));
    await writeFile(
      path.join(dir, 'server.log'),
      '[2024-05-01 12:00:01,456] ERROR Error while loading log dir [x|y]{noformat}*bold* (kafka.log.LogManager)\njava.io.IOException: Map failed {code}\n\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:1016)\n',
    );
    const out = path.join(dir, 'ticket.jira');
    const r = await runCli(['scan', dir, '-o', out]);
    expect(r.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text).toMatch(/^h2\. mapmortem verdict: /);
    expect(text).not.toContain('[x|y]{noformat}');
    expect(text).toContain('{ noformat}');
  });
});
