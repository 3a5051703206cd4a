#!/usr/bin/env node
/**
 * `evo-compute`: run Evo compute jobs on Temporal from a shell. One command per file; this file
 * wires them up and turns every error into one line on stderr and an exit code:
 * 2 for usage and settings, 1 for a failed job (or an unreachable Temporal), 130 for cancelled.
 */
import { Command, CommanderError } from 'commander';
import { PACKAGE_VERSION } from '../common/version';
import { registerCancel } from './cancel';
import { registerDev } from './dev';
import { registerEmulator } from './emulator';
import { CliError, ExitCode, oneLine } from './errors';
import { registerRun } from './run';
import { registerStatus } from './status';
import { registerTasks } from './tasks';

export function createProgram(): Command {
  const program = new Command('evo-compute')
    .description('Run Seequent Evo compute jobs durably on Temporal')
    .version(PACKAGE_VERSION)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`evo-compute: ${oneLine(text.replace(/^error: /, ''))}\n`),
    });
  registerRun(program);
  registerStatus(program);
  registerTasks(program);
  registerCancel(program);
  registerEmulator(program);
  registerDev(program);
  return program;
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
    return ExitCode.Ok;
  } catch (err) {
    // Commander has already written its message (or the help, for `--help`).
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    if (err instanceof CliError) {
      // One line per fact (a bad parameter each), each prefixed, so the output greps well.
      for (const line of err.message.split('\n')) process.stderr.write(`evo-compute: ${line}\n`);
      return err.exitCode;
    }
    process.stderr.write(`evo-compute: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    return ExitCode.Failed;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
