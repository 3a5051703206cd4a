/**
 * The ways a compute job can go wrong, on a real Temporal server against the emulator (behind a
 * proxy that corrupts its answers where a test needs it): bad workflow input ends at once with
 * `InvalidInput` and never fails a workflow task; a workflow that fails while its job may still run
 * cancels the remote job; a malformed `Location` and results too large for Temporal end in typed,
 * non-retryable failures on the first attempt.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ComputeApiClient } from '../src/api/compute-api-client';
import { RESULTS_LIMIT_BYTES, readComputeFailure } from '../src/common/failures';
import type { RunComputeJobInput } from '../src/common/types';
import { failureOf, jobsTagged, testJob, withWorkerOn } from './helpers/compute-jobs';
import { isResultsRequest, isStatusPoll, type ProxiedReply, startFaultProxy } from './helpers/fault-proxy';
import { recordHistory } from './helpers/histories';
import { eventTypes } from './helpers/history';
import { JOB_ID, ORG_ID } from './helpers/ids';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';

const TOKEN = 'failure-paths-token';
const TASK_QUEUE = 'evo-compute-failure-paths';

const stack = useTestStack({ taskQueue: TASK_QUEUE, token: TOKEN });

function startWorkflow(
  type: string,
  args: unknown[],
  taskQueue = TASK_QUEUE,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  return stack.env.client.workflow.start(type, { taskQueue, workflowId: uniqueId(type), args });
}

async function typedFailure(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const cause = await failureOf(handle);
  assert.ok(cause instanceof ApplicationFailure, `expected an ApplicationFailure, got ${cause}`);
  return cause;
}

const JOB = {
  orgId: ORG_ID,
  topic: 'emulator',
  task: 'job',
  jobId: JOB_ID,
  url: `http://127.0.0.1:1/compute/orgs/${ORG_ID}/emulator/job/${JOB_ID}/status`,
  preview: false,
};
const SUBMIT = { orgId: ORG_ID, topic: 'emulator', task: 'job', parameters: {} };

/** Bad `runComputeJob` inputs, each with the field its failure must name. */
const BAD_JOB_INPUTS: [string, unknown[], RegExp][] = [
  ['no argument', [], /input must be an object/],
  ['null', [null], /input must be an object/],
  ['a string', ['kriging'], /input must be an object/],
  ['an array', [[SUBMIT]], /input must be an object/],
  ['an empty object', [{}], /orgId/],
  ['job not an object', [{ job: 'https://x/status' }], /job must be a JobRef/],
  ['job.jobId not a UUID', [{ job: { ...JOB, jobId: '42' } }], /job\.jobId/],
  ['job.url missing', [{ job: { ...JOB, url: undefined } }], /job\.url/],
  ['job.preview not a boolean', [{ job: { ...JOB, preview: 'yes' } }], /job\.preview/],
  ['orgId not a UUID', [{ ...SUBMIT, orgId: 'acme' }], /orgId/],
  ['topic empty', [{ ...SUBMIT, topic: '' }], /topic/],
  ['task "..', [{ ...SUBMIT, task: '..' }], /task/],
  ['parameters an array', [{ ...SUBMIT, parameters: [1] }], /parameters/],
  ['parameters missing', [{ ...SUBMIT, parameters: undefined }], /parameters/],
  ['timeout not a duration', [{ ...SUBMIT, timeout: 'banana' }], /timeout/],
  ['timeout negative', [{ ...SUBMIT, timeout: -5 }], /timeout/],
  ['cancelWait not a duration', [{ ...SUBMIT, cancelWait: 'soon' }], /cancelWait/],
  ['pollInterval not a duration', [{ ...SUBMIT, pollInterval: 'often' }], /pollInterval/],
  ['poll not an object', [{ ...SUBMIT, poll: 'fast' }], /poll must be an object/],
  ['poll.initialInterval zero', [{ ...SUBMIT, poll: { initialInterval: 0 } }], /poll\.initialInterval/],
  [
    'poll.initialInterval not a duration',
    [{ ...SUBMIT, poll: { initialInterval: 'x' } }],
    /poll\.initialInterval/,
  ],
  [
    'poll.maximumInterval below initial',
    [{ ...SUBMIT, poll: { initialInterval: '5s', maximumInterval: '1s' } }],
    /poll\.maximumInterval/,
  ],
  [
    'poll.backoffCoefficient a string',
    [{ ...SUBMIT, poll: { backoffCoefficient: '2' } }],
    /poll\.backoffCoefficient/,
  ],
  [
    'poll.backoffCoefficient below 1',
    [{ ...SUBMIT, poll: { backoffCoefficient: 0.5 } }],
    /poll\.backoffCoefficient/,
  ],
  ['poll.mode unknown', [{ ...SUBMIT, poll: { mode: 'sometimes' } }], /poll\.mode/],
  [
    'poll.mode auto (gone)',
    [{ ...SUBMIT, poll: { mode: 'auto' } }],
    /poll\.mode must be retry, heartbeat, sparse or timer/,
  ],
  ['notifyParent not a boolean', [{ ...SUBMIT, notifyParent: 'yes' }], /notifyParent/],
  ['a misspelt option', [{ ...SUBMIT, timeOut: '1h' }], /timeOut is not a field of the input/],
  ['preview not a boolean', [{ ...SUBMIT, preview: 1 }], /preview/],
  ['resume not an object', [{ job: JOB }, 'again'], /resume/],
  [
    'resume.polls negative',
    [{ job: JOB }, { polls: -1, intervalMs: 1000, searchAttributes: false, runs: 1 }],
    /resume\.polls/,
  ],
];

