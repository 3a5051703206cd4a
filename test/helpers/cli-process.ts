/** The compiled `evo-compute` CLI run as a child process (not a terminal: progress comes as JSON lines). */
import { spawn } from 'node:child_process';

const CLI = require.resolve('../../src/cli');

export interface CliRun {
  kill(signal: NodeJS.Signals): void;
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** Runs `evo-compute <args>` with exactly `env`; `stdin`, when given, is written and closed. */
export function runCliProcess(args: string[], options: { env: NodeJS.ProcessEnv; stdin?: string }): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: options.env,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return {
    kill: (signal) => child.kill(signal),
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
