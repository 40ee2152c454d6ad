// Files of a `mapmortem capture` bundle that are not /proc text tables: the manifest.json
// (pid, host, kernel, command line, as recorded at capture time) and /proc/<pid>/cmdline
// (NUL-separated arguments), parsed into facts.

import type { EvidenceFile, Fact } from '../core/index.js';
import { num, text } from './util.js';
import type { EvidenceParserDef } from './parser.js';

/** A capture manifest: JSON written by mapmortem capture. */
export function detectCaptureManifest(head: readonly string[], name: string): boolean {
  if (name !== 'manifest.json') return false;
  const joined = head.join('\n');
  return /"tool"\s*:\s*\{[^}]*"name"\s*:\s*"mapmortem"/.test(joined) || (/"capturedAt"/.test(joined) && /"files"/.test(joined));
}

function lineOf(lines: readonly string[], key: string): number {
  const i = lines.findIndex((l) => l.includes(`"${key}"`));
  return i < 0 ? 0 : i + 1;
}

export function parseCaptureManifest(file: string, lines: readonly string[]): EvidenceFile {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(lines.join('\n')) as Record<string, unknown>;
  } catch {
    return { file, kind: 'capture-manifest', facts: [] };
  }
  const facts: Fact[] = [];
  if (typeof m['pid'] === 'number') facts.push(num('pid', m['pid'], file, lineOf(lines, 'pid'), { method: 'capture manifest' }));
  if (typeof m['hostname'] === 'string') facts.push(text('hostname', m['hostname'], file, lineOf(lines, 'hostname')));
  if (typeof m['commandLine'] === 'string') facts.push(text('command-line', m['commandLine'], file, lineOf(lines, 'commandLine')));
  if (typeof m['kernel'] === 'string') facts.push(text('os', `Linux ${m['kernel']}`, file, lineOf(lines, 'kernel')));
  // Files the capture read while the process changed (or cut at the size cap): not trusted whole.
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
  const distrusts = (Array.isArray(m['files']) ? (m['files'] as unknown[]) : [])
    .filter((f): f is { path: string; status: string; reason?: unknown } => !!f && typeof f === 'object' && typeof (f as { path?: unknown }).path === 'string')
    .filter((f) => f.status === 'changed' || f.status === 'truncated')
    .map((f) => ({ file: `${dir}${f.path}`, reason: typeof f.reason === 'string' ? f.reason : f.status }));
  return distrusts.length > 0 ? { file, kind: 'capture-manifest', facts, distrusts } : { file, kind: 'capture-manifest', facts };
}

/** /proc/<pid>/cmdline: arguments separated by NUL bytes. */
export function parseCmdline(file: string, raw: Buffer): EvidenceFile {
  const args = raw
    .toString('utf8')
    .split('\0')
    .filter((a) => a.length > 0);
  return { file, kind: 'capture-manifest', facts: args.length > 0 ? [text('command-line', args.join(' '), file, 1)] : [] };
}

export const captureManifestEvidence: EvidenceParserDef = {
  name: 'capture-manifest',
  kinds: ['capture-manifest'],
  description: 'the manifest.json of a mapmortem capture bundle',
  detect: (head, name) => (detectCaptureManifest(head, name) ? 'capture-manifest' : null),
  parse: (_kind, file, lines) => ({ evidence: parseCaptureManifest(file, lines), problems: [] }),
  facts: ['pid', 'hostname', 'command-line', 'os'],
  samples: [
    {
      name: 'manifest.json',
      lines: ['{', '  "tool": { "name": "mapmortem", "version": "0.1.0" },', '  "pid": 4242,', '  "hostname": "kafka-1"', '}'],
      kind: 'capture-manifest',
      facts: { pid: 4242, hostname: 'kafka-1' },
    },
  ],
};