/** Bad `runComputeJobs` inputs. */
const BAD_JOBS_INPUTS: [string, unknown[], RegExp][] = [
  ['no argument', [], /input must be an object/],
  ['jobs missing', [{}], /jobs must be an array/],
  ['jobs not an array', [{ jobs: SUBMIT }], /jobs must be an array/],
  ['a job not an object', [{ jobs: [SUBMIT, 7] }], /jobs\[1\]: the input must be an object/],
  ['a job with a bad timeout', [{ jobs: [{ ...SUBMIT, timeout: 'banana' }] }], /jobs\[0\]: timeout/],
  ['a job with a bad schedule', [{ jobs: [{ ...SUBMIT, poll: { mode: 'x' } }] }], /jobs\[0\]: poll\.mode/],
  ['concurrency zero', [{ jobs: [], concurrency: 0 }], /concurrency/],
  ['concurrency a string', [{ jobs: [], concurrency: '4' }], /concurrency/],
  ['failFast not a boolean', [{ jobs: [], failFast: 'no' }], /failFast/],
  ['key empty', [{ jobs: [], key: '' }], /key/],
  ['taskQueue not a string', [{ jobs: [], taskQueue: 5 }], /taskQueue/],
];

describe('bad workflow input', () => {
  for (const [workflowType, cases] of [
    ['runComputeJob', BAD_JOB_INPUTS],
    ['runComputeJobs', BAD_JOBS_INPUTS],
  ] as const) {
    test(`${workflowType}: every bad input fails at once with InvalidInput naming the field`, async () => {
      const posts = stack.emulator.counts.POST;
      const outcomes = await Promise.all(
        cases.map(async ([name, args, field]) => {
          const handle = await startWorkflow(workflowType, args);
          const failure = await typedFailure(handle);
          const events = await eventTypes(handle);
          if (name === 'no argument') await recordHistory(handle, `${workflowType}-invalid-input`);
          return { name, field, failure, events };
        }),
      );
      for (const { name, field, failure, events } of outcomes) {
        assert.equal(failure.type, 'InvalidInput', `${name}: ${failure.message}`);
        assert.equal(failure.nonRetryable, true, name);
        assert.match(failure.message, field, name);
        assert.ok(!events.includes('WORKFLOW_TASK_FAILED'), `${name}: a workflow task failed`);
        assert.ok(!events.includes('ACTIVITY_TASK_SCHEDULED'), `${name}: an activity ran`);
      }
      assert.equal(stack.emulator.counts.POST, posts, 'nothing was submitted');
    });
  }
});

