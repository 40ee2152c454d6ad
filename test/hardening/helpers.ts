// Shared pieces of the hardening suites: a temp dir per test, a good log whose findings must
// survive every bad input beside it, sha256sum (the tool when present), and a JSON scan.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A Kafka broker failing to map an index: one finding at line 3 (kafka-map-failed family). */
export const GOOD_LOG = [
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

export function tmpDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `mapmortem-${tag}-`));
}

/** sha256sum of a file (the coreutils tool when installed, else node:crypto over the same bytes). */
export function sha256sum(file: string): string {
  try {
    return execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(/\s+/)[0]!;
  } catch {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  }
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The findings of a JSON report, as 'file:line'. */
export function findingRefs(report: { incidents: { findings: { file: string; line: number }[] }[] }): string[] {
  return report.incidents.flatMap((i) => i.findings.map((f) => `${f.file}:${f.line}`)).sort();
}
