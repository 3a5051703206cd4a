/**
 * The runnable worker (`src/worker.ts`, what `evo-compute-worker` runs) in a child process, configured
 * by its environment only, as a deployment configures it: for tests that restart, kill or scrape it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type ComputeEmulator, startComputeEmulator } from '../../src/emulator';
import { startLocalTemporal } from './temporal-env';
import { waitFor } from './wait';

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

/** Waits until `worker` logs that it polls its task queue (start-up done, the bundle loaded). */
export function workerPolling(worker: WorkerProcess, what = 'the worker to poll'): Promise<unknown> {
  return waitFor(what, () => worker.output().includes('evo-compute-worker: polling'), 120_000);
}

/**
 * A dev server, an emulator and the worker processes a test starts against them, for a `describe`
 * block: started before its tests, and every worker still running SIGKILLed after them.
 */
export function useWorkerProcesses(token: string): {
  env(): TestWorkflowEnvironment;
  emulator(): ComputeEmulator;
  /** Starts a worker process on `taskQueue` with the emulator's URL and `token`. */
  start(taskQueue: string): WorkerProcess;
} {
  let env: TestWorkflowEnvironment | undefined;
  let emulator: ComputeEmulator | undefined;
  const running = new Set<ChildProcess>();
  before(async () => {
    [env, emulator] = await Promise.all([startLocalTemporal(), startComputeEmulator({ accessToken: token })]);
  });
  after(async () => {
    for (const child of running) child.kill('SIGKILL');
    await emulator?.close();
    await env?.teardown();
  });
  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`${what} is not started: use it inside a test`);
    return value;
  };
  return {
    env: () => started('the dev server', env),
    emulator: () => started('the emulator', emulator),
    start(taskQueue) {
      const worker = runWorkerProcess({
        TEMPORAL_ADDRESS: started('the dev server', env).address,
        EVO_COMPUTE_TASK_QUEUE: taskQueue,
        EVO_BASE_URL: started('the emulator', emulator).url,
        EVO_ACCESS_TOKEN: token,
      });
      running.add(worker.child);
      void worker.exited.then(() => running.delete(worker.child));
      return worker;
    },
  };
}
