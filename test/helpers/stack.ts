/**
 * What most workflow tests stand on: a real Temporal server, the emulator and a compute worker on
 * one task queue, started together and stopped together.
 */
import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerOptions, WorkflowBundle } from '@temporalio/worker';
import { type ComputeEmulator, type ComputeEmulatorOptions, startComputeEmulator } from '../../src/emulator';
import { createComputeWorker } from '../../src/worker/index';
import { quietRuntime, workflowBundle } from './temporal';
import { startLocalTemporal } from './temporal-env';

export interface TestStack {
  env: TestWorkflowEnvironment;
  emulator: ComputeEmulator;
  close(): Promise<void>;
}

export interface TestStackOptions {
  taskQueue: string;
  /** The access token the emulator demands and the worker sends. */
  token: string;
  /** Default: the local dev server. */
  temporal?: () => Promise<TestWorkflowEnvironment>;
  emulator?: Omit<ComputeEmulatorOptions, 'accessToken'>;
  /**
   * Default: the package's workflows, bundled once per test process. `'package'`: whatever
   * `createComputeWorker` picks itself (the prebuilt bundle, or a bundle made at start-up).
   */
  bundle?: (() => Promise<WorkflowBundle>) | 'package';
  /** More options of the compute worker (e.g. a `dataConverter`). */
  worker?: Partial<WorkerOptions>;
}

export async function startTestStack(options: TestStackOptions): Promise<TestStack> {
  quietRuntime();
  const makeBundle = options.bundle ?? workflowBundle;
  const [bundle, env, emulator] = await Promise.all([
    makeBundle === 'package' ? undefined : makeBundle(),
    (options.temporal ?? startLocalTemporal)(),
    startComputeEmulator({ ...options.emulator, accessToken: options.token }),
  ]);
  const worker = await createComputeWorker({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue: options.taskQueue,
    baseUrl: emulator.url,
    accessToken: options.token,
    worker: { ...options.worker, ...(bundle && { workflowBundle: bundle }) },
  });
  const running = worker.run();
  return {
    env,
    emulator,
    async close() {
      worker.shutdown();
      await running;
      await emulator.close();
      await env.teardown();
    },
  };
}

/**
 * The stack of one test file or suite: started in its `before` hook, closed in its `after` hook.
 * Read `env` and `emulator` inside tests and hooks that run after that `before`.
 */
export function useTestStack(options: TestStackOptions): Omit<TestStack, 'close'> {
  let stack: TestStack | undefined;
  before(async () => {
    stack = await startTestStack(options);
  });
  after(async () => {
    await stack?.close();
  });
  const started = (): TestStack => {
    if (!stack) throw new Error('the test stack is read before its before() hook has run');
    return stack;
  };
  return {
    get env() {
      return started().env;
    },
    get emulator() {
      return started().emulator;
    },
  };
}
