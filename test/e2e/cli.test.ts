import { chmod, mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assertSchemaValid, REPO, runCli, scanJson } from '../helpers/cli.js';

const KAFKA_FAIL = [
  '[2024-05-01 12:00:00,123] INFO Loading logs from log dirs ArrayBuffer(/var/lib/kafka/data) (kafka.log.LogManager)',
  '[2024-05-01 12:00:01,456] ERROR Error while loading log dir /var/lib/kafka/data (kafka.log.LogManager)',
  'java.io.IOException: Map failed',
  '\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:1016)',
  '\tat kafka.log.AbstractIndex.<init>(AbstractIndex.scala:126)',
  'Caused by: java.lang.OutOfMemoryError: Map failed',
  '\tat sun.nio.ch.FileChannelImpl.map0(Native Method)',
  '\t... 20 more',
  '[2024-05-01 12:00:02,000] INFO Shutting down (kafka.server.KafkaServer)',
  '',
].join('\n');

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'mapmortem-e2e-'));
}

describe('scan from the CLI', () => {
  it('a Kafka Map failed alone is unknown (low), names the line and says what to capture', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'server.log'), KAFKA_FAIL);
    const { code, report } = await scanJson([dir]);
    expect(code).toBe(0);
    expect(report.verdict).toBe('unknown');
    expect(report.incidents).toHaveLength(1);
    const inc = report.incidents[0];
    expect(inc.system).toBe('kafka');
    expect(inc.confidence).toBe('low');
    expect(inc.findings[0].line).toBe(3);
    expect(inc.findings[0].time.iso).toBe('2024-05-01T12:00:01.456');
    expect(inc.findings[0].time.hasOffset).toBe(false);
    expect(inc.remediation.capture.join(' ')).toContain('/proc/<pid>/maps');
    expect(inc.summary).toContain('map-count');
  });

  it('reads stdin with -, gzip by magic bytes whatever the name, and CRI-wrapped lines', async () => {
    const fromStdin = await scanJson(['-'], { stdin: KAFKA_FAIL });
    expect(fromStdin.report.verdict).toBe('unknown');
    expect(fromStdin.report.incidents[0].findings[0].file).toBe('-');

    const dir = await tmp();
    await writeFile(path.join(dir, 'rotated.1'), zlib.gzipSync(Buffer.from(KAFKA_FAIL)));
    const gz = await scanJson([dir]);
    expect(gz.report.incidents[0].findings[0].line).toBe(3);

    const cri = KAFKA_FAIL.split('\n')
      .filter((l) => l !== '')
      .map((l, i) => `2024-05-01T12:00:0${Math.min(i, 9)}.000000000Z stdout F ${l}`)
      .join('\n');
    const dir2 = await tmp();
    await writeFile(path.join(dir2, 'kafka-0.log'), `${cri}\n`);
    const wrapped = await scanJson([dir2]);
    expect(wrapped.report.inputs[0].wrapper).toBe('cri');
    expect(wrapped.report.incidents[0].findings[0].line).toBe(3);
  });

  it('unwraps journald/syslog prefixes so a systemd-run Kafka is parsed as Kafka', async () => {
    const dir = await tmp();
    const journal = KAFKA_FAIL.split('\n')
      .filter((l) => l !== '')
      .map((l) => `May 01 12:00:01 broker-3 kafka-server-start.sh[2211]: ${l}`)
      .join('\n');
    await writeFile(path.join(dir, 'kafka.journal'), `${journal}\n`);
    const { report } = await scanJson([dir]);
    expect(report.inputs[0].role).toBe('log:kafka-log4j');
    expect(report.inputs[0].wrapper).toBe('syslog');
    const f = report.incidents[0].findings[0];
    expect(f.ruleId).toBe('kafka-index-map-failed');
    expect(f.line).toBe(3);
    expect(f.logger).toBe('kafka.log.LogManager');
  });

  it('keeps two services of one host apart: a Kafka failure and an Elasticsearch check are two incidents', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'server.log'), KAFKA_FAIL);
    await writeFile(
      path.join(dir, 'es.log'),
      '[2024-05-01T12:00:00,000][ERROR][o.e.b.Bootstrap          ] [es-1] node validation exception\n[1]: max virtual memory areas vm.max_map_count [65530] is too low, increase to at least [262144]\n',
    );
    const { report } = await scanJson([dir]);
    expect(report.incidents.map((i: any) => `${i.system}:${i.cause}`).sort()).toEqual(['elasticsearch:map-count-limit-low', 'kafka:unknown']);
    expect(report.verdict).toBe('unknown');
  });

  it('keeps going past a binary file, a missing path and an unreadable file, listing each as a problem', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'server.log'), KAFKA_FAIL);
    await writeFile(path.join(dir, 'core.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0, 0]));
    await writeFile(path.join(dir, 'trace.zst'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]));
    const { code, report } = await scanJson([dir, path.join(dir, 'missing.log')]);
    expect(code).toBe(0);
    expect(report.verdict).toBe('unknown');
    const codes = report.problems.map((p: { code: string }) => p.code).sort();
    expect(codes).toEqual(['binary', 'input-not-found', 'truncated-gzip']);
    const zst = report.problems.find((p: { code: string }) => p.code === 'truncated-gzip');
    expect(zst.message).toBe(`${path.join(dir, 'trace.zst')}: zstd stream ends early after 0 decompressed bytes; what was read before the cut is scanned`);
  });

  it('exits 2 with a message naming the path when nothing exists', async () => {
    const r = await runCli(['scan', '/definitely/not/here']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/definitely/not/here: no such file or directory');
    expect(r.stdout).toBe('');
  });

  it('stops before reading any log when a rule file is bad, naming file, field and fix', async () => {
    const dir = await tmp();
    await mkdir(path.join(dir, 'rules'));
    await writeFile(path.join(dir, 'rules', 'my-rule.yaml'), 'id: my-rule\ntitle: t\nseverity: fatal\n');
    const r = await runCli(['scan', REPO + '/samples', '--rules', path.join(dir, 'rules')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/my-rule\.yaml: severity: .*critical, error, warning, info/);
  });

  it('rejects bad flags with exit 2', async () => {
    expect((await runCli(['scan', '.', '--format', 'xml'])).code).toBe(2);
    expect((await runCli(['scan', '.', '--context', '-3'])).code).toBe(2);
    expect((await runCli(['scan', '.', '--fail-on', 'sometimes'])).code).toBe(2);
  });

  it('--fail-on makes the exit code 1 only when an incident is at or above the severity', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'server.log'), KAFKA_FAIL);
    expect((await runCli(['scan', dir, '--fail-on', 'critical'])).code).toBe(1);
    const clean = await tmp();
    await writeFile(path.join(clean, 'server.log'), '[2024-05-01 12:00:00,123] INFO all good (kafka.server.KafkaServer)\n');
    expect((await runCli(['scan', clean, '--fail-on', 'info'])).code).toBe(0);
  });

  it('-o writes the chosen format to a file and prints the verdict on stderr', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'server.log'), KAFKA_FAIL);
    const out = path.join(dir, 'out', 'report.json');
    const r = await runCli(['scan', path.join(dir, 'server.log'), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('verdict unknown');
    const { readFile } = await import('node:fs/promises');
    const report = JSON.parse(await readFile(out, 'utf8'));
    assertSchemaValid(report);
    expect(report.schemaVersion).toBe(1);
    expect(report.tool.name).toBe('mapmortem');
    expect(report.generatedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('reports a line longer than --max-line as cut and still finds the needle in it', async () => {
    const dir = await tmp();
    const giant = `${'x'.repeat(300_000)} java.io.IOException: Map failed ${'y'.repeat(1000)}`;
    await writeFile(path.join(dir, 'app.log'), `start\n${giant}\nend\n`);
    const { report } = await scanJson([dir, '--max-line', '65536']);
    const p = report.problems.find((x: { code: string }) => x.code === 'line-too-long');
    expect(p.line).toBe(2);
    expect(report.incidents[0].findings[0].line).toBe(2);
  });

  it('does not follow a symbolic link out of the scanned root', async () => {
    const outside = await tmp();
    await writeFile(path.join(outside, 'secret.log'), KAFKA_FAIL);
    const dir = await tmp();
    const { symlink } = await import('node:fs/promises');
    await symlink(path.join(outside, 'secret.log'), path.join(dir, 'link.log'));
    const { report, code } = await scanJson([dir]);
    expect(report.verdict).toBe('nothing-read');
    expect(code).toBe(3);
    expect(report.problems[0].code).toBe('symlink-outside-root');
  });

  it('never modifies its inputs', async () => {
    const dir = await tmp();
    const f = path.join(dir, 'server.log');
    await writeFile(f, KAFKA_FAIL);
    await chmod(f, 0o444);
    const { stat } = await import('node:fs/promises');
    const before = await stat(f);
    await scanJson([dir]);
    const after = await stat(f);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(before.size);
  });

  it('the built binary runs (npm run build output)', () => {
    const bin = path.join(REPO, 'dist/src/cli/bin.js');
    if (!existsSync(bin)) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO });
    const r = spawnSync(process.execPath, [bin, 'scan', path.join(REPO, 'samples/kafka-map-failed-no-evidence')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^VERDICT: unknown/);
    // `npx mapmortem` runs the file directly: it must stay executable after every build.
    const direct = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('filters and user rules', () => {
  it('--include and --exclude pick the files scanned under a directory', async () => {
    const dir = await tmp();
    await mkdir(path.join(dir, 'old'));
    await writeFile(path.join(dir, 'server.log'), KAFKA_FAIL);
    await writeFile(path.join(dir, 'old', 'server.log'), KAFKA_FAIL);
    await writeFile(path.join(dir, 'notes.txt'), KAFKA_FAIL);
    const files = async (args: string[]) => (await scanJson([dir, ...args])).report.inputs.map((i: any) => path.relative(dir, i.file)).sort();
    expect(await files([])).toEqual(['notes.txt', 'old/server.log', 'server.log']);
    expect(await files(['--include', '**/*.log'])).toEqual(['old/server.log', 'server.log']);
    expect(await files(['--include', '**/*.log', '--exclude', 'old/**'])).toEqual(['server.log']);
  });

  it('a rule added with --rules DIR is validated, tested and used by scan', async () => {
    const dir = await tmp();
    await mkdir(path.join(dir, 'rules'));
    await writeFile(
      path.join(dir, 'rules', 'acme-arena-enomem.yaml'),
      [
        'id: acme-arena-enomem',
        'title: ACME store could not map an arena',
        'severity: critical',
        'systems: [generic]',
        'literals: ["arena map refused"]',
        'match:',
        '  scope: line',
        "  all: ['arena map refused \\(size=(?<size>\\d+)\\): ENOMEM']",
        'extract: { size: bytes }',
        'signals: { failure: enomem, operation: mmap, hint: none }',
        'explanation: The ACME store maps one arena per shard.',
        'remediation: Check the map count against vm.max_map_count.',
        'tests:',
        '  match:',
        "    - text: 'E0501 acme: arena map refused (size=65536): ENOMEM'",
        '      captures: { size: 65536 }',
        '  noMatch:',
        "    - 'I0501 acme: arena map granted (size=65536)'",
        '',
      ].join('\n'),
    );
    const tested = await runCli(['rules', 'test', '--rules', path.join(dir, 'rules'), '--no-default-rules']);
    expect(tested.stdout).toContain('2 passed, 0 failed (1 rules)');
    await writeFile(path.join(dir, 'acme.log'), 'E0501 12:00:00 acme: arena map refused (size=65536): ENOMEM\n');
    const { report } = await scanJson([path.join(dir, 'acme.log'), '--rules', path.join(dir, 'rules')]);
    expect(report.incidents[0].findings[0]).toMatchObject({ ruleId: 'acme-arena-enomem', line: 1, captures: { size: 65536 } });
  });
});

describe('rules commands', () => {
  it('rules test runs every sample of every rule and passes', async () => {
    const r = await runCli(['rules', 'test']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed \(\d+ rules\)$/m);
  });

  it('rules list and rules show describe the pack', async () => {
    const list = await runCli(['rules', 'list']);
    expect(list.stdout).toContain('kafka-index-map-failed');
    const show = await runCli(['rules', 'show', 'tsdb-mmap-size-enomem']);
    expect(show.stdout).toContain('signals:     failure enomem');
    expect((await runCli(['rules', 'show', 'nope'])).code).toBe(2);
  });
});
