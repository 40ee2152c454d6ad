// Commander wiring only: parses argv, validates flags and rule files before any log is read,
// calls the pipeline, hands the report to a renderer and returns the exit code
// (0 done, 1 an incident at or above --fail-on, 2 usage/configuration/internal error).

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Report, Rule, Severity } from '../core/index.js';
import { SEVERITIES } from '../core/index.js';
import { runScan, type FileOutcome, type ScanProgress } from '../pipeline/scan.js';
import { runRuleSamples } from '../pipeline/rule-samples.js';
import { DEFAULT_ARCHIVE_LIMITS } from '../io/archive.js';
import { mergeReports, validateResult, type NamedReport } from '../pipeline/merge.js';
import { ndjsonStreamer } from '../render/ndjson.js';
import { formatFromOutput, OUTPUT_FORMAT_NAMES, OUTPUT_FORMATS, outputFormat, type OutputFormatName } from '../render/outputs.js';
import { redactReport } from '../render/redact.js';
import { defaultRulesDir, loadRuleDirs } from '../rules/load.js';
import { packageVersion } from '../core/package.js';

export interface CliIO {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY?: boolean;
  /** /proc for capture and check (tests point it at a fake tree). */
  readonly procRoot?: string;
  /** Injected clock: the report's generatedAt. */
  readonly now: () => Date;
}

type Format = OutputFormatName;

export function toolVersion(): string {
  return packageVersion();
}

class UsageError extends Error {}

/** Documentation next to logs (a sample's or a bundle's README) quotes log lines; not evidence. */
export const DEFAULT_EXCLUDES: readonly string[] = ['**/README*', '**/*.md'];

function parseNonNegInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} takes a whole number ≥ 0, got "${v}"`);
    return Number(v);
  };
}

function collectList(v: string, prev: string[]): string[] {
  return [...prev, v];
}

async function loadRules(extra: readonly string[], noDefault: boolean, io: CliIO): Promise<Rule[]> {
  const dirs = [...(noDefault ? [] : [defaultRulesDir()]), ...extra.map((d) => path.resolve(io.cwd, d))];
  if (dirs.length === 0) throw new UsageError('no rule directory: drop --no-default-rules or give --rules DIR');
  const res = await loadRuleDirs(dirs);
  if (!res.ok) {
    const lines = res.errors.map((e) => `  ${e.file}: ${e.field}: ${e.message}`);
    throw new UsageError(`invalid rule file${res.errors.length === 1 ? '' : 's'}; nothing was scanned:\n${lines.join('\n')}`);
  }
  return res.rules;
}

function nowFrom(io: CliIO): Date {
  const epoch = io.env['SOURCE_DATE_EPOCH'];
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return io.now();
}

async function emit(text: string, output: string | undefined, io: CliIO): Promise<void> {
  if (!output || output === '-') {
    io.stdout(text);
    return;
  }
  const abs = path.resolve(io.cwd, output);
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, text, 'utf8');
}

function parsePercent(v: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(v.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || n <= 0 || n > 100) throw new InvalidArgumentError(`--threshold takes a percentage between 0 and 100 such as 80%, got "${v}"`);
  return n / 100;
}

/** Capture a live process into a bundle; returns the bundle path or stops with a usage error. */
async function runCapture(o: { pid?: number; name?: string; output?: string; dataDirs: readonly string[] }, io: CliIO): Promise<string> {
  if ((o.pid === undefined) === (o.name === undefined)) throw new UsageError('capture needs exactly one of --pid N or --name REGEX');
  if (o.name !== undefined) {
    try {
      new RegExp(o.name);
    } catch (err) {
      throw new UsageError(`--name: not a valid regular expression (${(err as Error).message})`);
    }
  }
  const now = nowFrom(io);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const output = path.resolve(io.cwd, o.output ?? `mapmortem-capture-${o.pid ?? 'name'}-${stamp}`);
  const { capture } = await import('../capture/capture.js');
  const res = await capture({
    ...(o.pid !== undefined ? { pid: o.pid } : {}),
    ...(o.name !== undefined ? { name: o.name } : {}),
    output,
    dataDirs: o.dataDirs.map((d) => path.resolve(io.cwd, d)),
    ...(io.procRoot ? { procRoot: io.procRoot } : {}),
    now: () => now,
    version: toolVersion(),
  });
  if (!res.ok) {
    const list = (res.candidates ?? []).map((c) => `  ${c.pid}  ${c.cmdline.slice(0, 160)}`);
    throw new UsageError([res.message, ...list].join('\n'));
  }
  for (const w of res.warnings) io.stderr(`mapmortem: capture: ${w}\n`);
  io.stderr(`mapmortem: captured ${res.manifest.files.filter((f) => f.status === 'ok' || f.status === 'truncated').length} files into ${res.bundle}\n`);
  return res.bundle;
}

function parsePositiveInt(name: string) {
  return (v: string): number => {
    if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError(`${name} takes a whole number ≥ 1, got "${v}"`);
    return Number(v);
  };
}

export function defaultJobs(): number {
  return Math.max(1, os.availableParallelism());
}

const RELATIVE = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** An ISO date/time (a date alone is midnight UTC; no zone means UTC) or a relative age such as 7d. */
export function parseWhen(flag: string, v: string, now: Date): Date {
  const rel = RELATIVE.exec(v.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`;
  const t = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) {
    throw new UsageError(`${flag} takes an ISO date/time (2024-05-01, 2024-05-01T12:00:00Z) or an age (30m, 12h, 7d), got "${v}"`);
  }
  return new Date(t);
}

