/**
 * `runComputeJobs` on a real Temporal dev server against the emulator: input order, the concurrency
 * limit, fail-fast cancelling the other remote jobs, a settled list, cancellation and the progress query.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { readComputeFailure } from '../src/common/failures';
import {
  childJobProgressSignal,
  type RunComputeJobsProgressView,
  runComputeJobsProgressQuery,
} from '../src/common/queries';
import { type ComputeJobResult, isTerminalStatus, type RunComputeJobInput } from '../src/common/types';
import type { EmulatedJobSnapshot } from '../src/emulator';
import type { RunComputeJobsInput, SettledComputeJob } from '../src/workflows/run-compute-jobs';
import { failureOf } from './helpers/compute-jobs';
import { recordHistory } from './helpers/histories';
import { ORG_ID } from './helpers/ids';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';
import { parentsBundle } from './workflows/bundle';
import { runComputeJobs } from './workflows/parents';

const TOKEN = 'fan-out-test-token';
const TASK_QUEUE = 'evo-compute-fan-out-test';

const stack = useTestStack({ taskQueue: TASK_QUEUE, token: TOKEN, bundle: parentsBundle });

/** `emulator/job`s tagged with one batch tag and their index, so the test finds them. */
function batch(parameters: Record<string, unknown>[]): { tag: string; jobs: RunComputeJobInput[] } {
  const tag = uniqueId('batch');
  const jobs = parameters.map((p, index) => ({
    orgId: ORG_ID,
    topic: 'emulator',
    task: 'job',
    parameters: { tag, index, steps: 4, ...p },
    pollInterval: 100,
  }));
  return { tag, jobs };
}

function remoteJobs(tag: string): EmulatedJobSnapshot[] {
  return stack.emulator.jobs().filter((job) => job.parameters.tag === tag);
}

function remoteJob(tag: string, index: number): EmulatedJobSnapshot | undefined {
  return remoteJobs(tag).find((job) => job.parameters.index === index);
}

function start(input: RunComputeJobsInput, workflowId = uniqueId('jobs')): Promise<WorkflowHandle> {
  return stack.env.client.workflow.start(runComputeJobs, {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [input],
  });
}

