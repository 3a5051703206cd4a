/**
 * The `waitForJob` activity on its own, over real HTTP to the emulator, in Temporal's activity
 * test environment: what it heartbeats, how a retried attempt resumes, and that a cancel stops it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createComputeActivities, type WaitForJobState } from '../src/activities';
import { resolvePollSchedule } from '../src/common/poll-schedule';
import type { JobRef } from '../src/common/types';
import { type ComputeEmulator, startComputeEmulator } from '../src/emulator';
import { ORG_ID } from './helpers/ids';

const quiet = { logger: new DefaultLogger('ERROR') };
let emulator: ComputeEmulator;
let acts: ReturnType<typeof createComputeActivities>;

before(async () => {
  emulator = await startComputeEmulator();
  acts = createComputeActivities({ baseUrl: emulator.url, accessToken: 'wait' });
});
after(() => emulator.close());

type WaitResult = Required<WaitForJobState>;

function submit(parameters: Record<string, unknown>): Promise<JobRef> {
  return new MockActivityEnvironment({}, quiet).run(() =>
    acts.evoComputeSubmitJob({ orgId: ORG_ID, topic: 'emulator', task: 'job', parameters }),
  );
}

// Intervals 40, 80, 160, …: polls inside the activity while below 150 ms.
const schedule = resolvePollSchedule({
  initialInterval: 40,
  backoffCoefficient: 2,
  maximumInterval: 1000,
  timerThreshold: 150,
});

test('auto mode: polls while the interval is short, heartbeating each reading, then hands back', async () => {
  const job = await submit({ durationMs: 60_000 });
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 5000 }, quiet);
  const beats: WaitForJobState[] = [];
  env.on('heartbeat', (details: WaitForJobState) => beats.push(structuredClone(details)));
  const result: WaitResult = await env.run<[], WaitResult, () => Promise<WaitResult>>(() =>
    acts.evoComputeWaitForJob({ job, schedule, intervalMs: 40, polls: 5 }),
  );
  // Polls at 0, +40, +80 ms; the next interval (160 ms) belongs on a timer.
  assert.deepEqual(
    { polls: result.polls, intervalMs: result.intervalMs, status: result.progress.status },
    {
      polls: 8,
      intervalMs: 160,
      status: 'in progress',
    },
  );
  const readings = beats.filter((beat) => beat.progress);
  assert.deepEqual(
    readings.map((beat) => beat.polls),
    [6, 7, 8],
  );
  assert.ok(readings.every((beat) => beat.progress?.status === 'in progress'));
});

test('returns as soon as the job ends', async () => {
  const job = await submit({ durationMs: 100 });
  const result: WaitResult = await new MockActivityEnvironment({}, quiet).run<
    [],
    WaitResult,
    () => Promise<WaitResult>
  >(() =>
    acts.evoComputeWaitForJob({
      job,
      schedule: resolvePollSchedule({ initialInterval: 30, mode: 'heartbeat' }),
      intervalMs: 30,
      polls: 0,
    }),
  );
  assert.equal(result.progress.status, 'succeeded');
  assert.ok(result.polls >= 2);
});

test('a retried attempt resumes from the last heartbeat: poll count and interval go on', async () => {
  const job = await submit({ durationMs: 60_000 });
  const resumed: WaitForJobState = {
    polls: 41,
    intervalMs: 80,
    progress: { status: 'in progress', progress: 12 },
  };
  const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: resumed }, quiet);
  const result: WaitResult = await env.run<[], WaitResult, () => Promise<WaitResult>>(() =>
    acts.evoComputeWaitForJob({ job, schedule, intervalMs: 40, polls: 0 }),
  );
  // From the heartbeat: poll (42), wait 80 ms, poll (43), next interval 160 ms is a timer's.
  assert.equal(result.polls, 43);
  assert.equal(result.intervalMs, 160);
  assert.equal(emulator.getJob(job.jobId)?.statusRequests, 2);
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
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  const cancelledAt = Date.now();
  env.cancel();
  await assert.rejects(waiting, (err: unknown) => err instanceof CancelledFailure);
  assert.ok(Date.now() - cancelledAt < 5000, 'did not sit out the 10 s interval');
  assert.equal(emulator.getJob(job.jobId)?.statusRequests, 1);
});