/** A status body the client cannot read, or a status answer it must not retry. */
const BROKEN_STATUS: [string, ProxiedReply][] = [
  [
    'a body that is not JSON',
    { status: 202, headers: { 'content-type': 'application/json' }, body: '{"status": "in progr' },
  ],
  [
    'an HTML page with 200',
    { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Maintenance</html>' },
  ],
  [
    'an unknown status',
    { status: 202, headers: { 'content-type': 'application/json' }, body: '{"status":"paused"}' },
  ],
  [
    'a 403',
    {
      status: 403,
      headers: { 'content-type': 'application/problem+json' },
      body: JSON.stringify({ type: 'https://errors.test/403', title: 'Forbidden', status: 403 }),
    },
  ],
];

/** Runs `input` through a proxy whose status answers are replaced by `broken` from the second poll on. */
async function withBrokenStatus(
  broken: ProxiedReply | ((poll: number) => ProxiedReply | undefined),
  body: (queue: string) => Promise<void>,
): Promise<{ statusPolls: number }> {
  let polls = 0;
  const proxy = await startFaultProxy(stack.emulator.url, (req) => {
    if (!isStatusPoll(req)) return undefined;
    polls++;
    if (typeof broken === 'function') return broken(polls);
    return polls >= 2 ? broken : undefined;
  });
  try {
    await withWorkerOn(stack.env, { baseUrl: proxy.url, token: TOKEN }, body);
  } finally {
    await proxy.close();
  }
  return { statusPolls: polls };
}

describe('no orphaned remote jobs', () => {
  for (const [what, broken] of BROKEN_STATUS) {
    for (const [mode, options] of [
      ['timer', { pollInterval: 100 }],
      ['heartbeat', { pollInterval: undefined, poll: { mode: 'heartbeat', initialInterval: 100 } }],
      ['retry', { pollInterval: undefined, poll: { mode: 'retry', initialInterval: 100 } }],
      ['retry', { pollInterval: undefined, poll: { mode: 'retry', initialInterval: 100 } }],
    ] as const) {
      test(`${what} (${mode} polling) fails the workflow and cancels the remote job`, async () => {
        const input = testJob(
          { durationMs: 120_000, cancelDelayMs: 0 },
          options as Partial<RunComputeJobInput>,
        );
        let handle: WorkflowHandle | undefined;
        await withBrokenStatus(broken, async (queue) => {
          handle = await startWorkflow('runComputeJob', [input], queue);
          const failure = await typedFailure(handle);
          assert.equal(failure.type, broken.status === 403 ? 'Forbidden' : 'UnknownResponse');
          assert.equal(failure.nonRetryable, true);
          assert.match(failure.message, /the remote job was cancelled/);
        });
        const [remote] = jobsTagged(stack.emulator, input);
        assert.equal(remote?.status, 'cancelled', 'the remote job is not left running');
        if (handle && mode === 'timer' && what === BROKEN_STATUS[0]?.[0]) {
          await recordHistory(handle, 'failure-cancels-job');
        }
        assert.equal(remote?.cancelRequests, 1, 'one DELETE');
      });
    }
  }

  test('one unreadable status body is asked for again, not believed', async () => {
    const input = testJob({ durationMs: 1500, results: { answer: 42 } });
    const garbage = { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>502</html>' };
    const { statusPolls } = await withBrokenStatus(
      (poll) => (poll === 2 ? garbage : undefined),
      async (queue) => {
        const handle = await startWorkflow('runComputeJob', [input], queue);
        assert.deepEqual((await handle.result()).results, { answer: 42 });
      },
    );
    assert.ok(statusPolls >= 3);
    const [remote] = jobsTagged(stack.emulator, input);
    assert.equal(remote?.status, 'succeeded');
    assert.equal(remote?.cancelRequests, 0);
  });
});

describe('typed failures on the first attempt', () => {
  test('a Location the URL parser cannot read is UnknownResponse, with one POST', async () => {
    let posts = 0;
    const proxy = await startFaultProxy(stack.emulator.url, (req, reply) => {
      if (req.method !== 'POST') return undefined;
      posts++;
      const location = reply.headers.location ?? '';
      // A port followed by a host name: `new URL` throws on it.
      return {
        ...reply,
        headers: { ...reply.headers, location: location.replace(/:(\d+)\//, ':$1evil.test/') },
      };
    });
    try {
      await withWorkerOn(stack.env, { baseUrl: proxy.url, token: TOKEN }, async (queue) => {
        const handle = await startWorkflow('runComputeJob', [testJob({ durationMs: 100 })], queue);
        const failure = await typedFailure(handle);
        assert.equal(failure.type, 'UnknownResponse', failure.message);
        assert.match(failure.message, /Location/);
        const events = await eventTypes(handle);
        assert.equal(events.filter((type) => type === 'ACTIVITY_TASK_STARTED').length, 1, 'one attempt');
      });
    } finally {
      await proxy.close();
    }
    assert.equal(posts, 1);
  });

  for (const [mode, options] of [
    ['timer', { pollInterval: 100 }],
    ['default', { pollInterval: undefined }],
  ] as const) {
    test(`results over the payload limit fail with ResultsTooLarge after one download (${mode} polling)`, async () => {
      let downloads = 0;
      const huge = JSON.stringify({ status: 'succeeded', results: { grid: 'x'.repeat(3 * 1024 * 1024) } });
      const proxy = await startFaultProxy(stack.emulator.url, (req, reply) => {
        if (!isResultsRequest(req) || reply.status !== 200) return undefined;
        downloads++;
        return { ...reply, body: huge };
      });
      const input = testJob({ durationMs: 200 }, options);
      try {
        await withWorkerOn(stack.env, { baseUrl: proxy.url, token: TOKEN }, async (queue) => {
          const handle = await startWorkflow('runComputeJob', [input], queue);
          const failure = await typedFailure(handle);
          assert.equal(failure.type, 'ResultsTooLarge');
          assert.doesNotMatch(
            failure.message,
            /remote job was cancelled/,
            'a finished job is not said to be cancelled',
          );
          if (mode === 'timer') await recordHistory(handle, 'results-too-large');
          assert.equal(failure.nonRetryable, true);
          assert.match(failure.message, /3 MiB/);
          assert.match(
            failure.message,
            new RegExp(`${Math.floor(RESULTS_LIMIT_BYTES / 1024 / 1024)}\\.\\d MiB`),
          );
          assert.equal(readComputeFailure(failure)?.details.limitBytes, RESULTS_LIMIT_BYTES);
        });
      } finally {
        await proxy.close();
      }
      assert.equal(downloads, 1, 'downloaded once, not at every retry');
      const [remote] = jobsTagged(stack.emulator, input);
      assert.equal(remote?.status, 'succeeded');
      assert.equal(remote?.cancelRequests, 0, 'a finished job is not cancelled');
    });
  }
});

describe('continue-as-new', () => {
  test('a continued run keeps the deadline and the poll count it was handed, and still cancels its job', async () => {
    const client = new ComputeApiClient({ baseUrl: stack.emulator.url, accessToken: TOKEN });
    const job = await client
      .submit({
        orgId: ORG_ID,
        topic: 'emulator',
        task: 'job',
        parameters: { durationMs: 300_000, cancelDelayMs: 0 },
      })
      .finally(() => client.close());
    // What a run hands to the next: its deadline (3 s from now), polls so far, the next interval.
    const resume = {
      polls: 40,
      intervalMs: 200,
      deadline: Date.now() + 3000,
      searchAttributes: false,
      runs: 1,
    };
    const handle = await startWorkflow('runComputeJob', [{ job, pollInterval: 200, timeout: '1h' }, resume]);
    const failure = await typedFailure(handle);
    assert.equal(failure.type, 'JobTimedOut', 'the carried deadline, not a new hour from this run');
    const view = (await handle.query('progress')) as { polls: number };
    assert.ok(view.polls > 40, `polls went on from the carried count: ${view.polls}`);
    assert.equal(stack.emulator.getJob(job.jobId)?.status, 'cancelled');
    assert.equal(stack.emulator.getJob(job.jobId)?.cancelRequests, 1);
  });
});
