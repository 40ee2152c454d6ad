// Runs the CLI in-process with captured output and a fixed clock, as a user would call it.

import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { validateReportDocument } from '../../src/core/schema.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(REPO, '../shared');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { cwd?: string; stdin?: string | Buffer; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? {},
    ...(opts.stdin !== undefined ? { stdin: Readable.from([typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : opts.stdin]) } : {}),
    stdoutIsTTY: false,
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  return { code, stdout, stderr };
}

export async function scanJson(args: string[], opts: { cwd?: string; stdin?: string | Buffer } = {}): Promise<{ code: number; report: any; stderr: string }> {
  const r = await runCli(['scan', ...args, '--format', 'json'], opts);
  const report = r.stdout ? JSON.parse(r.stdout) : undefined;
  if (report !== undefined) assertSchemaValid(report);
  return { code: r.code, report, stderr: r.stderr };
}

/** Every report a test produces must match the shipped JSON Schema (schema/report.schema.json). */
export function assertSchemaValid(doc: unknown): void {
  const v = validateReportDocument(doc);
  if (!v.ok) throw new Error(`report does not match schema/report.schema.json:\n${v.errors.slice(0, 20).join('\n')}`);
}
