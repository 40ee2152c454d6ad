// `mapmortem report`: merge the results of several scans (JSON files, or HTML reports read
// back from their embedded data) into one report, in any document output format.

import { Option, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Report } from '../../core/index.js';
import { MergeRefused, mergeReports, validateResult, type NamedReport } from '../../pipeline/merge.js';
import { formatFromOutput, OUTPUT_FORMATS, outputFormat, type OutputFormatName } from '../../render/outputs.js';
import { fileIdentity } from '../../io/write.js';
import { emit, nowFrom, textWidth, toolVersion, UsageError, type CliIO, type RegisterCommand } from '../context.js';

export interface ReportConfig {
  readonly files: readonly string[];
  readonly format: OutputFormatName;
  readonly output?: string;
  readonly verbose?: boolean;
}

/** One result file as a Report, or a usage error naming the file and what is wrong. */
async function readResult(f: string, io: CliIO): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, f), 'utf8');
  } catch (err) {
    throw new UsageError(`${f}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let value: unknown;
  if (/^\s*<(!doctype|html)/i.test(text)) {
    value = (await import('../../render/embedded.js')).extractEmbeddedReport(text);
    if (value === null) throw new UsageError(`${f}: an HTML file without mapmortem's embedded report data; give a report written by \`mapmortem scan -o report.html\``);
  } else {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`${f}: not JSON (${(err as Error).message}); give files written by \`mapmortem scan --format json\``);
    }
  }
  const bad = validateResult(value);
  if (bad) throw new UsageError(`${f}: ${bad}`);
  // The shipped JSON Schema (schema/report.schema.json) first; then the renderers' own needs. Both load ajv: imported here, not at start-up.
  const [{ validateReportDocument }, { reportShapeError }] = await Promise.all([import('../../core/schema.js'), import('../../pipeline/report-shape.js')]);
  const checked = validateReportDocument(value);
  const shape = checked.ok ? reportShapeError(value) : checked.errors[0];
  if (shape) throw new UsageError(`${f}: not a usable mapmortem report (${shape}); nothing was merged or written`);
  return value as Report;
}

export async function runReport(c: ReportConfig, io: CliIO): Promise<void> {
  const parts: NamedReport[] = [];
  const outId = c.output && c.output !== '-' ? await fileIdentity(path.resolve(io.cwd, c.output)) : null;
  for (const f of c.files) {
    if (outId !== null && (await fileIdentity(path.resolve(io.cwd, f))) === outId) {
      throw new UsageError(`the output ${c.output} is one of the reports to merge (${f}); nothing was read or written: choose another -o path`);
    }
  }
  for (const f of c.files) parts.push({ file: f, report: await readResult(f, io) });
  // One plain result is shown as it is; a shard alone still goes through the merge (its missing siblings are named).
  let merged: Report;
  if (parts.length === 1 && !parts[0]!.report.shard) merged = parts[0]!.report;
  else {
    try {
      const res = mergeReports(parts, nowFrom(io), toolVersion());
      for (const n of res.notes) io.stderr(`mapmortem: ${n}\n`);
      merged = res.report;
    } catch (err) {
      if (err instanceof MergeRefused) throw new UsageError(`${err.message}; nothing was written`);
      throw err;
    }
  }
  const color = io.stdoutIsTTY && !c.output && !io.env['NO_COLOR'];
  await emit(await outputFormat(c.format).render(merged, { color, verbose: c.verbose === true, width: textWidth(io, c.output) }), c.output, io);
}

export const registerReport: RegisterCommand = (program: Command, { io }) => {
  program
    .command('report')
    .description('merge the JSON results of several scans (shards, hosts, days) into one report')
    .argument('<results...>', 'JSON files written by `scan --format json`, or HTML reports (their embedded data is read back)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(OUTPUT_FORMATS.filter((f) => !('streamed' in f)).map((f) => f.name)))
    .option('-o, --output <file>', 'write the merged report to FILE')
    .option('-v, --verbose', 'text: every finding, the decision trail, evidence and caveats')
    .action(async (files: string[], o: { format?: OutputFormatName; output?: string; verbose?: boolean }) => {
      // A streamed format (ndjson) asked for by the output's extension writes its document form.
      const wanted = outputFormat(o.format ?? formatFromOutput(o.output) ?? 'text');
      const format = (wanted.streamed?.documentForm ?? wanted.name) as OutputFormatName;
      await runReport({ files, format, verbose: o.verbose === true, ...(o.output !== undefined ? { output: o.output } : {}) }, io);
    });
};
