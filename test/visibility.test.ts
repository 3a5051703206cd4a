/**
 * What the Temporal UI and visibility queries show of a job: the `EvoCompute*` search attributes
 * as the job moves, and jobs that still run on a namespace that lacks them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  EvoComputeJobId,
  EvoComputeProgress,
  EvoComputeStatus,
  EvoComputeTask,
  EvoComputeTopic,
} from '../src/common/search-attributes';
import type { RunComputeJobInput } from '../src/common/types';
import { type ComputeEmulator, startComputeEmulator } from '../src/emulator';
import { createComputeWorker } from '../src/worker/index';
import { runComputeJob } from '../src/workflows';
import { ORG_ID } from './helpers/ids';
import { quietRuntime, uniqueId, workflowBundle } from './helpers/temporal';
import { startLocalTemporal } from './helpers/temporal-env';
import { waitFor } from './helpers/wait';

async function withStack(
  env: TestWorkflowEnvironment,
  body: (emulator: ComputeEmulator, taskQueue: string) => Promise<void>,
): Promise<void> {
  const emulator = await startComputeEmulator();
  const taskQueue = uniqueId('visibility');
  const worker = await createComputeWorker({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    baseUrl: emulator.url,
    accessToken: 'visibility',
    worker: { workflowBundle: await workflowBundle() },
  });
  const running = worker.run();
  try {
    await body(emulator, taskQueue);
  } finally {
    worker.shutdown();
    await running;
    await emulator.close();
    await env.teardown();
  }
}

const job = (parameters: Record<string, unknown>): RunComputeJobInput => ({
  orgId: ORG_ID,
  topic: 'emulator',
  task: 'job',
  parameters,
  // The default mode (retry): a reading reaches the search attributes when its status or step changes.
  poll: { initialInterval: 200, maximumInterval: 200 },
});

describe('search attributes', () => {
  test('upserted as the job moves; a visibility query finds the running jobs', async () => {
    quietRuntime();
    const env = await startLocalTemporal();
    await withStack(env, async (_emulator, taskQueue) => {
      const running = await env.client.workflow.start(runComputeJob, {
        taskQueue,
        workflowId: uniqueId('running'),
        args: [job({ durationMs: 60_000 })],
      });
      const finished = await env.client.workflow.start(runComputeJob, {
        taskQueue,
        workflowId: uniqueId('finished'),
        args: [job({ durationMs: 200 })],
      });
      const { job: finishedJob } = await finished.result();
      const attributes = (await finished.describe()).typedSearchAttributes;
      assert.equal(attributes.get(EvoComputeTopic), 'emulator');
      assert.equal(attributes.get(EvoComputeTask), 'job');
      assert.equal(attributes.get(EvoComputeJobId), finishedJob.jobId);
      assert.equal(attributes.get(EvoComputeStatus), 'succeeded');
      assert.equal(attributes.get(EvoComputeProgress), 100);

      const listed = await waitFor('the visibility query to list the running job', async () => {
        const ids: string[] = [];
        for await (const execution of env.client.workflow.list({
          query: `EvoComputeStatus = "in progress" AND TaskQueue = "${taskQueue}"`,
        })) {
          ids.push(execution.workflowId);
        }
        return ids.length > 0 ? ids : undefined;
      });
      assert.deepEqual(listed, [running.workflowId]);
      await running.cancel();
    });
  });

  test('a namespace without them still runs jobs', async () => {
    const env = await startLocalTemporal({ searchAttributes: [] });
    await withStack(env, async (_emulator, taskQueue) => {
      const handle = await env.client.workflow.start(runComputeJob, {
        taskQueue,
        workflowId: uniqueId('bare'),
        args: [job({ durationMs: 300 })],
      });
      const { results } = await handle.result();
      assert.ok(results.echo);
      assert.equal((await handle.describe()).typedSearchAttributes.get(EvoComputeStatus), undefined);
    });
  });
});
