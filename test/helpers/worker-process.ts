/**
 * The runnable worker (`src/worker.ts`, what `evo-compute-worker` runs) in a child process, configured
 * by its environment only, as a deployment configures it: for tests that restart, kill or scrape it.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it has written to stdout and stderr so far. */
  output(): string;
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts a worker process with `env` (and `PATH`, nothing else of this process's environment). */
export function runWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [require.resolve('../../src/worker.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}
