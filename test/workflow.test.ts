/**
 * `runComputeJob` on a real Temporal server (the dev server of the `temporal` CLI) against the
 * emulator: the paths a user relies on, including cancellation and a worker that dies mid-poll.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { request } from 'undici';
import { ComputeApiClient } from '../src/api/compute-api-client';
import { readComputeFailure } from '../src/common/failures';
import { progressQuery } from '../src/common/queries';
import type { RunComputeJobInput } from '../src/common/types';
import { exampleKrigingParameters } from '../src/emulator';
import { runComputeJob } from '../src/workflows';
import {
  failureOf,
  jobsTagged as jobsOf,
  testJob,
  withWorkerOn as withOwnWorker,
} from './helpers/compute-jobs';
import { recordHistory } from './helpers/histories';
import { ORG_ID } from './helpers/ids';
import { startSlowSubmitProxy } from './helpers/slow-proxy';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';
import { waitFor } from './helpers/wait';
import { runWorkerProcess, type WorkerProcess } from './helpers/worker-process';

const TOKEN = 'workflow-test-token';
const TASK_QUEUE = 'evo-compute-test';

const stack = useTestStack({ taskQueue: TASK_QUEUE, token: TOKEN, emulator: { taskDurationMs: 300 } });

function start(
  input: RunComputeJobInput,
  taskQueue = TASK_QUEUE,
): Promise<WorkflowHandle<typeof runComputeJob>> {
  return stack.env.client.workflow.start(runComputeJob, {
    taskQueue,
    workflowId: uniqueId('job'),
    args: [input],
  });
}

function jobsTagged(input: RunComputeJobInput) {
  return jobsOf(stack.emulator, input);
}

async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
  return metadata.currentDetails ?? '';
}

describe('runComputeJob', () => {
  test('runs a job to its results, reporting progress on the way', async () => {
    const input = testJob({ durationMs: 1500, steps: 3, results: { answer: 42 } });
    const handle = await start(input);
    const running = await waitFor('an in-progress poll', async () => {
      const view = await handle.query(progressQuery);
      return view.status?.status === 'in progress' ? view : undefined;
    });
    assert.equal(running.phase, 'running');
    assert.match(await currentDetails(handle), /^\[in progress\] \d+% > Step \d of 3$/);
    const { job, results } = await handle.result();
    assert.deepEqual(results, { answer: 42 });
    const [remote] = jobsTagged(input);
    assert.equal(job.jobId, remote?.jobId);
    assert.equal(remote?.status, 'succeeded');
    const done = await handle.query(progressQuery);
    assert.equal(done.phase, 'done');
    assert.ok(done.polls >= 2, `polls: ${done.polls}`);
    assert.equal(done.status?.status, 'succeeded');
    assert.equal(remote?.cancelRequests, 0);
    await recordHistory(handle, 'succeeded');
  });

  test('a failed job fails the workflow with JobFailed and its problem', async () => {
    const handle = await start(
      testJob({ durationMs: 200, fail: { title: 'Variogram invalid', detail: 'sill < 0' } }),
    );
    const cause = await failureOf(handle);
    assert.ok(cause instanceof ApplicationFailure);
    assert.equal(cause.type, 'JobFailed');
    assert.equal(cause.nonRetryable, true);
    const { details } = readComputeFailure(cause) ?? assert.fail('a typed failure');
    assert.equal(details.problem?.title, 'Variogram invalid');
    assert.equal(details.problem?.detail, 'sill < 0');
    await recordHistory(handle, 'job-failed');
  });

  test('a job cancelled by someone else ends the workflow with JobCancelled, without another DELETE', async () => {
    const input = testJob({ durationMs: 60_000, cancelDelayMs: 0 });
    const handle = await start(input);
    const remote = await waitFor('the job', () => jobsTagged(input)[0]);
    const url = `${stack.emulator.url}/compute/orgs/${ORG_ID}/emulator/job/${remote.jobId}`;
    const res = await request(url, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.statusCode, 204);
    const cause = await failureOf(handle);
    assert.ok(cause instanceof ApplicationFailure);
    assert.equal(cause.type, 'JobCancelled');
    assert.equal(stack.emulator.getJob(remote.jobId)?.cancelRequests, 1);
    await recordHistory(handle, 'cancelled-elsewhere');
  });

  test('cancelling the workflow while it polls cancels the remote job exactly once', async () => {
    const input = testJob({ durationMs: 60_000, cancelDelayMs: 300 });
    const handle = await start(input);
    await waitFor('two polls', async () => (await handle.query(progressQuery)).polls >= 2);
    await handle.cancel();
    const cause = await failureOf(handle);
    assert.ok(cause instanceof CancelledFailure, `expected CancelledFailure, got ${cause}`);
    const [remote] = jobsTagged(input);
    assert.equal(remote?.status, 'cancelled', 'the workflow waited for the remote job to reach cancelled');
    assert.equal(remote?.cancelRequests, 1);
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
    await recordHistory(handle, 'workflow-cancelled');
  });

  test('a cancel that arrives while submit is in flight still cancels the job submit creates', async () => {
    const proxy = await startSlowSubmitProxy(stack.emulator.url, 1500);
    await withWorkerOn(proxy.url, async (queue) => {
      const input = testJob({ durationMs: 60_000, cancelDelayMs: 0 });
      const handle = await start(input, queue);
      await waitFor('the POST to reach the service', () => proxy.postsArrived === 1);
      await handle.cancel();
      const cause = await failureOf(handle);
      assert.ok(cause instanceof CancelledFailure, `expected CancelledFailure, got ${cause}`);
      const jobs = jobsTagged(input);
      assert.equal(jobs.length, 1, 'one job was created');
      assert.equal(jobs[0]?.status, 'cancelled');
      assert.equal(jobs[0]?.cancelRequests, 1);
      await recordHistory(handle, 'cancelled-during-submit');
    }).finally(() => proxy.close());
  });

  test('timeout cancels the remote job and fails with JobTimedOut', async () => {
    const input = testJob({ durationMs: 60_000, cancelDelayMs: 0 }, { timeout: '1.5 seconds' });
    const handle = await start(input);
    const cause = await failureOf(handle);
    assert.ok(cause instanceof ApplicationFailure, `got ${cause}`);
    assert.equal(cause.type, 'JobTimedOut');
    const [remote] = jobsTagged(input);
    assert.equal(remote?.status, 'cancelled');
    assert.equal(remote?.cancelRequests, 1);
    await recordHistory(handle, 'timed-out');
  });

  test('attaches to a job submitted elsewhere and returns its results', async () => {
    const client = new ComputeApiClient({ baseUrl: stack.emulator.url, accessToken: TOKEN });
    try {
      const job = await client.submit({
        orgId: ORG_ID,
        topic: 'geostatistics',
        task: 'kriging',
        parameters: exampleKrigingParameters(ORG_ID),
        preview: true,
      });
      const posts = stack.emulator.counts.POST;
      const handle = await start({ job, pollInterval: 100 });
      const result = await handle.result();
      assert.deepEqual(result.job, job);
      assert.equal(result.results.message, 'Kriging complete');
      assert.equal(result.results.target.attribute.name, 'kriged_grade');
      assert.equal(stack.emulator.counts.POST, posts, 'attaching submits nothing');
      await recordHistory(handle, 'attached');
    } finally {
      await client.close();
    }
  });

  test('invalid input fails at once with InvalidInput', async () => {
    const handle = await start(testJob({}, { orgId: 'not-a-uuid' } as Partial<RunComputeJobInput>));
    const cause = await failureOf(handle);
    assert.ok(cause instanceof ApplicationFailure);
    assert.equal(cause.type, 'InvalidInput');
  });

  test('a worker killed mid-poll is replaced; the job completes with no second POST', async () => {
    const queue = uniqueId('killable');
    const workers = workerProcesses(queue, stack.emulator.url);
    const spawnWorker = workers.spawn;
    const input = testJob({ durationMs: 12_000, steps: 4 }, { pollInterval: 200 });
    const first = spawnWorker();
    let second: ChildProcess | undefined;
    try {
      const handle = await start(input, queue);
      await waitFor(
        'two polls on the first worker',
        async () => (await handle.query(progressQuery)).polls >= 2,
        60_000,
      );
      first.kill('SIGKILL');
      const pollsWhenKilled = (await handle.query(progressQuery).catch(() => undefined))?.polls;
      second = spawnWorker();
      const { results } = await handle.result();
      assert.deepEqual(Object.keys(results), ['echo']);
      const jobs = jobsTagged(input);
      assert.equal(jobs.length, 1, 'exactly one job was submitted');
      assert.equal(jobs[0]?.status, 'succeeded');
      const finalPolls = (await handle.query(progressQuery)).polls;
      assert.ok(
        pollsWhenKilled === undefined || finalPolls > pollsWhenKilled,
        'polling went on after the kill',
      );
      await recordHistory(handle, 'worker-killed');
    } catch (err) {
      console.error(workers.logs());
      throw err;
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
    }
  });

  test('a submit the service refused (503) is retried and creates one job', async () => {
    const proxy = await startSlowSubmitProxy(stack.emulator.url, 0, { refuseFirst: 1 });
    await withWorkerOn(proxy.url, async (queue) => {
      const input = testJob({ durationMs: 200 });
      const { results } = await (await start(input, queue)).result();
      assert.ok(results.echo);
      assert.equal(proxy.postsArrived, 2, 'refused once, then accepted');
      assert.equal(jobsTagged(input).length, 1);
    }).finally(() => proxy.close());
  });

  test('a worker killed while its submit is in flight: the retry refuses to submit again', async () => {
    const proxy = await startSlowSubmitProxy(stack.emulator.url, 15_000);
    const queue = uniqueId('killed-mid-submit');
    const workers = workerProcesses(queue, proxy.url);
    const first = workers.spawn();
    let second: ChildProcess | undefined;
    try {
      const handle = await start(testJob({ durationMs: 200 }), queue);
      await waitFor('the POST to reach the service', () => proxy.postsArrived === 1, 60_000);
      first.kill('SIGKILL');
      second = workers.spawn();
      const cause = await failureOf(handle);
      assert.ok(cause instanceof ApplicationFailure, String(cause));
      assert.equal(cause.type, 'SubmitUnconfirmed');
      assert.equal(proxy.postsArrived, 1, 'no second POST');
    } catch (err) {
      console.error(workers.logs());
      throw err;
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
      await proxy.close();
    }
  });
});

/** `evo-compute-worker` processes on `queue`, talking to `baseUrl`: real workers that a test can kill. */
function workerProcesses(queue: string, baseUrl: string) {
  const started: WorkerProcess[] = [];
  return {
    logs: () => started.map((worker) => worker.output()).join(''),
    spawn(): ChildProcess {
      const worker = runWorkerProcess({
        TEMPORAL_ADDRESS: stack.env.address,
        TEMPORAL_NAMESPACE: stack.env.namespace ?? 'default',
        EVO_COMPUTE_TASK_QUEUE: queue,
        EVO_BASE_URL: baseUrl,
        EVO_ACCESS_TOKEN: TOKEN,
      });
      started.push(worker);
      return worker.child;
    },
  };
}

/** Runs `body` with an in-process compute worker on a queue of its own that talks to `baseUrl`. */
function withWorkerOn(baseUrl: string, body: (queue: string) => Promise<void>): Promise<void> {
  return withOwnWorker(stack.env, { baseUrl, token: TOKEN }, body);
}
