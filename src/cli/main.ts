// The CLI's wiring only: builds the commander program from the commands under commands/
// (each parses its flags into a typed config and calls the pipeline), runs it and maps the
// outcome to the exit code (0 done, 1 an incident at or above --fail-on, 2 usage/configuration/internal error).

import { Command, CommanderError } from 'commander';
import { toolVersion, UsageError, type CliIO, type CommandContext, type RegisterCommand } from './context.js';
import { registerCapture } from './commands/capture.js';
import { registerCheck } from './commands/check.js';
import { registerPlan } from './commands/plan.js';
import { registerReport } from './commands/report.js';
import { registerRules } from './commands/rules.js';
import { registerScan } from './commands/scan.js';
import { OutputIsInput } from '../pipeline/scan.js';

export type { CliIO } from './context.js';

/** In the order `--help` lists them. */
const COMMANDS: readonly RegisterCommand[] = [registerScan, registerRules, registerPlan, registerCapture, registerCheck, registerReport];

/** Run the CLI; returns the process exit code. Modules only some commands need are imported when used, to keep start-up short. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const ctx: CommandContext = { io, exit: (code) => void (exitCode = code) };
  const program = new Command();
  program
    .name('mapmortem')
    .description('Diagnose mmap "Cannot allocate memory" failures: vm.max_map_count vs memory vs address-space, cgroup and thread limits')
    .version(toolVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of COMMANDS) register(program, ctx);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof UsageError || err instanceof OutputIsInput) {
      io.stderr(`mapmortem: ${err.message}\n`);
      return 2;
    }
    io.stderr(`mapmortem: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
}
