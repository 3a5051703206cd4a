/** How the CLI ends: one line on stderr and an exit code that tells what kind of failure it was. */

export const ExitCode = {
  Ok: 0,
  /** The job failed, or Temporal could not be reached or answered with an error. */
  Failed: 1,
  /** Bad usage or settings: nothing was started. */
  Usage: 2,
  /** The job (or the wait for it) was cancelled. */
  Cancelled: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as `evo-compute: <message>` and exits with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Failed,
  ) {
    super(message);
  }
}

/** A usage or settings error (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.Usage);
}

/** One line, whatever the message held. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
