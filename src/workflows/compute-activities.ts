/**
 * The activity stubs `runComputeJob` calls, with their timeouts and retry policies. Each HTTP
 * request is bounded by the client's own timeouts (connect 10 s, headers 30 s, body 60 s), so
 * `startToCloseTimeout` only catches what those cannot; a heartbeat timeout notices a dead worker
 * within seconds rather than minutes.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ComputeActivities } from '../activities';
import { DEFAULT_WAIT_MAX_DURATION_MS } from '../common/poll-schedule';

/** Status and results are reads: safe to retry, with no attempt limit so that an outage of the service does not fail a job that runs for days. */
export const READ_RETRY = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
} as const;

/**
 * Submit: a few retries for failures that certainly created no job (refused connection, 429,
 * 503); everything ambiguous is `SubmitUnconfirmed` and not retried.
 */
export const submitActivities = proxyActivities<Pick<ComputeActivities, 'evoComputeSubmitJob'>>({
  startToCloseTimeout: '2 minutes',
  // Ahead of status checks on the same task queue (priority 1 of 1–5; the default is 3), so that a
  // burst of starts is not queued behind the polls of running jobs.
  priority: { priorityKey: 1 },
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
  },
});

/** Status and results as ordinary activities. `timeout` and cancellation still end the wait. */
export const readActivities = proxyActivities<
  Pick<ComputeActivities, 'evoComputeGetJobStatus' | 'evoComputeGetJobResults'>
>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: READ_RETRY,
});

/**
 * A status check between two durable timers, as a local activity: it records one marker event
 * instead of an activity's three (scheduled, started, completed) and the workflow task around them.
 */
export const localReadActivities = proxyLocalActivities<Pick<ComputeActivities, 'evoComputeGetJobStatus'>>({
  startToCloseTimeout: '2 minutes',
  retry: READ_RETRY,
  // Backoffs longer than this are waited on a timer, so a long outage does not hold a workflow task.
  localRetryThreshold: '10 seconds',
});

/**
 * `retry` polling: each attempt is one status request and the waits between them are the server's
 * retry timers (`nextRetryDelay` of a BENIGN `JobStillRunning`), so the retry policy's own backoff
 * applies only to real failures (an outage of the service). No heartbeat timeout: an attempt is
 * one bounded HTTP request (the client's timeouts), and a heartbeat would cost an action per poll.
 * No attempt limit and no schedule-to-close timeout: a job may run for days; `timeout` and
 * cancellation end the wait.
 */
export const checkActivities = proxyActivities<Pick<ComputeActivities, 'evoComputeCheckJobStatus'>>({
  startToCloseTimeout: '2 minutes',
  retry: READ_RETRY,
});

/**
 * `heartbeat` polling: `waitForJob` polls inside the activity until a reading is worth recording,
 * for up to an hour per call. The 5 s heartbeat timeout notices a dead worker within seconds
 * (Temporal sends a heartbeat at 80 % of it, every 4 s, and none more); the retry resumes from the
 * last heartbeat.
 */
export const waitActivities = proxyActivities<Pick<ComputeActivities, 'evoComputeWaitForJob'>>({
  startToCloseTimeout: DEFAULT_WAIT_MAX_DURATION_MS + 15 * 60 * 1000,
  heartbeatTimeout: '5 seconds',
  retry: READ_RETRY,
});

/** Asked once per run: does the namespace have the `EvoCompute*` search attributes? */
export const setupActivities = proxyLocalActivities<
  Pick<ComputeActivities, 'evoComputeSearchAttributesRegistered'>
>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/**
 * Used while cancelling: the workflow is already on its way out, so each step is bounded
 * (DELETE is idempotent, retried a few times; the status checks after it give up quickly).
 */
export const cancelActivities = proxyActivities<
  Pick<ComputeActivities, 'evoComputeCancelJob' | 'evoComputeGetJobStatus'>
>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 5,
  },
});
