/**
 * The polling activities on their own, over real HTTP to the emulator, in Temporal's activity test
 * environment: `evoComputeCheckJobStatus` (`retry` mode: one request per attempt, BENIGN waits) and
 * `evoComputeWaitForJob` (`heartbeat` mode: polls inside one attempt). Both hand back as soon as a
 * reading is worth recording and fetch the results with the poll that sees `succeeded`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, ApplicationFailureCategory, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createComputeActivities, type JobReading, type WaitForJobState } from '../src/activities';
import { readComputeFailure } from '../src/common/failures';
import { POLL_JITTER, resolvePollSchedule } from '../src/common/poll-schedule';
import type { JobRef } from '../src/common/types';
import { type ComputeEmulator, startComputeEmulator } from '../src/emulator';
import { startFaultProxy } from './helpers/fault-proxy';
import { JOB_ID, ORG_ID } from './helpers/ids';
import { problem, reply, startTestServer } from './helpers/test-server';

const quiet = { logger: new DefaultLogger('ERROR') };
let emulator: ComputeEmulator;
let acts: ReturnType<typeof createComputeActivities>;

before(async () => {
  emulator = await startComputeEmulator();
  acts = createComputeActivities({ baseUrl: emulator.url, accessToken: 'wait' });
});
after(() => emulator.close());

function submit(parameters: Record<string, unknown>): Promise<JobRef> {
  return new MockActivityEnvironment({}, quiet).run(() =>
    acts.evoComputeSubmitJob({ orgId: ORG_ID, topic: 'emulator', task: 'job', parameters }),
  );
}

function run(env: MockActivityEnvironment, body: () => Promise<JobReading>): Promise<JobReading> {
  return env.run<[], JobReading, () => Promise<JobReading>>(body);
}

// Intervals 40, 80, 160, … ms.
const schedule = resolvePollSchedule({ initialInterval: 40, backoffCoefficient: 2, maximumInterval: 1000 });
const requested = { status: 'requested' as const };

/** A job of the emulator's test task at another server's URL. */
function jobOn(url: string): JobRef {
  const path = `/compute/orgs/${ORG_ID}/emulator/job/${JOB_ID}/status`;
  return {
    orgId: ORG_ID,
    topic: 'emulator',
    task: 'job',
    jobId: JOB_ID,
    url: `${url}${path}`,
    preview: false,
  };
}

function statusRequests(job: JobRef): number {
  return emulator.getJob(job.jobId)?.statusRequests ?? 0;
}