/** Progress on stderr: files done/total, bytes, MB/s, ETA and the current file, redrawn in place. */
function progressPrinter(io: CliIO, tty: boolean): { update: (p: ScanProgress) => void; done: () => void } {
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const t = Date.now();
      if (t - last < 200 && p.filesDone < p.filesTotal) return;
      last = t;
      const secs = Math.max((t - start) / 1000, 0.001);
      const rate = p.bytesDone / secs;
      const eta = rate > 0 && p.bytesTotal > p.bytesDone ? `${Math.ceil((p.bytesTotal - p.bytesDone) / rate)}s` : '-';
      const line = `${p.filesDone}/${p.filesTotal} files, ${(p.bytesDone / 1e6).toFixed(1)}/${(p.bytesTotal / 1e6).toFixed(1)} MB, ${(rate / 1e6).toFixed(1)} MB/s, ETA ${eta}  ${p.current}`;
      io.stderr(tty ? `\r\u001b[2K${line.slice(0, 160)}` : `${line}\n`);
      shown = true;
    },
    done() {
      if (shown && tty) io.stderr('\r\u001b[2K');
    },
  };
}

function failOnHit(report: Report, failOn: Severity | undefined): boolean {
  if (!failOn) return false;
  const limit = SEVERITIES.indexOf(failOn);
  return report.incidents.some((i) => SEVERITIES.indexOf(i.severity) <= limit);
}

/** Render a finished report in one of the document formats (ndjson is streamed by the scan itself). */
async function renderAs(format: Format, report: Report, color: boolean): Promise<string> {
  return outputFormat(format).render(report, { color });
}

