// `mapmortem scan`: the main job. Parses the flags into a ScanCommandConfig (every check that
// can fail runs before any log is read), runs the pipeline, renders the report in the asked
// output format and returns the exit code (1 when an incident is at or above --fail-on).

import { Option, type Command } from 'commander';
import os from 'node:os';
import path from 'node:path';
import type { Report, Rule, Severity } from '../../core/index.js';
import { SEVERITIES } from '../../core/index.js';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../../io/archive.js';
import { runScan, type FileOutcome } from '../../pipeline/scan.js';
import { ndjsonStreamer } from '../../render/ndjson.js';
import { formatFromOutput, OUTPUT_FORMAT_NAMES, outputFormat, type OutputFormatName } from '../../render/outputs.js';
import { redactReport } from '../../render/redact.js';
import { emit, textWidth, loadRules, nowFrom, toolVersion, UsageError, type CliIO, type RegisterCommand } from '../context.js';
import { collectList, parseNonNegInt, parsePositiveInt, parseShard, parseWhen } from '../options.js';
import { readPathLists } from '../files-from.js';
import type { ShardSpec } from '../../pipeline/shard.js';
import { progressPrinter } from '../progress.js';
import { runCapture } from './capture.js';

/** Documentation next to logs (a sample's or a bundle's README) quotes log lines; not evidence. */
export const DEFAULT_EXCLUDES: readonly string[] = ['**/README*', '**/*.md'];

export function defaultJobs(): number {
  return Math.max(1, os.availableParallelism());
}

interface ScanFlags {
  format?: OutputFormatName;
  output?: string;
  rules: string[];
  defaultRules: boolean;
  include: string[];
  exclude: string[];
  defaultExcludes: boolean;
  context: number;
  maxLine: number;
  failOn?: Severity;
  color?: boolean;
  verbose?: boolean;
  jobs?: number;
  since?: string;
  until?: string;
  progress?: boolean;
  quiet?: boolean;
  redact?: boolean;
  maxArchiveBytes?: number;
  maxArchiveMembers?: number;
  capturePid?: number;
  filesFrom: string[];
  shard?: ShardSpec;
}

/** A scan as the flags asked for it, validated, with its rules loaded. */
export interface ScanCommandConfig {
  readonly paths: readonly string[];
  readonly format: OutputFormatName;
  readonly output?: string;
  readonly rules: readonly Rule[];
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly context: number;
  readonly maxLineBytes: number;
  readonly failOn?: Severity;
  readonly color?: boolean;
  /** Text: the full detail instead of one screen per incident. */
  readonly verbose: boolean;
  readonly jobs: number;
  readonly since?: Date;
  readonly until?: Date;
  /** undefined: no progress; true: redrawn in place on a terminal; false: one line per update. */
  readonly progress?: { readonly inPlace: boolean };
  readonly quiet: boolean;
  readonly redact: boolean;
  readonly archiveLimits: ArchiveLimits;
  readonly capturePid?: number;
  readonly now: Date;
  /** `--shard INDEX/COUNT`: scan only this part of the inputs (whole hosts). */
  readonly shard?: ShardSpec;
  /** Paths read from --files-from lists, and where each was listed. */
  readonly listedAt?: ReadonlyMap<string, string>;
}

/** Largest --max-line: the scanner holds one buffer of this size per worker (a Buffer cannot pass 4 GiB). */
const MAX_LINE_CAP = 1024 ** 3;

