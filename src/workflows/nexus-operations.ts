/**
 * Calling the `evo-compute` Nexus service from a workflow in another namespace: the typed
 * counterparts of `executeComputeJob` / `executeComputeJobs` for a compute fleet behind a Nexus
 * endpoint.
 *
 * ```ts
 * const { results } = await executeComputeJobOperation(
 *   { endpoint: 'evo-compute' },
 *   tasks.geostatistics.kriging({ orgId, parameters }),
 * );
 * ```
 */

import type { Duration } from '@temporalio/common';
import {
  createNexusServiceClient,
  type NexusOperationCancellationType,
  type NexusOperationHandle,
  workflowInfo,
} from '@temporalio/workflow';
import { computeJobSummary } from '../common/job-summary';
import type {
  AnyJobResults,
  ComputeJobProgressView,
  ComputeJobResult,
  JobResults,
  RunComputeJobInput,
} from '../common/types';
import { type ComputeJobProgressRequest, evoComputeService } from '../nexus';
import type { RunComputeJobsInput, RunComputeJobsResult } from './run-compute-jobs';

export interface ComputeNexusOptions {
  /** The Nexus endpoint that targets the compute worker's namespace and task queue. */
  endpoint: string;
  /**
   * Bounds the whole operation, start to result. Default: what is left of the calling workflow's
   * run or execution timeout, if it has one (otherwise the server's maximum), so that a caller that
   * times out leaves no job behind: the handler bounds the job's `timeout` by it and cancels the
   * remote job when it elapses.
   */
  scheduleToCloseTimeout?: Duration;
  /**
   * What a cancelled caller does (default `WAIT_CANCELLATION_COMPLETED`: the cancel goes to the
   * handler, whose workflow cancels the remote job, and the caller waits until that is done).
   */
  cancellationType?: NexusOperationCancellationType;
  /** The operation's one-line summary in the caller's history and UI. */
  summary?: string;
}

function serviceClient(endpoint: string) {
  return createNexusServiceClient({ endpoint, service: evoComputeService });
}

function operationOptions({ cancellationType, summary, ...options }: ComputeNexusOptions) {
  const scheduleToCloseTimeout = options.scheduleToCloseTimeout ?? callerTimeLeftMs();
  return {
    ...(scheduleToCloseTimeout !== undefined && { scheduleToCloseTimeout }),
    ...(cancellationType !== undefined && { cancellationType }),
    ...(summary !== undefined && { summary }),
  };
}

/** What is left of the calling workflow's run and execution timeouts, whichever ends first. */
function callerTimeLeftMs(): number | undefined {
  const { runStartTime, runTimeoutMs, executionExpirationTime } = workflowInfo();
  const ends = [
    runTimeoutMs ? runStartTime.getTime() + runTimeoutMs : undefined,
    executionExpirationTime?.getTime(),
  ].filter((end): end is number => end !== undefined && end > 0);
  if (ends.length === 0) return undefined;
  return Math.max(1, Math.min(...ends) - Date.now());
}

/**
 * Starts `runComputeJob` through the service and returns the operation's handle: `token` names the
 * job for `getComputeJobOperationProgress`, `result()` waits for the (typed) results.
 */
export function startComputeJobOperation<R extends AnyJobResults = JobResults>(
  options: ComputeNexusOptions,
  input: RunComputeJobInput<object, R>,
): Promise<NexusOperationHandle<ComputeJobResult<R>>> {
  return serviceClient(options.endpoint).startOperation(
    'runComputeJob',
    input as RunComputeJobInput,
    operationOptions({ summary: computeJobSummary(input), ...options }),
  ) as Promise<NexusOperationHandle<ComputeJobResult<R>>>;
}

/** Runs one job through the service and returns its results, typed by the catalogue task. */
export async function executeComputeJobOperation<R extends AnyJobResults = JobResults>(
  options: ComputeNexusOptions,
  input: RunComputeJobInput<object, R>,
): Promise<ComputeJobResult<R>> {
  return (await startComputeJobOperation(options, input)).result();
}

/** Runs many jobs through the service (`runComputeJobs`), results in input order. */
export function executeComputeJobsOperation<R extends AnyJobResults = JobResults, F extends boolean = true>(
  options: ComputeNexusOptions,
  input: RunComputeJobsInput<R, F>,
): Promise<RunComputeJobsResult<R, F>> {
  return serviceClient(options.endpoint).executeOperation(
    'runComputeJobs',
    input as RunComputeJobsInput,
    operationOptions({ summary: `Evo compute: ${input.jobs.length} jobs`, ...options }),
  ) as Promise<RunComputeJobsResult<R, F>>;
}

/**
 * The `progress` view of a job started through the service (a synchronous operation: one Nexus
 * request, answered by the handler's query of its workflow), by the operation's `token` or the
 * handler workflow's id.
 */
export function getComputeJobOperationProgress(
  options: Pick<ComputeNexusOptions, 'endpoint'>,
  job: ComputeJobProgressRequest | NexusOperationHandle<unknown>,
): Promise<ComputeJobProgressView> {
  const request: ComputeJobProgressRequest = 'operation' in job ? { operationToken: job.token ?? '' } : job;
  return serviceClient(options.endpoint).executeOperation('getComputeJobProgress', request);
}