/** Run the CLI; returns the process exit code. Modules only some commands need are imported when used, to keep start-up short. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name('mapmortem')
    .description('Diagnose mmap "Cannot allocate memory" failures: vm.max_map_count vs memory vs address-space, cgroup and thread limits')
    .version(toolVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('scan')
    .description('scan logs, crash files and evidence (files, directories, - for stdin) and print the verdict')
    .argument('<paths...>', 'files, directories or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...OUTPUT_FORMAT_NAMES]))
    .option('-o, --output <file>', 'write the report to FILE instead of stdout (format from the extension unless --format)')
    .option('--rules <dir>', 'extra rule directory (repeatable)', collectList, [] as string[])
    .option('--no-default-rules', 'do not load the bundled rule pack')
    .option('--include <glob>', 'only scan files matching GLOB under directories (repeatable)', collectList, [] as string[])
    .option('--exclude <glob>', 'skip files matching GLOB under directories (repeatable)', collectList, [] as string[])
    .option('--no-default-excludes', 'also scan README/Markdown files found under directories (skipped by default)')
    .option('-C, --context <lines>', 'lines of context around each record', parseNonNegInt('--context'), 0)
    .option('--max-line <bytes>', 'longest line kept whole; longer lines are scanned in windows and reported', parseNonNegInt('--max-line'), 1024 * 1024)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when an incident is at or above SEVERITY').choices([...SEVERITIES]))
    .option('-j, --jobs <n>', 'files scanned in parallel on worker threads (default: the number of cores)', parsePositiveInt('--jobs'))
    .option('--since <time>', 'only findings at or after TIME (ISO date/time, or relative: 30m, 12h, 7d)')
    .option('--until <time>', 'only findings at or before TIME (ISO date/time, or relative: 30m, 12h, 7d)')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('-q, --quiet', 'no progress and no verdict line on stderr')
    .option('--max-archive-bytes <bytes>', 'stop expanding an archive after this many decompressed bytes (default 16 GiB)', parsePositiveInt('--max-archive-bytes'))
    .option('--max-archive-members <n>', 'stop expanding an archive after this many members (default 100000)', parsePositiveInt('--max-archive-members'))
    .option('--capture-pid <pid>', 'capture this live process first (a bundle saved here) and scan it with the logs', parsePositiveInt('--capture-pid'))
    .option('--redact', 'replace host names, IP addresses, user names in paths and e-mail addresses with stable placeholders')
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output')
    .action(async (paths: string[], o: { format?: Format; output?: string; rules: string[]; defaultRules: boolean; include: string[]; exclude: string[]; defaultExcludes: boolean; context: number; maxLine: number; failOn?: Severity; color?: boolean; jobs?: number; since?: string; until?: string; progress?: boolean; quiet?: boolean; redact?: boolean; maxArchiveBytes?: number; maxArchiveMembers?: number; capturePid?: number }) => {
      if (o.maxLine < 4096) throw new UsageError(`--max-line must be at least 4096 bytes, got ${o.maxLine}`);
      if (paths.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be given once');
      const format = o.format ?? formatFromOutput(o.output) ?? 'text';
      const now = nowFrom(io);
      const since = o.since !== undefined ? parseWhen('--since', o.since, now) : undefined;
      const until = o.until !== undefined ? parseWhen('--until', o.until, now) : undefined;
      if (since && until && since > until) throw new UsageError(`--since ${o.since} is after --until ${o.until}`);
      const rules = await loadRules(o.rules, !o.defaultRules, io);
      if (o.capturePid !== undefined) paths = [...paths, await runCapture({ pid: o.capturePid, dataDirs: [] }, io)];
      const showProgress = !o.quiet && (o.progress === true || (io.stderrIsTTY === true && !io.env['CI']));
      const progress = showProgress ? progressPrinter(io, o.progress !== true) : undefined;
      const ndjson = outputFormat(format).streamed ? ndjsonStreamer(o.output && o.output !== '-' ? undefined : io.stdout, o.redact === true) : undefined;
      const scanned = await runScan({
        jobs: o.jobs ?? defaultJobs(),
        archiveLimits: {
          ...DEFAULT_ARCHIVE_LIMITS,
          ...(o.maxArchiveBytes ? { maxTotalBytes: o.maxArchiveBytes } : {}),
          ...(o.maxArchiveMembers ? { maxMembers: o.maxArchiveMembers } : {}),
        },
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
        ...(progress ? { onProgress: progress.update } : {}),
        ...(ndjson ? { onFile: (f: FileOutcome) => ndjson.file(f.findings) } : {}),
        paths,
        cwd: io.cwd,
        include: o.include,
        exclude: [...o.exclude, ...(o.defaultExcludes ? DEFAULT_EXCLUDES : [])],
        rules,
        context: o.context,
        maxLineBytes: o.maxLine,
        now,
        version: toolVersion(),
        ...(io.stdin ? { stdin: io.stdin } : {}),
      });
      progress?.done();
      const report = o.redact && !ndjson ? redactReport(scanned) : scanned;
      const notFound = report.problems.filter((p) => p.code === 'input-not-found');
      if (report.inputs.length === 0 && notFound.length > 0 && notFound.length === paths.length) {
        for (const p of notFound) io.stderr(`mapmortem: ${p.message}\n`);
        exitCode = 2;
        return;
      }
      const color = o.color ?? (io.stdoutIsTTY && !o.output && !io.env['NO_COLOR']);
      const text = ndjson ? ndjson.summary(report) : await renderAs(format, report, color);
      await emit(text, o.output, io);
      if (o.output && !o.quiet) io.stderr(`mapmortem: verdict ${report.verdict}; report written to ${o.output}\n`);
      exitCode = failOnHit(report, o.failOn) ? 1 : 0;
    });

  const rules = program.command('rules').description('the rule pack: list, test, show');
  rules
    .command('list')
    .description('list the rules')
    .option('--rules <dir>', 'extra rule directory (repeatable)', collectList, [] as string[])
    .option('--no-default-rules', 'do not load the bundled rule pack')
    .action(async (o: { rules: string[]; defaultRules: boolean }) => {
      const list = await loadRules(o.rules, !o.defaultRules, io);
      const w = Math.max(...list.map((r) => r.id.length), 4);
      io.stdout(`${'id'.padEnd(w)}  ${'severity'.padEnd(8)}  ${'systems'.padEnd(28)}  title\n`);
      for (const r of list) io.stdout(`${r.id.padEnd(w)}  ${r.severity.padEnd(8)}  ${r.systems.join(',').padEnd(28)}  ${r.title}\n`);
      io.stdout(`${list.length} rules\n`);
    });
  rules
    .command('test')
    .description("run every rule's tests.match / tests.noMatch samples through the real scanner")
    .option('--rules <dir>', 'extra rule directory (repeatable)', collectList, [] as string[])
    .option('--no-default-rules', 'do not load the bundled rule pack')
    .action(async (o: { rules: string[]; defaultRules: boolean }) => {
      const list = await loadRules(o.rules, !o.defaultRules, io);
      const results = await runRuleSamples(list);
      const failed = results.filter((r) => !r.ok);
      for (const r of failed) io.stdout(`FAIL ${r.ruleId} ${r.kind}[${r.index}]: ${r.message ?? ''}\n`);
      const byRule = new Set(results.map((r) => r.ruleId));
      io.stdout(`${results.length - failed.length} passed, ${failed.length} failed (${byRule.size} rules)\n`);
      exitCode = failed.length > 0 ? 1 : 0;
    });
  rules
    .command('show')
    .description('explain one rule')
    .argument('<id>', 'rule id')
    .option('--rules <dir>', 'extra rule directory (repeatable)', collectList, [] as string[])
    .action(async (id: string, o: { rules: string[] }) => {
      const list = await loadRules(o.rules, false, io);
      const r = list.find((x) => x.id === id);
      if (!r) throw new UsageError(`no rule "${id}"; \`mapmortem rules list\` shows the ids`);
      const m = r.match;
      io.stdout(
        [
          `${r.id} — ${r.title}`,
          `file:        ${r.sourceFile}`,
          `severity:    ${r.severity}`,
          `systems:     ${r.systems.join(', ')}`,
          `formats:     ${r.formats.length ? r.formats.join(', ') : 'any'}`,
          `literals:    ${r.literals.map((l) => JSON.stringify(l)).join(', ')}`,
          `match:       scope ${m.scope}; all ${m.all.map(String).join(' ')}; any ${m.any.map(String).join(' ')}; none ${m.none.map(String).join(' ')}`,
          `signals:     failure ${r.signals.failure}, operation ${r.signals.operation}, hint ${r.signals.hint}`,
          '',
          r.explanation.trim(),
          '',
          `Remediation: ${r.remediation.trim()}`,
          ...(r.references.length ? ['', 'References:', ...r.references.map((x) => `  ${x}`)] : []),
          '',
        ].join('\n'),
      );
    });

  program
    .command('plan')
    .description('predict the map count a Kafka log dir or TSDB data dir needs, and the limit to set')
    .argument('<dir>', 'a Kafka log dir, a Prometheus/Cortex TSDB dir, or a find / ls -R listing of one')
    .option('--max-map-count <n>', 'the current vm.max_map_count (default: read from /proc/sys/vm/max_map_count)', parseNonNegInt('--max-map-count'))
    .addOption(new Option('-f, --format <format>', 'output format').choices([...OUTPUT_FORMAT_NAMES]).default('text'))
    .action(async (dir: string, o: { maxMapCount?: number; format: Format }) => {
      const { runPlan } = await import('../pipeline/plan.js');
      const { renderPlan } = await import('../render/plan.js');
      const res = await runPlan({ path: dir, cwd: io.cwd, ...(o.maxMapCount !== undefined ? { maxMapCount: o.maxMapCount } : {}) });
      if (!res.ok) throw new UsageError(res.message);
      io.stdout(o.format === 'json' ? `${JSON.stringify(res.plan, null, 2)}\n` : renderPlan(res.plan));
    });

  program
    .command('capture')
    .description('on a live Linux host: save a bundle of a process (maps, smaps_rollup, status, limits) and the host (vm sysctls, meminfo, cgroup) for `scan`')
    .option('-p, --pid <pid>', 'the process to capture', parsePositiveInt('--pid'))
    .option('-n, --name <regex>', 'the process whose command line matches REGEX (several matches are listed, not guessed)')
    .option('-o, --output <path>', 'bundle directory, or a .tar.gz file (default: mapmortem-capture-<pid>-<time> here)')
    .option('--data-dir <dir>', 'also list a Kafka log dir or TSDB dir (repeatable)', collectList, [] as string[])
    .action(async (o: { pid?: number; name?: string; output?: string; dataDir: string[] }) => {
      const bundle = await runCapture({ ...(o.pid !== undefined ? { pid: o.pid } : {}), ...(o.name !== undefined ? { name: o.name } : {}), output: o.output, dataDirs: o.dataDir }, io);
      io.stdout(`${bundle}\n`);
    });

  program
    .command('check')
    .description("on a live host: every process's map count against vm.max_map_count, worst first")
    .option('-t, --threshold <percent>', 'exit 1 when a process is at or above PERCENT of the limit (e.g. 80%)', parsePercent)
    .option('--prometheus', 'print the Prometheus text exposition (node_exporter textfile collector)')
    .option('-w, --watch <seconds>', 'sample every SECONDS and print the trend and the time left to the limit', parsePositiveInt('--watch'))
    .option('--samples <n>', 'with --watch: stop after N samples (default: run until interrupted)', parsePositiveInt('--samples'))
    .option('--top <n>', 'processes listed (default 20)', parsePositiveInt('--top'))
    .action(async (o: { threshold?: number; prometheus?: boolean; watch?: number; samples?: number; top?: number }) => {
      const { checkHost, watch } = await import('../check/check.js');
      const { renderCheckPrometheus, renderCheckText, renderWatchText } = await import('../render/check.js');
      const opts = { ...(o.threshold !== undefined ? { threshold: o.threshold } : {}), ...(io.procRoot ? { procRoot: io.procRoot } : {}) };
      if (o.watch !== undefined) {
        let over = false;
        for await (const sample of watch({ ...opts, intervalSeconds: o.watch, ...(o.samples ? { samples: o.samples } : {}), now: io.now })) {
          io.stdout(o.prometheus ? renderCheckPrometheus(sample.result) : renderWatchText(sample, o.top));
          over = over || sample.result.over.length > 0;
        }
        exitCode = over ? 1 : 0;
        return;
      }
      const r = await checkHost(opts);
      io.stdout(o.prometheus ? renderCheckPrometheus(r) : renderCheckText(r, o.top));
      if (r.limit === null && !o.prometheus) exitCode = 2;
      else exitCode = r.over.length > 0 ? 1 : 0;
    });

  program
    .command('report')
    .description('merge the JSON results of several scans (shards, hosts, days) into one report')
    .argument('<results...>', 'JSON files written by `scan --format json`, or HTML reports (their embedded data is read back)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(OUTPUT_FORMATS.filter((f) => !('streamed' in f)).map((f) => f.name)))
    .option('-o, --output <file>', 'write the merged report to FILE')
    .action(async (files: string[], o: { format?: Format; output?: string }) => {
      const parts: NamedReport[] = [];
      for (const f of files) {
        let text: string;
        try {
          text = await readFile(path.resolve(io.cwd, f), 'utf8');
        } catch (err) {
          throw new UsageError(`${f}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        }
        let value: unknown;
        if (/^\s*<(!doctype|html)/i.test(text)) {
          value = (await import('../render/embedded.js')).extractEmbeddedReport(text);
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
        parts.push({ file: f, report: value as Report });
      }
      const merged = parts.length === 1 ? parts[0]!.report : mergeReports(parts, nowFrom(io), toolVersion());
      const wanted = outputFormat(o.format ?? formatFromOutput(o.output) ?? 'text');
      const format = (wanted.streamed?.documentForm ?? wanted.name) as Format;
      const color = io.stdoutIsTTY && !o.output && !io.env['NO_COLOR'];
      await emit(await renderAs(format, merged, color), o.output, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      io.stderr(`mapmortem: ${err.message}\n`);
      return 2;
    }
    io.stderr(`mapmortem: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
}