/** Flags to config; throws UsageError on a bad combination and on an invalid rule file. */
export async function scanConfig(args: readonly string[], o: ScanFlags, io: CliIO): Promise<ScanCommandConfig> {
  const lists = o.filesFrom ?? [];
  if (args.length === 0 && lists.length === 0 && o.capturePid === undefined)
    throw new UsageError('nothing to scan: give paths (files, directories, - for stdin) or --files-from LIST');
  if (lists.filter((l) => l === '-').length > 1) throw new UsageError('--files-from - can be given once (stdin is read once)');
  if (lists.includes('-') && args.includes('-')) {
    throw new UsageError('--files-from - reads the list from stdin, so stdin cannot also be scanned: drop the - path, or give the list as a file');
  }
  if (o.shard) {
    if (args.includes('-'))
      throw new UsageError(`--shard ${o.shard.index}/${o.shard.count} cannot split stdin (-): every shard is its own process; save the input to a file and scan that`);
    if (o.capturePid !== undefined) {
      throw new UsageError('--shard and --capture-pid: a capture is of one live process on one machine; capture it with `mapmortem capture` and scan the bundle with the shards');
    }
  }
  if (o.maxLine < 4096) throw new UsageError(`--max-line must be at least 4096 bytes, got ${o.maxLine}`);
  if (o.maxLine > MAX_LINE_CAP) {
    throw new UsageError(`--max-line must be at most ${MAX_LINE_CAP} bytes (1 GiB): each scan worker holds a buffer of that size; got ${o.maxLine}`);
  }
  if (args.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be given once');
  const now = nowFrom(io);
  const since = o.since !== undefined ? parseWhen('--since', o.since, now) : undefined;
  const until = o.until !== undefined ? parseWhen('--until', o.until, now) : undefined;
  if (since && until && since > until) throw new UsageError(`--since ${o.since} is after --until ${o.until}`);
  const rules = await loadRules(o.rules, !o.defaultRules, io);
  const listed = lists.length > 0 ? await readPathLists(lists, io) : undefined;
  const paths = [...args, ...(listed?.paths ?? [])];
  const showProgress = !o.quiet && (o.progress === true || (io.stderrIsTTY === true && !io.env['CI']));
  return {
    paths,
    format: o.format ?? formatFromOutput(o.output) ?? 'text',
    ...(o.output !== undefined ? { output: o.output } : {}),
    rules,
    include: o.include,
    exclude: [...o.exclude, ...(o.defaultExcludes ? DEFAULT_EXCLUDES : [])],
    context: o.context,
    maxLineBytes: o.maxLine,
    ...(o.failOn !== undefined ? { failOn: o.failOn } : {}),
    ...(o.color !== undefined ? { color: o.color } : {}),
    verbose: o.verbose === true,
    jobs: o.jobs ?? defaultJobs(),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(showProgress ? { progress: { inPlace: o.progress !== true } } : {}),
    quiet: o.quiet === true,
    redact: o.redact === true,
    archiveLimits: {
      ...DEFAULT_ARCHIVE_LIMITS,
      ...(o.maxArchiveBytes ? { maxTotalBytes: o.maxArchiveBytes } : {}),
      ...(o.maxArchiveMembers ? { maxMembers: o.maxArchiveMembers } : {}),
    },
    ...(o.capturePid !== undefined ? { capturePid: o.capturePid } : {}),
    now,
    ...(o.shard ? { shard: o.shard } : {}),
    ...(listed ? { listedAt: listed.listedAt } : {}),
  };
}

function failOnHit(report: Report, failOn: Severity | undefined): boolean {
  if (!failOn) return false;
  const limit = SEVERITIES.indexOf(failOn);
  return report.incidents.some((i) => SEVERITIES.indexOf(i.severity) <= limit);
}

/** Runs the scan a config describes and writes its report; returns the exit code. */
export async function runScanCommand(c: ScanCommandConfig, io: CliIO): Promise<number> {
  const paths = c.capturePid !== undefined ? [...c.paths, await runCapture({ pid: c.capturePid, dataDirs: [] }, io)] : c.paths;
  const progress = c.progress ? progressPrinter(io, c.progress.inPlace) : undefined;
  const format = outputFormat(c.format);
  const ndjson = format.streamed ? ndjsonStreamer(c.output && c.output !== '-' ? undefined : io.stdout, c.redact) : undefined;
  const scanned = await runScan({
    // The scan stops before reading anything when -o names one of its inputs.
    ...(c.output && c.output !== '-' ? { output: path.resolve(io.cwd, c.output), outputShown: c.output } : {}),
    jobs: c.jobs,
    archiveLimits: c.archiveLimits,
    ...(c.since ? { since: c.since } : {}),
    ...(c.until ? { until: c.until } : {}),
    ...(progress ? { onProgress: progress.update } : {}),
    ...(ndjson ? { onFile: (f: FileOutcome) => ndjson.file(f.findings) } : {}),
    paths,
    cwd: io.cwd,
    include: c.include,
    exclude: c.exclude,
    rules: c.rules,
    context: c.context,
    maxLineBytes: c.maxLineBytes,
    now: c.now,
    version: toolVersion(),
    ...(io.stdin ? { stdin: io.stdin } : {}),
    ...(c.shard ? { shard: c.shard } : {}),
    ...(c.listedAt ? { listedAt: c.listedAt } : {}),
  });
  progress?.done();
  const report = c.redact && !ndjson ? redactReport(scanned) : scanned;
  const notFound = report.problems.filter((p) => p.code === 'input-not-found');
  if (report.inputs.length === 0 && notFound.length > 0 && notFound.length === paths.length) {
    for (const p of notFound) io.stderr(`mapmortem: ${p.message}\n`);
    return 2;
  }
  const shard = report.shard;
  if (shard && !c.quiet) {
    io.stderr(`mapmortem: shard ${shard.index}/${shard.count} (plan ${shard.plan}): ${shard.groups} of ${shard.totalGroups} host groups, ${report.inputs.length} inputs\n`);
  }
  const color = c.color ?? (io.stdoutIsTTY && !c.output && !io.env['NO_COLOR']);
  const text = ndjson ? ndjson.summary(report) : await format.render(report, { color, verbose: c.verbose, width: textWidth(io, c.output) });
  await emit(text, c.output, io);
  if (c.output && !c.quiet) io.stderr(`mapmortem: verdict ${report.verdict}; report written to ${c.output}\n`);
  // A shard that drew no host (more shards than hosts) has done its part: not a failed scan.
  if (report.verdict === 'nothing-read' && !(shard && shard.groups === 0)) {
    if (!c.quiet) io.stderr('mapmortem: nothing was read: no input could be read as a log or evidence file (see the problems); exit 3\n');
    return 3;
  }
  return failOnHit(report, c.failOn) ? 1 : 0;
}

export const registerScan: RegisterCommand = (program: Command, { io, exit }) => {
  program
    .command('scan')
    .description('scan logs, crash files and evidence (files, directories, - for stdin) and print the verdict')
    .argument('[paths...]', 'files, directories or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...OUTPUT_FORMAT_NAMES]))
    .option('-o, --output <file>', 'write the report to FILE instead of stdout (format from the extension unless --format)')
    .option('--rules <path>', 'extra rule directory or rule file (repeatable)', collectList, [] as string[])
    .option('--no-default-rules', 'do not load the bundled rule pack')
    .option('--include <glob>', 'only scan files matching GLOB under directories (repeatable)', collectList, [] as string[])
    .option('--exclude <glob>', 'skip files matching GLOB under directories (repeatable)', collectList, [] as string[])
    .option('--no-default-excludes', 'also scan README/Markdown files found under directories (skipped by default)')
    .option('-C, --context <lines>', 'lines of context around each record', parseNonNegInt('--context'), 0)
    .option('--max-line <bytes>', 'longest line kept whole; longer lines are scanned in windows and reported', parseNonNegInt('--max-line'), 1024 * 1024)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when an incident is at or above SEVERITY').choices([...SEVERITIES]))
    .option('-j, --jobs <n>', 'worker threads for files and for the byte ranges of a log of 32 MiB or more (default: the number of cores)', parsePositiveInt('--jobs'))
    .option('--since <time>', 'only findings at or after TIME (ISO date/time, or relative: 30m, 12h, 7d)')
    .option('--until <time>', 'only findings at or before TIME (ISO date/time, or relative: 30m, 12h, 7d)')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('-q, --quiet', 'no progress and no verdict line on stderr')
    .option('--max-archive-bytes <bytes>', 'stop expanding an archive after this many decompressed bytes (default 16 GiB)', parsePositiveInt('--max-archive-bytes'))
    .option('--max-archive-members <n>', 'stop expanding an archive after this many members (default 100000)', parsePositiveInt('--max-archive-members'))
    .option('--files-from <list>', 'also scan the paths LIST names, one a line (- for stdin; blank lines and # comments skipped; repeatable)', collectList, [] as string[])
    .option('--shard <index/count>', 'scan only shard INDEX of COUNT (INDEX from 0, as JOB_COMPLETION_INDEX); hosts are never split; merge with `report`', parseShard)
    .option('--capture-pid <pid>', 'capture this live process first (a bundle saved here) and scan it with the logs', parsePositiveInt('--capture-pid'))
    .option('--redact', 'replace host names, IP addresses, user names in paths and e-mail addresses with stable placeholders')
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output')
    .option('-v, --verbose', 'text: every finding, the decision trail, evidence and caveats (the default fits a screen)')
    .action(async (paths: string[], o: ScanFlags) => {
      exit(await runScanCommand(await scanConfig(paths, o, io), io));
    });
};
