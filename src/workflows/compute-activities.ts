/**
 * The activity stubs `runComputeJob` calls, with their timeouts and retry policies. Each call's
 * HTTP request is bounded by the client's own timeouts (connect 10 s, headers 30 s, body 60 s), so
 * `startToCloseTimeout` only catches what those cannot; a heartbeat timeout notices a dead worker
 * within seconds rather than minutes.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ComputeActivities } from '../activities';

/**
 * Submit: a few retries for failures that certainly created no job (refused connection, 429,
 * 503); everything ambiguous is `SubmitUnconfirmed` and not retried.
 */
export const submitActivities = proxyActivities<Pick<ComputeActivities, 'submitJob'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
  },
});

/**
 * Status and results are reads: safe to retry, and retried without an attempt limit so that an
 * outage of the service does not fail a job that runs for days. `timeout` and cancellation still
 * end the wait.
 */
export const readActivities = proxyActivities<Pick<ComputeActivities, 'getJobStatus' | 'getJobResults'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' }, // no attempt limit
});

/**
 * Used while cancelling: the workflow is already on its way out, so each step is bounded
 * (DELETE is idempotent, retried a few times; the status checks after it give up quickly).
 */
export const cancelActivities = proxyActivities<Pick<ComputeActivities, 'cancelJob' | 'getJobStatus'>>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 5,
  },
});
