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

/**
 * Status and results as ordinary activities (timer mode fetches the results here). `timeout` and
 * cancellation still end the wait. The 5 s heartbeat timeout is the polling activities' own: a
 * worker that dies mid-download is noticed as soon as there, and a quick request sends no beat.
 */
export const readActivities = proxyActivities<
  Pick<ComputeActivities, 'evoComputeGetJobStatus' | 'evoComputeGetJobResults'>
>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: READ_RETRY,
});

/**
 * A status check between two durable timers, as a local activity: it records one marker event
 * instead of an activity's three (scheduled, started, completed) and the workflow task around them.
 * It runs inside a workflow task, so a worker that dies mid-check is noticed by the workflow task
 * timeout (10 s by default, counted from the task's start or, for a check that runs long, from the
 * SDK's last workflow-task heartbeat at 80 % of it). The server then clears the workflow's sticky
 * queue, so the retried task goes to any worker at once, which replays and checks again.
 */
export const localReadActivities = proxyLocalActivities<Pick<ComputeActivities, 'evoComputeGetJobStatus'>>({
  startToCloseTimeout: '2 minutes',
  retry: READ_RETRY,
  // Backoffs longer than this are waited on a timer, so a long outage does not hold a workflow task.
  localRetryThreshold: '10 seconds',
});

/**
 * `retry` polling: each attempt is one status request and the waits between them are the server's
 * retry timers (`nextRetryDelay` of a BENIGN `JobStillRunning`). A failed request carries its own
 * `nextRetryDelay` too (the schedule's next interval), so this policy's backoff applies only to an
 * attempt that could not say how it ended: a timeout, after its worker died or hung. The attempt
 * number is the schedule's clock and reaches the tens on a job polled for minutes, where a 1 s
 * doubling backoff would already wait its maximum; so the maximum is short, and a dead worker's
 * poll runs again on another worker within the 5 s heartbeat timeout plus at most 5 s.
 * The heartbeat timeout costs nothing on a quick poll: `withHeartbeats` sends its first beat only
 * after a third of it (1.7 s), so only a request that runs that long (a slow status answer, a
 * large results download) heartbeats. No attempt limit and no schedule-to-close timeout: a job may
 * run for days; `timeout` and cancellation end the wait.
 */
export const checkActivities = proxyActivities<Pick<ComputeActivities, 'evoComputeCheckJobStatus'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds' },
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
