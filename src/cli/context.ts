// What every command shares: the injected process (CliIO), the usage error that stops a run
// with exit 2, the clock, rule loading (validated before any log is read) and writing the
// output. Commands under commands/ import this; nothing here knows a command.

import type { Command } from 'commander';
import { WriteFailed, writeAtomic } from '../io/write.js';
import path from 'node:path';
import type { Rule } from '../core/index.js';
import { packageVersion } from '../core/package.js';
import { defaultRulesDir, loadRuleDirs } from '../rules/load.js';

export interface CliIO {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY?: boolean;
  /** Terminal width of stdout when it is a terminal (text output wraps to it, else to 100). */
  readonly columns?: number;
  /** Whether the process runs as root (default: from process.getuid); tests set it. */
  readonly isRoot?: boolean;
  /** /proc for capture and check (tests point it at a fake tree). */
  readonly procRoot?: string;
  /** Injected clock: the report's generatedAt. */
  readonly now: () => Date;
}

/** Handed to each command's register function: the process, and where the exit code goes. */
export interface CommandContext {
  readonly io: CliIO;
  readonly exit: (code: number) => void;
}

/** Adds one command (with its options and action) to the program. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

/** A bad flag, rule file or argument: main prints the message and exits 2. */
export class UsageError extends Error {}

export function toolVersion(): string {
  return packageVersion();
}

/** The report's clock: SOURCE_DATE_EPOCH when set (reproducible output), else the injected clock. */
export function nowFrom(io: CliIO): Date {
  const epoch = io.env['SOURCE_DATE_EPOCH'];
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return io.now();
}

/** Loads and validates the rule pack; an invalid file stops the command before any log is read. */
export async function loadRules(extra: readonly string[], noDefault: boolean, io: CliIO): Promise<Rule[]> {
  const dirs = [...(noDefault ? [] : [defaultRulesDir()]), ...extra.map((d) => path.resolve(io.cwd, d))];
  if (dirs.length === 0) throw new UsageError('no rule directory: drop --no-default-rules or give --rules DIR or FILE');
  const res = await loadRuleDirs(dirs);
  if (!res.ok) {
    const lines = res.errors.map((e) => `  ${e.file}: ${e.field}: ${e.message}`);
    throw new UsageError(`invalid rule file${res.errors.length === 1 ? '' : 's'}; nothing was scanned:\n${lines.join('\n')}`);
  }
  return res.rules;
}

/** Text wraps to the terminal's width, or to 100 columns when stdout is not a terminal or -o is given. */
export function textWidth(io: CliIO, output: string | undefined): number {
  return (!output || output === '-') && io.stdoutIsTTY && io.columns && io.columns >= 40 ? io.columns : 100;
}

/**
 * Writes to stdout, or to FILE when -o is given: atomically (a temporary file beside it, then
 * rename), so a full disk or a directory in the way is one line naming the path and an earlier
 * report at that path stays whole.
 */
export async function emit(text: string, output: string | undefined, io: CliIO): Promise<void> {
  if (!output || output === '-') {
    io.stdout(text);
    return;
  }
  try {
    await writeAtomic(path.resolve(io.cwd, output), text, output);
  } catch (err) {
    if (err instanceof WriteFailed) throw new UsageError(err.message);
    throw err;
  }
}
