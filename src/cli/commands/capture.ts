// `mapmortem capture`: on a live Linux host, save a bundle of one process and its host for
// `scan` to read later. Also used by `scan --capture-pid`.

import type { Command } from 'commander';
import path from 'node:path';
import { nowFrom, toolVersion, UsageError, type CliIO, type RegisterCommand } from '../context.js';
import { collectList, parsePositiveInt } from '../options.js';

export interface CaptureConfig {
  readonly pid?: number;
  readonly name?: string;
  readonly output?: string;
  readonly dataDirs: readonly string[];
}

/** Capture a live process into a bundle; returns the bundle path or stops with a usage error. */
export async function runCapture(o: CaptureConfig, io: CliIO): Promise<string> {
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
  const { capture } = await import('../../capture/capture.js');
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
  const saved = res.manifest.files.filter((f) => f.status === 'ok' || f.status === 'truncated').length;
  io.stderr(`mapmortem: captured ${saved} files into ${res.bundle}\n`);
  return res.bundle;
}

export const registerCapture: RegisterCommand = (program: Command, { io }) => {
  program
    .command('capture')
    .description('on a live Linux host: save a bundle of a process (maps, smaps_rollup, status, limits) and the host (vm sysctls, meminfo, cgroup) for `scan`')
    .option('-p, --pid <pid>', 'the process to capture', parsePositiveInt('--pid'))
    .option('-n, --name <regex>', 'the process whose command line matches REGEX (several matches are listed, not guessed)')
    .option('-o, --output <path>', 'bundle directory, or a .tar.gz file (default: mapmortem-capture-<pid>-<time> here)')
    .option('--data-dir <dir>', 'also list a Kafka log dir or TSDB dir (repeatable)', collectList, [] as string[])
    .action(async (o: { pid?: number; name?: string; output?: string; dataDir: string[] }) => {
      const config: CaptureConfig = {
        ...(o.pid !== undefined ? { pid: o.pid } : {}),
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.output !== undefined ? { output: o.output } : {}),
        dataDirs: o.dataDir,
      };
      io.stdout(`${await runCapture(config, io)}\n`);
    });
};
