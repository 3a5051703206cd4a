/**
 * What the workflow tests share: a job of the emulator's generic test task, finding it among the
 * emulator's jobs, reading a workflow's failure, and a worker of a test's own against another URL.
 */
import assert from 'node:assert/strict';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RunComputeJobInput, SubmitComputeJobInput } from '../../src/common/types';
import type { ComputeEmulator, EmulatedJobSnapshot } from '../../src/emulator';
import { createComputeWorker } from '../../src/worker/index';
import { ORG_ID } from './ids';
import { uniqueId, workflowBundle } from './temporal';

/** A job of the emulator's generic test task, tagged so that a test can find it among the emulator's jobs. */
export function testJob(
  parameters: Record<string, unknown>,
  options: Partial<SubmitComputeJobInput> = {},
): SubmitComputeJobInput {
  return {
    orgId: ORG_ID,
    topic: 'emulator',
    task: 'job',
    parameters: { tag: uniqueId('tag'), ...parameters },
    pollInterval: 100,
    ...options,
  };
}

/** The emulator's jobs submitted for `input` (by its tag). */
export function jobsTagged(emulator: ComputeEmulator, input: RunComputeJobInput): EmulatedJobSnapshot[] {
  const tag = 'parameters' in input ? input.parameters.tag : undefined;
  return emulator.jobs().filter((job) => job.parameters.tag === tag);
}

/** The failure a workflow ended with (the `cause` of its `WorkflowFailedError`); fails when it completed. */
export async function failureOf(handle: WorkflowHandle): Promise<unknown> {
  const err = await handle.result().then(
    () => assert.fail('the workflow should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${err}`);
  return err.cause;
}

/** Runs `body` with an in-process compute worker on a queue of its own that talks to `baseUrl`. */
export async function withWorkerOn(
  env: TestWorkflowEnvironment,
  options: { baseUrl: string; token: string },
  body: (queue: string) => Promise<void>,
): Promise<void> {
  const queue = uniqueId('own-worker');
  const worker = await createComputeWorker({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue: queue,
    baseUrl: options.baseUrl,
    accessToken: options.token,
    worker: { workflowBundle: await workflowBundle() },
  });
  const running = worker.run();
  try {
    await body(queue);
  } finally {
    worker.shutdown();
    await running;
  }
}