/** The BENIGN wait an attempt of `checkJobStatus` ended with. */
async function stillRunning(attempt: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await attempt.then(
    () => assert.fail('the attempt returned'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure, String(err));
  assert.equal(err.type, 'JobStillRunning');
  assert.equal(err.category, ApplicationFailureCategory.BENIGN, 'no error log, no failure metric');
  assert.equal(err.nonRetryable, false);
  return err;
}

function assertJittered(delay: unknown, intervalMs: number): void {
  assert.equal(typeof delay, 'number');
  assert.ok(
    (delay as number) <= intervalMs && (delay as number) >= intervalMs * (1 - POLL_JITTER) - 1,
    `${delay} ms is not ${intervalMs} ms less up to ${POLL_JITTER * 100} %`,
  );
}

describe('evoComputeCheckJobStatus (retry mode)', () => {
  test('nothing new: the attempt fails BENIGN, retried after the grown, jittered interval, with the reading', async () => {
    const job = await submit({ queuedMs: 60_000, durationMs: 1000 });
    // Third attempt of a call that polled at once: the interval has grown twice, 40 → 160 ms.
    const env = new MockActivityEnvironment({ attempt: 3 }, quiet);
    const failure = await stillRunning(
      run(env, () =>
        acts.evoComputeCheckJobStatus({
          job,
          schedule,
          intervalMs: 40,
          polls: 4,
          last: requested,
          waitFirst: false,
        }),
      ),
    );
    assertJittered(failure.nextRetryDelay, 160);
    // Status, percent and poll count: the service's message is only in the details (plain in history otherwise).
    assert.match(failure.message, /^\[requested\] 0% \(poll 7; next in /);
    assert.equal(failure.stack, '', 'a wait is no error: no stack trace is captured or sent');
    assert.match(new Error('another').stack ?? '', /\n\s+at /, 'every other error keeps its stack trace');
    const details = readComputeFailure(failure)?.details;
    assert.equal(details?.status?.status, 'requested');
    assert.equal(details?.polls, 7);
    assert.equal(statusRequests(job), 1, 'one request per attempt');
  });

  test('waitFirst: the first attempt only waits (no request)', async () => {
    const job = await submit({ queuedMs: 60_000, durationMs: 1000 });
    const env = new MockActivityEnvironment({ attempt: 1 }, quiet);
    const failure = await stillRunning(
      run(env, () =>
        acts.evoComputeCheckJobStatus({
          job,
          schedule,
          intervalMs: 80,
          polls: 2,
          last: requested,
          waitFirst: true,
        }),
      ),
    );
    assertJittered(failure.nextRetryDelay, 80);
    assert.equal(statusRequests(job), 0);
  });

  test('hands back the first reading that moves the status', async () => {
    const job = await submit({ queuedMs: 0, durationMs: 60_000 });
    const reading = await run(new MockActivityEnvironment({ attempt: 2 }, quiet), () =>
      acts.evoComputeCheckJobStatus({
        job,
        schedule,
        intervalMs: 40,
        polls: 3,
        last: requested,
        waitFirst: true,
      }),
    );
    assert.equal(reading.progress.status, 'in progress');
    // Attempt 2 after one wait: the first poll of the call, the 4th in all; the interval grew once.
    assert.deepEqual({ polls: reading.polls, intervalMs: reading.intervalMs }, { polls: 4, intervalMs: 80 });
    assert.equal(reading.results, undefined);
  });

  test('the poll that sees succeeded returns the results with it', async () => {
    const job = await submit({ durationMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const reading = await run(new MockActivityEnvironment({ attempt: 1 }, quiet), () =>
      acts.evoComputeCheckJobStatus({
        job,
        schedule,
        intervalMs: 40,
        polls: 0,
        last: { status: 'in progress', progress: 50 },
        waitFirst: false,
      }),
    );
    assert.equal(reading.progress.status, 'succeeded');
    assert.ok(reading.results?.echo, 'results fetched by the same step');
    assert.equal(emulator.getJob(job.jobId)?.resultsRequests, 1);
  });
});

describe('evoComputeCheckJobStatus: heartbeats and failed requests', () => {
  const input = (job: JobRef) => ({
    job,
    schedule,
    intervalMs: 40,
    polls: 4,
    last: requested,
    waitFirst: false,
  });

  test('a quick poll sends no heartbeat; one whose answer is slow heartbeats until it ends', async () => {
    const job = await submit({ queuedMs: 60_000, durationMs: 1000 });
    const quick = new MockActivityEnvironment({ attempt: 3, heartbeatTimeoutMs: 5_000 }, quiet);
    const quickBeats: unknown[] = [];
    quick.on('heartbeat', (details: unknown) => quickBeats.push(details));
    await stillRunning(run(quick, () => acts.evoComputeCheckJobStatus(input(job))));
    assert.equal(quickBeats.length, 0, 'a heartbeat is a billable action: none on a quick poll');

    // The same poll through a proxy that answers after 400 ms; heartbeat timeout 300 ms (a beat
    // after 100 ms, then every 100 ms in the test environment, which does not throttle).
    const proxy = await startFaultProxy(emulator.url, async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return undefined;
    });
    try {
      const slowActs = createComputeActivities({ baseUrl: proxy.url, accessToken: 'wait' });
      const slow = new MockActivityEnvironment({ attempt: 3, heartbeatTimeoutMs: 300 }, quiet);
      const slowBeats: unknown[] = [];
      slow.on('heartbeat', (details: unknown) => slowBeats.push(details));
      const viaProxy = { ...job, url: job.url.replace(emulator.url, proxy.url) };
      await stillRunning(run(slow, () => slowActs.evoComputeCheckJobStatus(input(viaProxy))));
      assert.ok(slowBeats.length >= 2, `heartbeats while the answer was slow: ${slowBeats.length}`);
    } finally {
      await proxy.close();
    }
  });

  test('a failed request is retried on the schedule, or after Retry-After when that is longer', async () => {
    for (const [retryAfter, delay] of [
      [undefined, 160],
      ['7', 7000],
    ] as const) {
      const server = await startTestServer((_req, res) =>
        reply(res, 503, problem(503, 'Busy'), retryAfter ? { 'retry-after': retryAfter } : {}),
      );
      try {
        const failing = createComputeActivities({ baseUrl: server.url, accessToken: 'wait' });
        const job = jobOn(server.url);
        // Attempt 3: the interval has grown twice, 40 → 160 ms, as for a quiet poll.
        const err = await run(new MockActivityEnvironment({ attempt: 3 }, quiet), () =>
          failing.evoComputeCheckJobStatus(input(job)),
        ).then(
          () => assert.fail('the attempt returned'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof ApplicationFailure, String(err));
        assert.equal(err.type, 'ServerError');
        if (retryAfter) assert.equal(err.nextRetryDelay, delay);
        else assertJittered(err.nextRetryDelay, delay);
      } finally {
        await server.close();
      }
    }
  });
});

describe('evoComputeWaitForJob (heartbeat mode)', () => {
  test('polls while nothing changes, the reading on the heartbeat; hands back at a new status', async () => {
    const job = await submit({ queuedMs: 400, durationMs: 60_000 });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 }, quiet);
    const beats: WaitForJobState[] = [];
    env.on('heartbeat', (details: WaitForJobState) => beats.push(structuredClone(details)));
    const reading = await run(env, () =>
      acts.evoComputeWaitForJob({ job, schedule, intervalMs: 40, polls: 5, last: requested }),
    );
    assert.equal(reading.progress.status, 'in progress');
    assert.ok(reading.polls >= 8, `${reading.polls} polls`); // at 0, ~40, ~120, ~280 ms, …
    const queued = beats.filter((beat) => beat.progress?.status === 'requested');
    assert.ok(queued.length > 0, 'the readings in between are on the heartbeats');
  });

  test('hands back the first reading when the workflow has none', async () => {
    const job = await submit({ queuedMs: 60_000, durationMs: 1000 });
    const reading = await run(new MockActivityEnvironment({}, quiet), () =>
      acts.evoComputeWaitForJob({ job, schedule, intervalMs: 40, polls: 0 }),
    );
    assert.deepEqual(
      { status: reading.progress.status, polls: reading.polls },
      { status: 'requested', polls: 1 },
    );
  });

  test('the poll that sees succeeded returns the results with it', async () => {
    const job = await submit({ durationMs: 100 });
    const reading = await run(new MockActivityEnvironment({}, quiet), () =>
      // The first poll, after one wait (at least 240 ms), finds the 100 ms job ended.
      acts.evoComputeWaitForJob({
        job,
        schedule,
        intervalMs: 300,
        polls: 0,
        last: { status: 'in progress', progress: 0 },
        waitFirst: true,
      }),
    );
    assert.equal(reading.progress.status, 'succeeded');
    assert.ok(reading.results?.echo);
    assert.equal(emulator.getJob(job.jobId)?.resultsRequests, 1);
  });

  test('a retried attempt resumes from the last heartbeat: poll count and interval go on', async () => {
    const job = await submit({ queuedMs: 0, durationMs: 60_000 });
    const resumed: WaitForJobState = {
      polls: 41,
      intervalMs: 80,
      progress: { status: 'requested' },
      waitFirst: true,
    };
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: resumed }, quiet);
    const reading = await run(env, () =>
      acts.evoComputeWaitForJob({ job, schedule, intervalMs: 40, polls: 0, last: requested }),
    );
    // Polls at once (the gap since the lost attempt is unknown): the 42nd, now in progress.
    assert.deepEqual({ polls: reading.polls, intervalMs: reading.intervalMs }, { polls: 42, intervalMs: 80 });
    assert.equal(statusRequests(job), 1);
  });

  test('a cancel stops it at once, mid-wait', async () => {
    const job = await submit({ durationMs: 60_000 });
    const env = new MockActivityEnvironment({}, quiet);
    const waiting = env.run(() =>
      acts.evoComputeWaitForJob({
        job,
        schedule: resolvePollSchedule({ initialInterval: 10_000, mode: 'heartbeat' }),
        intervalMs: 10_000,
        polls: 0,
        last: { status: 'in progress', progress: 0 },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    env.cancel();
    await assert.rejects(waiting, (err: unknown) => err instanceof CancelledFailure);
    assert.equal(statusRequests(job), 1, 'did not poll again after the cancel');
  });
});