/** Samples the progress query (and the emulator) every 50 ms until the workflow ends. */
function sample(handle: WorkflowHandle, tag: string) {
  const views: RunComputeJobsProgressView[] = [];
  let maxRemoteActive = 0;
  let done = false;
  const loop = (async () => {
    while (!done) {
      const active = remoteJobs(tag).filter((job) => !isTerminalStatus(job.status)).length;
      maxRemoteActive = Math.max(maxRemoteActive, active);
      const view = await handle.query(runComputeJobsProgressQuery).catch(() => undefined);
      if (view) views.push(view);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    views,
    async stop() {
      done = true;
      await loop;
      return maxRemoteActive;
    },
  };
}

/** The most children open at once, from the parent's history: exact, whatever the timing. */
async function maxOpenChildren(handle: WorkflowHandle): Promise<number> {
  const { events } = await handle.fetchHistory();
  let open = 0;
  let max = 0;
  for (const event of events ?? []) {
    if (event.startChildWorkflowExecutionInitiatedEventAttributes) max = Math.max(max, ++open);
    if (
      event.childWorkflowExecutionCompletedEventAttributes ||
      event.childWorkflowExecutionFailedEventAttributes ||
      event.childWorkflowExecutionCanceledEventAttributes ||
      event.childWorkflowExecutionTerminatedEventAttributes ||
      event.childWorkflowExecutionTimedOutEventAttributes ||
      event.startChildWorkflowExecutionFailedEventAttributes
    ) {
      open--;
    }
  }
  return max;
}

function assertConsistent(view: RunComputeJobsProgressView, concurrency: number): void {
  const { total, done, running, failed, cancelled, pending, percent, jobs } = view;
  assert.equal(done + running + failed + cancelled + pending, total, JSON.stringify(view));
  assert.equal(jobs.length, total);
  assert.ok(running <= concurrency, `running ${running} > ${concurrency}`);
  assert.ok(Number.isInteger(percent) && percent >= 0 && percent <= 100, `percent ${percent}`);
}

describe('runComputeJobs', { timeout: 120_000 }, () => {
  test('returns results in input order, never runs more than `concurrency` jobs, reports progress', async () => {
    // Durations chosen so that jobs end out of input order.
    const { tag, jobs } = batch([900, 200, 500, 100, 300].map((durationMs) => ({ durationMs })));
    const workflowId = uniqueId('jobs');
    const handle = await start({ jobs, concurrency: 2 }, workflowId);
    const sampler = sample(handle, tag);
    const results = (await handle.result()) as ComputeJobResult[];
    const maxRemoteActive = await sampler.stop();

    assert.deepEqual(
      results.map((result) => (result.results.echo as { index: number }).index),
      [0, 1, 2, 3, 4],
    );
    for (const [index, result] of results.entries()) {
      assert.equal(result.job.jobId, remoteJob(tag, index)?.jobId);
    }
    assert.equal(await maxOpenChildren(handle), 2, 'two children at once, never more');
    assert.ok(maxRemoteActive <= 2, `the emulator saw ${maxRemoteActive} jobs going at once`);

    assert.ok(sampler.views.length > 0, 'the progress query answered while running');
    for (const view of sampler.views) assertConsistent(view, 2);
    // With the children's progress signals (`notifyParent`), running jobs carry their status and progress.
    for (const job of sampler.views.flatMap((view) => view.jobs)) {
      if (job.state === 'running' && job.status !== undefined) {
        assert.ok(['requested', 'in progress', 'succeeded'].includes(job.status), JSON.stringify(job));
        assert.ok(
          job.progress === undefined || (job.progress >= 0 && job.progress <= 100),
          JSON.stringify(job),
        );
      }
    }
    const percents = sampler.views.map((view) => view.percent);
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      'percent never goes down',
    );

    const final = await handle.query(runComputeJobsProgressQuery);
    assert.deepEqual(
      { ...final, jobs: undefined },
      { total: 5, done: 5, running: 0, failed: 0, cancelled: 0, pending: 0, percent: 100, jobs: undefined },
    );
    assert.deepEqual(
      final.jobs,
      [0, 1, 2, 3, 4].map((index) => ({
        workflowId: `evo-compute/emulator/job/${workflowId}/${index}`,
        state: 'succeeded',
        status: 'succeeded',
        progress: 100,
      })),
    );
  });

  test('failFast (default): the first failure cancels the others and their remote jobs, and keeps its type', async () => {
    const { tag, jobs } = batch([
      { durationMs: 60_000, cancelDelayMs: 100 },
      { durationMs: 300, fail: { title: 'Variogram invalid' } },
      { durationMs: 60_000, cancelDelayMs: 100 },
      { durationMs: 100 }, // never started: the concurrency is 3
    ]);
    const handle = await start({ jobs, concurrency: 3 });
    const cause = await failureOf(handle);
    assert.ok(cause instanceof ApplicationFailure, `got ${cause}`);
    assert.equal(cause.type, 'JobFailed');
    assert.match(cause.message, /^jobs\[1\] /);
    assert.equal(readComputeFailure(cause)?.details.problem?.title, 'Variogram invalid');

    assert.equal(remoteJob(tag, 1)?.status, 'failed');
    for (const index of [0, 2]) {
      assert.equal(
        remoteJob(tag, index)?.status,
        'cancelled',
        `job ${index} cancelled before the parent failed`,
      );
      assert.equal(remoteJob(tag, index)?.cancelRequests, 1);
    }
    assert.equal(remoteJob(tag, 3), undefined, 'job 3 was never submitted');

    const view = await handle.query(runComputeJobsProgressQuery);
    assert.deepEqual(
      view.jobs.map((job) => job.state),
      ['cancelled', 'failed', 'cancelled', 'cancelled'],
    );
    assert.equal(view.jobs[1]?.status, 'failed');
    assert.deepEqual([view.failed, view.cancelled, view.done, view.pending, view.percent], [1, 3, 0, 0, 100]);
  });

  test('failFast: false returns a settled list in input order, with the failure type', async () => {
    const { tag, jobs } = batch([
      { durationMs: 300 },
      { durationMs: 100, fail: { title: 'Out of memory', detail: 'try fewer blocks' } },
      { durationMs: 200 },
    ]);
    const handle = await start({ jobs, failFast: false, concurrency: 3 });
    const settled = (await handle.result()) as SettledComputeJob[];
    assert.deepEqual(
      settled.map((entry) => entry.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const [first, second, third] = settled;
    assert.ok(first?.status === 'fulfilled' && third?.status === 'fulfilled');
    assert.equal(first.value.job.jobId, remoteJob(tag, 0)?.jobId);
    assert.equal(third.value.job.jobId, remoteJob(tag, 2)?.jobId);
    assert.ok(second?.status === 'rejected');
    assert.equal(second.type, 'JobFailed');
    assert.equal(second.details?.problem?.title, 'Out of memory');
    assert.doesNotMatch(second.message, /Out of memory/, 'problem text stays out of the (unencoded) message');
    assert.equal(second.details?.problem?.detail, 'try fewer blocks');
    assert.match(second.workflowId, /\/1$/);

    const view = await handle.query(runComputeJobsProgressQuery);
    assert.deepEqual([view.total, view.done, view.failed, view.running, view.percent], [3, 2, 1, 0, 100]);
  });

  test('cancelling it cancels every running child and its remote job', async () => {
    const { tag, jobs } = batch([
      { durationMs: 60_000, cancelDelayMs: 100 },
      { durationMs: 60_000, cancelDelayMs: 100 },
      { durationMs: 60_000 },
    ]);
    const handle = await start({ jobs, concurrency: 2 });
    await waitFor('two jobs in progress', () => {
      const going = remoteJobs(tag).filter((job) => job.status === 'in progress');
      return going.length === 2;
    });
    // The children's progress signals (what `notifyParent` makes each child send), sent by hand so
    // that the average is known: (50 + 30 + 0 for the pending one) / 3. A signal about an unknown
    // workflow is ignored. Sent once the children's own first signals have surely arrived.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [first, second] = (await handle.query(runComputeJobsProgressQuery)).jobs;
    await handle.signal(childJobProgressSignal, {
      workflowId: `${first?.workflowId}`,
      status: 'in progress',
      progress: 50,
    });
    await handle.signal(childJobProgressSignal, {
      workflowId: `${second?.workflowId}`,
      status: 'in progress',
      progress: 30,
    });
    await handle.signal(childJobProgressSignal, {
      workflowId: 'someone-else',
      status: 'failed',
      progress: 0,
    });
    const signalled = await handle.query(runComputeJobsProgressQuery);
    assert.deepEqual(
      signalled.jobs.map(({ state, status, progress }) => [state, status, progress]),
      [
        ['running', 'in progress', 50],
        ['running', 'in progress', 30],
        ['pending', undefined, undefined],
      ],
    );
    assert.equal(signalled.percent, 26);

    await handle.cancel();
    const cause = await failureOf(handle);
    assert.ok(cause instanceof CancelledFailure, `got ${cause}`);
    assert.deepEqual(
      remoteJobs(tag)
        .map((job) => [job.parameters.index, job.status, job.cancelRequests])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [0, 'cancelled', 1],
        [1, 'cancelled', 1],
      ],
    );
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
    const view = await handle.query(runComputeJobsProgressQuery);
    assert.deepEqual(
      view.jobs.map((job) => job.state),
      ['cancelled', 'cancelled', 'cancelled'],
    );
  });

  test('invalid input fails at once with InvalidInput', async () => {
    const cause = await failureOf(await start({ jobs: [], concurrency: 0 }));
    assert.ok(cause instanceof ApplicationFailure);
    assert.equal(cause.type, 'InvalidInput');
  });

  test('a very large batch continues as new between jobs, keeping ids, order and outcomes', async () => {
    const { tag, jobs } = batch([100, 150, 100, 200, 100, 120, 100].map((durationMs) => ({ durationMs })));
    const workflowId = uniqueId('jobs');
    const key = uniqueId('batch'); // children's ids from the input, not the workflow id: the history replays under any id
    // The second argument is the internal hand-over; a low event limit makes a small batch "very large".
    const handle = await stack.env.client.workflow.start(runComputeJobs, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [
        { jobs, concurrency: 2, failFast: false, key },
        { settled: [], continueAsNewAfterEvents: 40 },
      ],
    });
    const settled = (await handle.result()) as SettledComputeJob[];
    assert.deepEqual(
      settled.map((entry) => (entry.status === 'fulfilled' ? entry.value.job.jobId : entry.status)),
      jobs.map((_, index) => remoteJob(tag, index)?.jobId),
    );
    assert.equal(remoteJobs(tag).length, jobs.length, 'each job submitted once');
    const { runId } = await handle.describe();
    assert.notEqual(runId, handle.firstExecutionRunId, 'the batch continued as new');
    const view = await handle.query(runComputeJobsProgressQuery);
    assert.deepEqual([view.total, view.done, view.percent], [jobs.length, jobs.length, 100]);
    assert.deepEqual(
      view.jobs.map((job) => job.workflowId),
      jobs.map((_, index) => `evo-compute/emulator/job/${key}/${index}`),
    );
    await recordHistory(handle, 'jobs-continued-as-new');
  });

  test('no jobs: an empty list', async () => {
    const handle = await start({ jobs: [] });
    assert.deepEqual(await handle.result(), []);
    assert.equal((await handle.query(runComputeJobsProgressQuery)).percent, 100);
  });
});
