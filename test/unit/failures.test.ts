import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { toActivityFailure } from '../../src/activities/failure';
import { checkResultsSize } from '../../src/activities/results-size';
import { ComputeApiError } from '../../src/api/errors';
import {
  ComputeFailureType,
  computeFailure,
  NON_RETRYABLE_FAILURE_TYPES,
  RESULTS_LIMIT_BYTES,
  RETRYABLE_FAILURE_TYPES,
  readComputeFailure,
} from '../../src/common/failures';
import { JOB_ID, ORG_ID } from '../helpers/ids';

const JOB = {
  orgId: ORG_ID,
  topic: 'geostatistics',
  task: 'kriging',
  jobId: JOB_ID,
  url: 'https://hub.test/s',
  preview: false,
};

test('every failure type is either retried or not, and only the transient ones are retried', () => {
  assert.deepEqual([...RETRYABLE_FAILURE_TYPES].sort(), [
    'AccessTokenUnavailable',
    'JobPending',
    'JobStillRunning',
    'NetworkError',
    'RateLimited',
    'ServerError',
  ]);
  assert.equal(
    NON_RETRYABLE_FAILURE_TYPES.length + RETRYABLE_FAILURE_TYPES.size,
    Object.keys(ComputeFailureType).length,
  );
  assert.ok(NON_RETRYABLE_FAILURE_TYPES.includes('ResultsTooLarge'));
});

test('computeFailure raises a typed failure whose retry flag follows the table', () => {
  const retried = computeFailure(
    ComputeFailureType.ServerError,
    'HTTP 502',
    { httpStatus: 502 },
    { nextRetryDelay: 2000 },
  );
  assert.equal(retried.type, 'ServerError');
  assert.equal(retried.nonRetryable, false);
  assert.equal(retried.nextRetryDelay, 2000);
  assert.deepEqual(retried.details, [{ httpStatus: 502 }]);
  const final = computeFailure(ComputeFailureType.ServerError, 'x', {}, { nonRetryable: true });
  assert.equal(final.nonRetryable, true);
  assert.equal(final.details, undefined, 'no empty details');
  assert.equal(computeFailure(ComputeFailureType.JobFailed, 'x', { job: undefined }).details, undefined);
});

test('readComputeFailure finds the typed failure however it is wrapped, and reads its details back', () => {
  const failure = computeFailure(ComputeFailureType.JobFailed, 'job failed: Bad sill', {
    job: JOB,
    problem: { type: 't', title: 'Bad sill' },
  });
  const activity = new ActivityFailure(
    'a',
    'evoComputeGetJobResults',
    'id',
    RetryState.NON_RETRYABLE_FAILURE,
    '',
    failure,
  );
  const child = new ChildWorkflowFailure(
    'default',
    { workflowId: 'w', runId: 'r' },
    'runComputeJob',
    RetryState.NON_RETRYABLE_FAILURE,
    activity,
  );
  const outer = new Error('workflow failed', { cause: child });
  for (const err of [failure, activity, child, outer]) {
    const read = readComputeFailure(err);
    assert.equal(read?.type, 'JobFailed');
    assert.equal(read?.message, 'job failed: Bad sill');
    assert.equal(read?.details.problem?.title, 'Bad sill');
    assert.equal(read?.details.job?.jobId, JOB_ID);
  }
  assert.equal(readComputeFailure(new Error('plain')), undefined);
  assert.equal(readComputeFailure(ApplicationFailure.create({ type: 'SomethingElse' })), undefined);
  assert.equal(readComputeFailure('not an error'), undefined);
});

test('details of the wrong shape are dropped, not trusted', () => {
  const raw = ApplicationFailure.create({
    type: 'JobFailed',
    details: [
      {
        job: 'x',
        problem: { title: 5 },
        httpStatus: '500',
        body: 'b',
        fields: [{ path: '$.a', message: 'm' }, 3],
      },
    ],
  });
  assert.deepEqual(readComputeFailure(raw)?.details, { body: 'b', fields: [{ path: '$.a', message: 'm' }] });
});

test('the HTTP client errors become activity failures of the same type', () => {
  const failure = toActivityFailure(
    new ComputeApiError(ComputeFailureType.RateLimited, 'HTTP 429', { status: 429, retryAfterMs: 5000 }),
  );
  assert.ok(failure instanceof ApplicationFailure);
  assert.equal(failure.type, 'RateLimited');
  assert.equal(failure.nonRetryable, false);
  assert.equal(failure.nextRetryDelay, 5000);
  assert.deepEqual(readComputeFailure(failure)?.details, { httpStatus: 429, retryAfterMs: 5000 });
  const other = new TypeError('bug');
  assert.equal(toActivityFailure(other), other, 'anything else passes as it is');
});

test('results over the payload limit are ResultsTooLarge, with the size, the limit and what to do', () => {
  const small = { grid: 'x'.repeat(100) };
  assert.equal(checkResultsSize(JOB, small), small);
  const big = { grid: 'x'.repeat(3 * 1024 * 1024) };
  assert.throws(
    () => checkResultsSize(JOB, big),
    (err: Error) => {
      const read = readComputeFailure(err);
      assert.equal(read?.type, 'ResultsTooLarge');
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
      assert.match(err.message, /3 MiB, over the 1\.9 MiB/);
      assert.match(err.message, /read them from the service directly/);
      assert.equal(read?.details.limitBytes, RESULTS_LIMIT_BYTES);
      assert.ok((read?.details.sizeBytes ?? 0) > RESULTS_LIMIT_BYTES);
      assert.equal(read?.details.job?.jobId, JOB_ID);
      return true;
    },
  );
});
