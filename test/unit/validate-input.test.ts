import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/common/job-url';
import { DEFAULT_POLL_SCHEDULE } from '../../src/common/poll-schedule';
import {
  DEFAULT_CANCEL_WAIT_MS,
  isInvalidInputError,
  validateComputeJobInput,
  validateComputeJobsInput,
} from '../../src/common/validate-input';
import { JOB_ID, ORG_ID } from '../helpers/ids';

const SUBMIT = { orgId: ORG_ID, topic: 'geostatistics', task: 'kriging', parameters: { blocks: 3 } };
const JOB = {
  orgId: ORG_ID,
  topic: 'geostatistics',
  task: 'kriging',
  jobId: JOB_ID,
  url: 'https://hub.test/s',
  preview: false,
};

test('a submit input: the job to submit apart, the options as given, durations in ms', () => {
  const valid = validateComputeJobInput({
    ...SUBMIT,
    preview: true,
    timeout: '1h',
    cancelWait: '5s',
    poll: { mode: 'timer' },
  });
  assert.deepEqual(valid.start, { submit: { ...SUBMIT, preview: true } });
  assert.deepEqual(valid.options, { timeout: '1h', cancelWait: '5s', poll: { mode: 'timer' } });
  assert.equal(valid.timeoutMs, 3_600_000);
  assert.equal(valid.cancelWaitMs, 5000);
  assert.equal(valid.schedule.mode, 'timer');
  assert.equal(valid.notifyParent, false);
  assert.equal(valid.resume, undefined);
});

test('an attach input and its continue-as-new state; on a continued run, options unknown to this version travel on', () => {
  const resume = { polls: 12, intervalMs: 30_000, searchAttributes: true, runs: 1, deadline: 1e12 };
  const valid = validateComputeJobInput({ job: JOB, notifyParent: true, futureOption: 1 }, resume);
  assert.deepEqual(valid.start, { job: JOB });
  assert.deepEqual(valid.options, { notifyParent: true, futureOption: 1 });
  assert.deepEqual(valid.schedule, DEFAULT_POLL_SCHEDULE);
  assert.equal(valid.cancelWaitMs, DEFAULT_CANCEL_WAIT_MS);
  assert.deepEqual(valid.resume, { ...resume, status: undefined });
});

test('every bad runComputeJob input is refused, naming the field', () => {
  for (const [input, field] of [
    [undefined, /^the input must be an object/],
    [[], /^the input must be an object/],
    [{}, /^orgId must be a UUID/],
    [{ job: null }, /^job must be a JobRef/],
    [{ job: { ...JOB, topic: '' } }, /^job\.topic/],
    [{ job: { ...JOB, url: 7 } }, /^job\.url/],
    [{ ...SUBMIT, parameters: 'x' }, /^parameters must be a JSON object/],
    [{ ...SUBMIT, timeout: 'banana' }, /^timeout must be a duration/],
    [{ ...SUBMIT, poll: { backoffCoefficient: 'x' } }, /^poll\.backoffCoefficient/],
    [{ ...SUBMIT, poll: { mode: 3 } }, /^poll\.mode/],
    [{ ...SUBMIT, notifyParent: 1 }, /^notifyParent must be true or false/],
    [{ ...SUBMIT, timeOut: '1h' }, /^timeOut is not a field of the input \(the fields are orgId, .*timeout/],
    [{ job: JOB, futureOption: 1 }, /^futureOption is not a field/],
    [{ ...SUBMIT, poll: { interval: '2s' } }, /^poll\.interval is not a field/],
  ] as const) {
    assert.throws(
      () => validateComputeJobInput(input),
      (err: Error) => isInvalidInputError(err) && field.test(err.message),
      JSON.stringify(input),
    );
  }
  assert.throws(() => validateComputeJobInput({ job: JOB }, { polls: 1 }), /resume\.intervalMs/);
  assert.throws(
    () =>
      validateComputeJobInput(
        { job: JOB },
        { polls: 1, intervalMs: 5, searchAttributes: false, runs: 1, status: { status: 'paused' } },
      ),
    /resume\.status/,
  );
});

test('runComputeJobs: defaults, and each job judged as runComputeJob would, by index', () => {
  assert.deepEqual(validateComputeJobsInput({ jobs: [SUBMIT] }), {
    jobs: [SUBMIT],
    concurrency: 4,
    failFast: true,
    key: undefined,
    taskQueue: undefined,
  });
  for (const [input, field] of [
    [null, /^the input must be an object/],
    [{ jobs: {} }, /^jobs must be an array/],
    [{ jobs: [SUBMIT, { ...SUBMIT, cancelWait: 'x' }] }, /^jobs\[1\]: cancelWait/],
    [{ jobs: [], concurrency: 1.5 }, /^concurrency/],
    [{ jobs: [], failFast: 0 }, /^failFast/],
    [{ jobs: [], key: ' ' }, /^key/],
    [{ jobs: [], concurency: 2 }, /^concurency is not a field/],
    [{ jobs: [{ ...SUBMIT, timeOut: 1 }] }, /^jobs\[0\]: timeOut is not a field/],
  ] as const) {
    assert.throws(
      () => validateComputeJobsInput(input),
      (err: Error) => err instanceof InvalidInputError && field.test(err.message),
      JSON.stringify(input),
    );
  }
});
