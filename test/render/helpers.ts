// Shared by the render and browser tests: run the real pipeline over a sample folder (fixed
// clock and version), list the samples, and read the verdict each sample's README promises.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report, Rule } from '../../src/core/index.js';
import { runScan } from '../../src/pipeline/scan.js';
import { renderJson } from '../../src/render/json.js';
import { assertSchemaValid } from '../helpers/cli.js';
import { defaultRulesDir, loadRuleDirs } from '../../src/rules/load.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NOW = new Date('2026-01-01T00:00:00Z');

let rules: Promise<Rule[]> | undefined;

export function loadRules(): Promise<Rule[]> {
  rules ??= loadRuleDirs([defaultRulesDir()]).then((r) => {
    if (!r.ok) throw new Error(`rule pack invalid: ${JSON.stringify(r.errors)}`);
    return r.rules;
  });
  return rules;
}

/** Sample folders that carry a README naming their verdict. */
export function sampleNames(): string[] {
  const dir = join(REPO, 'samples');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'README.md')) && expectedVerdict(d.name) !== undefined)
    .map((d) => d.name)
    .sort();
}

export function expectedVerdict(name: string): string | undefined {
  const readme = readFileSync(join(REPO, 'samples', name, 'README.md'), 'utf8');
  return /verdict:?\s*`([a-z-]+)`/i.exec(readme)?.[1];
}

export async function scanPaths(paths: readonly string[], cwd: string): Promise<Report> {
  const report = await runScan({
    paths,
    cwd,
    include: [],
    exclude: ['**/README*', '**/*.md'],
    rules: await loadRules(),
    context: 0,
    maxLineBytes: 1024 * 1024,
    now: NOW,
    version: '0.0.0-test',
  });
  assertSchemaValid(JSON.parse(renderJson(report)));
  return report;
}

export function scanSample(name: string): Promise<Report> {
  return scanPaths([`samples/${name}`], REPO);
}

/** The Kafka log of the hostile-text tests: script-closing markup, template syntax and U+2028 in failing lines. */
export const HOSTILE = '</script><img src=x onerror=alert(1)>';
export function hostileKafkaLog(): string {
  return [
    '[2025-05-01 10:00:00,000] INFO [KafkaServer id=1] starting on alice@example.com host=broker-7.prod.acme.internal 10.20.30.40 (kafka.server.KafkaServer)',
    `[2025-05-01 10:00:01,000] ERROR Error while creating log for orders-${HOSTILE}-3 in dir /home/alice/kafka/data {{constructor}} owner alice@example.com on broker-7.prod.acme.internal 10.20.30.40 (kafka.server.LogDirFailureChannel)`,
    `java.io.IOException: Map failed ${HOSTILE} {{constructor}} \u2028 \`pipe|tick\` fe80::1ff:fe23:4567:890a`,
    '\tat sun.nio.ch.FileChannelImpl.map(FileChannelImpl.java:940)',
    '\tat kafka.log.AbstractIndex.<init>(AbstractIndex.scala:126)',
    'Caused by: java.lang.OutOfMemoryError: Map failed',
    '\tat sun.nio.ch.FileChannelImpl.map0(Native Method)',
    '[2025-05-01 10:00:02,000] INFO shutting down (kafka.server.KafkaServer)',
    '',
  ].join('\n');
}
