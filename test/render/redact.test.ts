// --redact: host names, IPv4/IPv6 addresses, e-mail addresses and user names in home paths are
// replaced consistently everywhere, highlight spans follow, vocabulary stays.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/index.js';
import { renderHtml } from '../../src/render/html.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { Redactor, redactReport } from '../../src/render/redact.js';
import { hostileKafkaLog, scanPaths } from './helpers.js';

let dir = '';
let report: Report;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mapmortem-redact-'));
  writeFileSync(join(dir, 'server.log'), hostileKafkaLog());
  report = await scanPaths(['.'], dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Redactor', () => {
  it('gives the same input the same placeholder', () => {
    const r = new Redactor();
    expect(r.redact('from 10.1.2.3 and 10.1.2.4 then 10.1.2.3')).toBe('from ip-1 and ip-2 then ip-1');
    expect(r.redact('/home/alice/x /home/bob/y /Users/alice/z')).toBe('/home/user-1/x /home/user-2/y /Users/user-1/z');
    expect(r.redact('mail bob@corp.example.com or BOB@corp.example.com')).toBe('mail email-1@redacted.invalid or email-1@redacted.invalid');
    expect(r.redact('peer 2001:db8::8a2e:370:7334 and fe80::1')).toBe('peer ipv6-1 and ipv6-2');
    expect(r.redact('kafka-3.prod.acme.internal and ip-10-0-1-23.ec2.internal')).toBe('host-1 and host-2');
  });

  it('leaves times, loopback, Java classes, file names and symbols alone', () => {
    const r = new Redactor();
    const keep = '04:13:40.389 127.0.0.1 os::commit_memory org.apache.kafka.common.KafkaException server.log ingester.go:2189 vm.max_map_count 0x00007f4e0ff1b000 11.0.20+9';
    expect(r.redact(keep)).toBe(keep);
  });

  it('learns host names from host= fields and replaces them everywhere', () => {
    const r = new Redactor();
    r.learnHosts(['broker-7.prod.acme.lan']);
    expect(r.redact('on broker-7.prod.acme.lan (broker-7), again broker-7.prod.acme.lan')).toBe('on host-2 (host-1), again host-2');
  });
});

describe('redactReport', () => {
  it('removes identifiers from the report and every output format', () => {
    const red = redactReport(report);
    const json = JSON.stringify(red);
    for (const secret of ['alice', '10.20.30.40', 'broker-7.prod.acme.internal', 'fe80::1ff:fe23:4567:890a']) {
      expect(json).not.toContain(secret);
      expect(renderHtml(red)).not.toContain(secret);
      expect(renderMarkdown(red)).not.toContain(secret);
    }
    expect(json).toContain('/home/user-1/kafka/data');
    expect(json).toContain('email-1@redacted.invalid');
    expect(red.verdict).toBe(report.verdict);
    expect(red.incidents[0]?.cause).toBe(report.incidents[0]?.cause);
    expect(red.inputs[0]?.sha256).toBe(report.inputs[0]?.sha256);
  });

  it('keeps highlight spans on the same matched words', () => {
    const red = redactReport(report);
    const before = report.incidents[0]?.findings ?? [];
    const after = red.incidents[0]?.findings ?? [];
    expect(after.length).toBe(before.length);
    after.forEach((f, i) => {
      const b = before[i];
      if (!b?.span || !f.span) return;
      expect(f.text.slice(f.span[0], f.span[1])).toBe(b.text.slice(b.span[0], b.span[1]));
    });
  });
});
