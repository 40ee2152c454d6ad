// What discovery calls each input, from its name and first bytes: the decision the pipeline
// switches on (archive, own report, cmdline, binary, crash file, evidence, log with limits, log).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { rawInputKind, textInputKind } from '../../src/discover/kind.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('rawInputKind', () => {
  it('calls a tar.gz an archive only where archives are expanded, and a gzipped log not one (it is read through)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mm-kind-'));
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'b', 'server.log'), 'hello\n');
    execFileSync('tar', ['czf', path.join(dir, 'b.tgz'), '-C', dir, 'b']);
    const tgz = readFileSync(path.join(dir, 'b.tgz'));
    expect(rawInputKind('b.tgz', tgz, { archives: true })).toEqual({ kind: 'archive', archive: 'tar.gz' });
    expect(rawInputKind('b.tgz', tgz, { archives: false }).kind).toBe('text');
    expect(rawInputKind('server.log.gz', gzipSync(b('hello\n')), { archives: true }).kind).toBe('text');
  });

  it('recognises a report mapmortem wrote, and a capture bundle cmdline', () => {
    expect(rawInputKind('old.json', b('{"schemaVersion":1,"tool":{"name":"mapmortem","version":"0.1.0"},"generatedAt":"x"}\n'), { archives: true })).toEqual({
      kind: 'own-report',
      format: 'json',
    });
    expect(rawInputKind('cmdline', b('java\0-Xmx4g\0-jar\0kafka.jar\0'), { archives: true })).toEqual({ kind: 'cmdline' });
    expect(rawInputKind('server.log', b('[2024-01-01 00:00:00,000] INFO started (kafka.server.KafkaServer)\n'), { archives: true })).toEqual({ kind: 'text' });
  });
});

describe('textInputKind', () => {
  it('reads an hs_err file as a crash file, a maps snapshot as evidence and a broker log as a log', () => {
    const hsErr = textInputKind(
      'hs_err_pid42.log',
      b(
        '#\n# There is insufficient memory for the Java Runtime Environment to continue.\n# Native memory allocation (mmap) failed to map 12288 bytes for committing reserved memory.\n',
      ),
    );
    expect(hsErr.kind).toBe('crash');
    const maps = textInputKind(
      'maps',
      b('00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon\n00651000-00652000 r--p 00051000 08:02 173521      /usr/bin/dbus-daemon\n'),
    );
    expect(maps).toMatchObject({ kind: 'evidence', evidence: 'maps' });
    const log = textInputKind('server.log', b('[2024-01-01 00:00:00,000] INFO started (kafka.server.KafkaServer)\n'));
    expect(log.kind).toBe('log');
    if (log.kind === 'log') expect(log.head[0]).toBe('[2024-01-01 00:00:00,000] INFO started (kafka.server.KafkaServer)');
  });

  it('calls bytes binary with the reason, and a Prometheus start-up log a log with limits', () => {
    const bin = textInputKind('core', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array<number>(200).fill(0)]));
    expect(bin.kind).toBe('binary');
    if (bin.kind === 'binary') expect(bin.reason).toMatch(/\S/);
    const prom = textInputKind(
      'prometheus.log',
      b(
        'ts=2024-01-01T00:00:00.000Z caller=main.go:585 level=info msg="Starting Prometheus Server" mode=server version="(version=2.42.0)"\nts=2024-01-01T00:00:00.000Z caller=main.go:596 level=info vm_limits="(soft=unlimited, hard=unlimited)"\n',
      ),
    );
    expect(prom).toMatchObject({ kind: 'log-with-limits', evidence: 'prometheus-startup' });
  });

  it('drops a cut last line from the head it hands on, and CRs', () => {
    const k = textInputKind('app.log', b('first line\r\nsecond line\r\nthird, cut sh'));
    expect(k.kind === 'log' ? k.head : []).toEqual(['first line', 'second line']);
  });
});
