/**
 * The client-side helpers on a real Temporal dev server, with a worker and the emulator: what a
 * program that starts, follows and cancels compute jobs relies on.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import {
  cancelComputeJob,
  computeJobWorkflowId,
  getComputeJobProgress,
  startComputeJob,
  waitForComputeJob,
  watchComputeJob,
} from '../src/client';
import type { ComputeJobProgressView, JobRef, SubmitComputeJobInput } from '../src/common/types';
import { jobsTagged, testJob } from './helpers/compute-jobs';
import { ORG_ID } from './helpers/ids';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const TOKEN = 'client-test-token';
const TASK_QUEUE = 'evo-compute-client-test';

const stack = useTestStack({ taskQueue: TASK_QUEUE, token: TOKEN });

function jobTagged(input: SubmitComputeJobInput) {
  return jobsTagged(stack.emulator, input)[0];
}

describe('computeJobWorkflowId', () => {
  test('is evo-compute/<topic>/<task>/<key>', () => {
    assert.equal(
      computeJobWorkflowId('geostatistics', 'kriging', 'k1'),
      'evo-compute/geostatistics/kriging/k1',
    );
  });
});

test('the client entry loads no worker, undici or workflow code', () => {
  const script = `
    const entry = require(${JSON.stringify(require.resolve('../src/client'))});
    const loaded = Object.keys(require.cache).filter((file) =>
      /@temporalio[\\/]worker|undici|[\\/]src[\\/](workflows|activities|worker)/.test(file));
    console.log(JSON.stringify({ loaded, exports: Object.keys(entry) }));`;
  const { loaded, exports } = JSON.parse(
    execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }),
  );
  assert.deepEqual(loaded, []);
  for (const name of [
    'startComputeJob',
    'getComputeJobProgress',
    'cancelComputeJob',
    'computeJobWorkflowId',
  ]) {
    assert.ok(exports.includes(name), name);
  }
});

test('the main entry is workflow-safe: a workflow that imports it bundles', async () => {
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows/uses-main-entry'),
    logger: new DefaultLogger('ERROR'),
  });
  assert.match(bundle.code, /usesMainEntry/);
});

describe('client helpers', () => {
  test('startComputeJob names and describes the workflow; progress and the outcome follow the job', async () => {
    const input = testJob({ durationMs: 1200, steps: 3, results: { answer: 42 } });
    const handle = await startComputeJob(stack.env.client, input, { taskQueue: TASK_QUEUE });
    assert.match(
      handle.workflowId,
      /^evo-compute\/emulator\/job\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );

    const description = await handle.describe();
    assert.equal(description.type, 'runComputeJob');
    assert.equal(description.taskQueue, TASK_QUEUE);
    assert.equal(await description.staticSummary(), 'Evo compute emulator/job');
    const details = (await description.staticDetails()) ?? '';
    for (const part of [ORG_ID, '`emulator`', '`job`', 'Preview: no'])
      assert.ok(details.includes(part), details);

    const running = await waitFor('an in-progress status', async () => {
      const view = await getComputeJobProgress(handle);
      return view.status?.status === 'in progress' ? view : undefined;
    });
    assert.equal(running.phase, 'running');
    assert.equal(running.job?.jobId, jobTagged(input)?.jobId);

    const seen: ComputeJobProgressView[] = [];
    const outcome = await watchComputeJob(handle, { intervalMs: 100, onProgress: (view) => seen.push(view) });
    assert.equal(outcome.status, 'COMPLETED');
    assert.deepEqual(outcome.result?.results, { answer: 42 });
    assert.equal(seen.at(-1)?.status?.status, 'succeeded', 'the last view is the final status');
  });

  test('attaching uses the job id as the key; a failed job is FAILED with its type and problem', async () => {
    const input = testJob({ durationMs: 100, fail: { title: 'Variogram invalid', detail: 'sill < 0' } });
    const first = await startComputeJob(stack.env.client, input, {
      taskQueue: TASK_QUEUE,
      key: uniqueId('key'),
    });
    assert.match(first.workflowId, /^evo-compute\/emulator\/job\/key-/);
    const failed = await waitForComputeJob(first);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.failure?.type, 'JobFailed');
    assert.equal(failed.failure?.problem?.title, 'Variogram invalid');
    const job = failed.failure?.job as JobRef;
    assert.equal(job.jobId, jobTagged(input)?.jobId);

    const attached = await startComputeJob(
      stack.env.client,
      { job, pollInterval: 100 },
      { taskQueue: TASK_QUEUE },
    );
    assert.equal(attached.workflowId, `evo-compute/emulator/job/${job.jobId}`);
    assert.ok(((await (await attached.describe()).staticDetails()) ?? '').includes(job.jobId));
    assert.equal((await waitForComputeJob(attached)).failure?.type, 'JobFailed');
  });

  test('between two readings the workflow records, progress comes from the polling activity', async () => {
    // Retry mode hands a reading to the workflow only when the status or the 10 % step changes; the
    // polls in between leave their reading on the activity's last attempt. (In sparse mode, the
    // default, it is on the attempt's heartbeat, 24 s apart: test/sparse-kill.test.ts reads it.)
    const { pollInterval: _fixed, ...input } = testJob(
      { durationMs: 60_000, steps: 4, cancelDelayMs: 0 },
      { poll: { mode: 'retry' } },
    );
    const handle = await startComputeJob(stack.env.client, input, { taskQueue: TASK_QUEUE });
    const live = await waitFor('a reading newer than the workflow’s', async () => {
      const [view, workflowView] = await Promise.all([
        getComputeJobProgress(handle),
        getComputeJobProgress(handle, { heartbeats: false }),
      ]);
      return view.polls > workflowView.polls && (view.status?.progress ?? 0) > 0
        ? { view, workflowView }
        : undefined;
    });
    assert.equal(
      live.workflowView.status?.status,
      'in progress',
      'the first in-progress reading was recorded',
    );
    assert.ok((live.workflowView.status?.progress ?? 0) < 10);
    assert.equal(live.view.status?.status, 'in progress');
    assert.equal(live.view.job?.jobId, jobTagged(input)?.jobId);
    assert.equal((await cancelComputeJob(handle, { wait: true })).status, 'CANCELLED');
  });

  test('cancelComputeJob cancels the remote job with one DELETE and waits for the workflow to close', async () => {
    const input = testJob({ durationMs: 60_000, cancelDelayMs: 200 });
    const handle = await startComputeJob(stack.env.client, input, { taskQueue: TASK_QUEUE });
    await waitFor('a poll of the running job', async () => (await getComputeJobProgress(handle)).polls >= 1);
    const outcome = await cancelComputeJob(handle, { wait: true });
    assert.equal(outcome.status, 'CANCELLED');
    const remote = jobTagged(input);
    assert.equal(remote?.status, 'cancelled');
    assert.equal(remote?.cancelRequests, 1);
    assert.equal((await handle.describe()).status.name, 'CANCELLED');

    // Cancelling a workflow that has already closed is not an error: its outcome is the answer.
    assert.equal((await cancelComputeJob(handle, { wait: true })).status, 'CANCELLED');
    assert.equal(jobTagged(input)?.cancelRequests, 1, 'no second DELETE');
  });
});
