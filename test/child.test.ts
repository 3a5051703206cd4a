/**
 * `computeJobChildOptions` and `runComputeJob` as a child, on a real Temporal dev server against the
 * emulator: a cancelled or terminated parent cancels the remote job; the orchestration example runs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, ChildWorkflowFailure } from '@temporalio/common';
import { computeJobChildOptions } from '../src/common/child-options';
import type { JobRef, RunComputeJobInput } from '../src/common/types';
import { computeJobWorkflowId } from '../src/common/workflow-id';
import { exampleKrigingParameters } from '../src/emulator';
import { ORG_ID } from './helpers/ids';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';
import { parentsBundle } from './workflows/bundle';
import { krigeThenSummarise, parentOfOneJob } from './workflows/parents';

const TOKEN = 'child-test-token';
const TASK_QUEUE = 'evo-compute-child-test';
const JOB: JobRef = {
  orgId: ORG_ID,
  topic: 'geostatistics',
  task: 'kriging',
  jobId: '9f8e7d6c-5b4a-4321-8fed-cba987654321',
  url: 'https://example.test/compute/orgs/…',
  preview: false,
};

describe('computeJobChildOptions (no server)', () => {
  test('defaults: deterministic ID, the parent’s task queue, REQUEST_CANCEL, waits for the cancel, a summary', () => {
    const input: RunComputeJobInput = { job: JOB, pollInterval: 100 };
    const options = computeJobChildOptions(input);
    assert.deepEqual(options, {
      args: [input],
      workflowId: `evo-compute/geostatistics/kriging/${JOB.jobId}`,
      parentClosePolicy: 'REQUEST_CANCEL',
      cancellationType: 'WAIT_CANCELLATION_COMPLETED',
      staticSummary: `Evo compute geostatistics/kriging (org ${ORG_ID})`,
    });
    assert.equal(options.workflowId, computeJobWorkflowId('geostatistics', 'kriging', JOB.jobId));
  });

  test('key, task queue and any child option can be overridden; undefined overrides are ignored', () => {
    const input: RunComputeJobInput = { orgId: ORG_ID, topic: 'emulator', task: 'job', parameters: {} };
    const options = computeJobChildOptions(input, {
      key: 'grades-q3',
      taskQueue: 'compute',
      parentClosePolicy: 'ABANDON',
      staticSummary: undefined,
      workflowExecutionTimeout: '1 day',
    });
    assert.equal(options.workflowId, 'evo-compute/emulator/job/grades-q3');
    assert.equal(options.taskQueue, 'compute');
    assert.equal(options.parentClosePolicy, 'ABANDON');
    assert.equal(options.staticSummary, `Evo compute emulator/job (org ${ORG_ID})`);
    assert.equal(options.workflowExecutionTimeout, '1 day');
    assert.deepEqual(options.args, [input]);
  });

  test('a job to submit needs a key outside a workflow', () => {
    assert.throws(
      () => computeJobChildOptions({ orgId: ORG_ID, topic: 'emulator', task: 'job', parameters: {} }),
      /needs a `key` outside a workflow/,
    );
  });
});

describe('runComputeJob as a child (dev server)', { timeout: 120_000 }, () => {
  const stack = useTestStack({
    taskQueue: TASK_QUEUE,
    token: TOKEN,
    bundle: parentsBundle,
    emulator: { taskDurationMs: 300 },
  });

  /** Starts `parentOfOneJob` on a long job; resolves once the remote job is in progress. */
  async function startParent() {
    const tag = uniqueId('tag');
    const input: RunComputeJobInput = {
      orgId: ORG_ID,
      topic: 'emulator',
      task: 'job',
      parameters: { tag, durationMs: 60_000, cancelDelayMs: 100 },
      pollInterval: 100,
    };
    const parentId = uniqueId('parent');
    const parent = await stack.env.client.workflow.start(parentOfOneJob, {
      taskQueue: TASK_QUEUE,
      workflowId: parentId,
      args: [input],
    });
    const remote = await waitFor('the remote job in progress', () =>
      stack.emulator.jobs().find((job) => job.parameters.tag === tag && job.status === 'in progress'),
    );
    // No key: the child's ID is the parent's ID and a per-run counter.
    const child = stack.env.client.workflow.getHandle(`evo-compute/emulator/job/${parentId}/1`);
    return { parent, child, jobId: remote.jobId };
  }

  test('a cancelled parent waits while its child cancels the remote job', async () => {
    const { parent, child, jobId } = await startParent();
    await parent.cancel();
    const err = await parent.result().then(
      () => assert.fail('the parent should have been cancelled'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, `got ${err}`);
    assert.ok(
      err.cause instanceof CancelledFailure ||
        (err.cause instanceof ChildWorkflowFailure && err.cause.cause instanceof CancelledFailure),
      `got ${err.cause}`,
    );
    // WAIT_CANCELLATION_COMPLETED: by the time the parent has ended, the remote job is cancelled.
    const remote = stack.emulator.getJob(jobId);
    assert.equal(remote?.status, 'cancelled');
    assert.equal(remote?.cancelRequests, 1);
    assert.equal((await parent.describe()).status.name, 'CANCELLED');
    assert.equal((await child.describe()).status.name, 'CANCELLED');
  });

  test('a terminated parent: REQUEST_CANCEL reaches the child, which cancels the remote job', async () => {
    const { parent, child, jobId } = await startParent();
    await parent.terminate('test: terminate the parent');
    await waitFor('the remote job cancelled', () => stack.emulator.getJob(jobId)?.status === 'cancelled');
    assert.equal(stack.emulator.getJob(jobId)?.cancelRequests, 1);
    await waitFor('the child closed', async () => (await child.describe()).status.name === 'CANCELLED');
    assert.equal((await parent.describe()).status.name, 'TERMINATED');
  });

  test('the orchestration example: kriging, then a job with its output as parameters', async () => {
    const workflowId = uniqueId('orchestration');
    const result = await stack.env.client.workflow.execute(krigeThenSummarise, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [
        {
          orgId: ORG_ID,
          kriging: exampleKrigingParameters(ORG_ID, 'grade_estimate'),
          pollInterval: 100,
          computeTaskQueue: TASK_QUEUE,
        },
      ],
    });
    const parameters = exampleKrigingParameters(ORG_ID, 'grade_estimate');
    const expected = { object: parameters.target.object, attribute: 'grade_estimate' };
    assert.deepEqual(result.estimate, expected, 'the kriging results name its target and attribute');
    const krigingJob = stack.emulator.getJob(result.kriging.jobId);
    assert.equal(krigingJob?.status, 'succeeded');
    assert.equal(krigingJob?.preview, true, 'kriging is preview-only: sent with API-Preview: opt-in');
    assert.deepEqual(krigingJob?.parameters, parameters);
    const summary = stack.emulator.getJob(result.summary.jobId);
    assert.equal(summary?.status, 'succeeded');
    assert.equal(
      summary?.parameters.attribute,
      'grade_estimate',
      "the second job got the first one's output",
    );
    assert.equal(summary?.parameters.source, result.kriging.jobId);
    assert.deepEqual((result.summaryResults.echo as { object: string }).object, expected.object);
    const kriging = await stack.env.client.workflow
      .getHandle(computeJobWorkflowId('geostatistics', 'kriging', `${workflowId}/kriging`))
      .describe();
    assert.equal(kriging.status.name, 'COMPLETED');
    assert.equal(kriging.parentExecution?.workflowId, workflowId);
  });
});
