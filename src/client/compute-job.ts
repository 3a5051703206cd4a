/**
 * Client-side helpers for `runComputeJob`: start one, read its progress, cancel it, wait for its
 * outcome. They need a Temporal `Client` and nothing of the worker: the workflow is named by its
 * type string, and its function is imported for its type only.
 */
import {
  type Client,
  type WorkflowExecutionStatusName,
  WorkflowFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
  WorkflowNotFoundError,
  type WorkflowStartOptions,
} from '@temporalio/client';
import {
  ApplicationFailure,
  CancelledFailure,
  type Payload,
  TerminatedFailure,
  TimeoutFailure,
  type Workflow,
} from '@temporalio/common';
import type { ComputeActivities } from '../activities';
import { DEFAULT_TASK_QUEUE } from '../common/defaults';
import { type ComputeFailureDetails, ComputeFailureType, readComputeFailure } from '../common/failures';
import { computeJobDetails, computeJobSummary, jobParts } from '../common/job-summary';
import { progressQuery } from '../common/queries';
import type {
  AnyJobResults,
  ComputeJobProgressView,
  ComputeJobResult,
  JobProgress,
  JobRef,
  JobResults,
  Problem,
  RunComputeJobInput,
} from '../common/types';
import { computeJobWorkflowId } from '../common/workflow-id';
import { assertTaskParameters } from '../tasks/validate';
import type { runComputeJob } from '../workflows/run-compute-job';

/** The workflow type name of `runComputeJob`, as workers register it. */
export const RUN_COMPUTE_JOB_WORKFLOW_TYPE = 'runComputeJob';

/** The type of the `runComputeJob` workflow function. */
export type RunComputeJobWorkflow = typeof runComputeJob;

/** `runComputeJob` with its results typed `R`, for handles on jobs of a catalogue task. */
export type TypedRunComputeJobWorkflow<R extends AnyJobResults = JobResults> = (
  input: RunComputeJobInput<object, R>,
) => Promise<ComputeJobResult<R>>;

/** A handle on a `runComputeJob` execution. */
export type ComputeJobHandle = WorkflowHandle<RunComputeJobWorkflow>;

/**
 * Options of `startComputeJob`: any `client.workflow.start` option, all optional, plus `key`.
 * `workflowExecutionTimeout` and `workflowRunTimeout` are left out on purpose: they end the workflow
 * without letting it cancel the remote job. Use the input's `timeout` instead.
 */
export type StartComputeJobOptions = Partial<
  Omit<
    WorkflowStartOptions<RunComputeJobWorkflow>,
    'args' | 'workflowExecutionTimeout' | 'workflowRunTimeout'
  >
> & {
  /** Default `DEFAULT_TASK_QUEUE` (`evo-compute`). */
  taskQueue?: string;
  /** Default `computeJobWorkflowId(topic, task, key)`. */
  workflowId?: string;
  /** The last segment of the default workflow id. Default: the job id when attaching, else a random UUID. */
  key?: string;
};

/**
 * Starts `runComputeJob` and returns its handle. The workflow id defaults to
 * `evo-compute/<topic>/<task>/<key>` (`computeJobWorkflowId`), the task queue to `evo-compute`, and
 * the Temporal UI's summary and details describe the job. Every other start option passes through.
 *
 * A catalogue task's parameters are checked first: invalid ones throw `InvalidParametersError`
 * naming every offending field, and nothing is started. The handle's `result()` is typed by the
 * task (`startComputeJob(client, tasks.geostatistics.kriging({ … }))`).
 */
export async function startComputeJob<R extends AnyJobResults = JobResults>(
  client: Client,
  input: RunComputeJobInput<object, R>,
  options: StartComputeJobOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<TypedRunComputeJobWorkflow<R>>> {
  if (!('job' in input)) await assertTaskParameters(input.topic, input.task, input.parameters);
  const { key, workflowId, taskQueue, ...rest } = options;
  const { topic, task, job } = jobParts(input);
  return client.workflow.start<TypedRunComputeJobWorkflow<R>>(RUN_COMPUTE_JOB_WORKFLOW_TYPE, {
    staticSummary: computeJobSummary(input),
    staticDetails: computeJobDetails(input),
    ...rest,
    taskQueue: taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId:
      workflowId ?? computeJobWorkflowId(topic, task, key ?? job?.jobId ?? globalThis.crypto.randomUUID()),
    args: [input],
  });
}

/** `heartbeat` polling: the activity that polls inside one attempt, its reading in its heartbeats. */
const WAIT_FOR_JOB_ACTIVITY_TYPE: keyof ComputeActivities = 'evoComputeWaitForJob';
/** `sparse` polling: as `heartbeat`, with rarer heartbeats. */
const WATCH_JOB_ACTIVITY_TYPE: keyof ComputeActivities = 'evoComputeWatchJob';
/** `retry` polling: the activity whose attempts fail with the latest reading while nothing changes. */
const CHECK_JOB_STATUS_ACTIVITY_TYPE: keyof ComputeActivities = 'evoComputeCheckJobStatus';

/** The polling activity's latest reading and the poll count so far. */
interface PollingReading {
  progress?: JobProgress;
  polls: number;
}

/**
 * The latest reading of the workflow's pending polling activity, if there is one: the heartbeat of
 * `waitForJob` or `watchJob`, or the last (BENIGN `JobStillRunning`) failure of `checkJobStatus`.
 */
async function pollingReading<W extends Workflow>(
  handle: WorkflowHandle<W>,
): Promise<PollingReading | undefined> {
  const { raw } = await handle.describe();
  const decodeFirst = async <T>(payloads: Payload[]): Promise<T | undefined> => {
    // As the SDK decodes a payload: the codecs in reverse order, then the payload converter.
    const { payloadCodecs, payloadConverter } = handle.client.options.loadedDataConverter;
    let decoded = [payloads[0] as Payload];
    for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return payloadConverter.fromPayload<T | undefined>(decoded[0] as Payload);
  };
  for (const activity of raw.pendingActivities ?? []) {
    const type = activity.activityType?.name;
    if (type === WAIT_FOR_JOB_ACTIVITY_TYPE || type === WATCH_JOB_ACTIVITY_TYPE) {
      const payloads = activity.heartbeatDetails?.payloads;
      if (!payloads?.length) continue;
      const details = await decodeFirst<PollingReading>(payloads as Payload[]);
      if (details && typeof details.polls === 'number') return details;
    }
    if (type === CHECK_JOB_STATUS_ACTIVITY_TYPE) {
      const failure = activity.lastFailure;
      const payloads = failure?.applicationFailureInfo?.details?.payloads;
      if (failure?.applicationFailureInfo?.type !== ComputeFailureType.JobStillRunning || !payloads?.length)
        continue;
      const details = await decodeFirst<{ status?: JobProgress; polls?: number }>(payloads as Payload[]);
      if (details?.status && typeof details.polls === 'number') {
        return { progress: details.status, polls: details.polls };
      }
    }
  }
  return undefined;
}

export interface GetComputeJobProgressOptions {
  /**
   * Also read the latest reading of the activity that polls the job (its heartbeat, or in `retry`
   * mode its last attempt's failure): the workflow's view changes only with the status or a 10 %
   * step, the activity's reading with every poll. Answers with the newer of the two.
   * Costs one `describe` call more. Default true.
   */
  heartbeats?: boolean;
}

/**
 * The `progress` query: the phase of the workflow, the job and what it last reported. While the
 * job is polled inside an activity, the activity's latest heartbeat is newer than the workflow's
 * view; then its reading and poll count replace the view's (unless `heartbeats: false`).
 */
export async function getComputeJobProgress<W extends Workflow>(
  handle: WorkflowHandle<W>,
  options: GetComputeJobProgressOptions = {},
): Promise<ComputeJobProgressView> {
  const heartbeats = options.heartbeats ?? true;
  const [view, heartbeat] = await Promise.all([
    handle.query(progressQuery),
    heartbeats ? pollingReading(handle).catch(() => undefined) : undefined,
  ]);
  if (view.phase !== 'running' || !heartbeat?.progress || heartbeat.polls <= view.polls) return view;
  const { progress } = heartbeat;
  return {
    ...view,
    polls: heartbeat.polls,
    // As the workflow records a reading: keep the last percentage and message when a poll omits them.
    status: {
      ...progress,
      progress: progress.progress ?? view.status?.progress,
      message: progress.message ?? view.status?.message,
    },
  };
}

/** Why a compute job's workflow did not complete. */
export interface ComputeJobFailure {
  /** The failure type (`ComputeFailureType`, e.g. `JobFailed`), when the workflow failed with one. */
  type?: string;
  message: string;
  /** The problem object of a failed job or of a refused request. */
  problem?: Problem;
  /** The job, when the failure names it. */
  job?: JobRef;
  /** Everything the failure carries (`ComputeFailureType` failures only). */
  details?: ComputeFailureDetails;
}

/** How a compute job's workflow closed. */
export interface ComputeJobOutcome {
  workflowId: string;
  status: Extract<
    WorkflowExecutionStatusName,
    'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT'
  >;
  /** `COMPLETED`: the job and its results. */
  result?: ComputeJobResult;
  /** Every other status: what ended it. */
  failure?: ComputeJobFailure;
}

function failureOf(err: Error | undefined): ComputeJobFailure {
  const failure: ComputeJobFailure = { message: err?.message ?? 'no reason given' };
  const typed = readComputeFailure(err);
  if (typed) {
    failure.type = typed.type;
    failure.message = typed.message;
    failure.details = typed.details;
    if (typed.details.problem) failure.problem = typed.details.problem;
    if (typed.details.job) failure.job = typed.details.job;
  } else if (err instanceof ApplicationFailure && err.type) {
    failure.type = err.type;
  }
  return failure;
}

/**
 * Waits for the workflow to close and tells how: completed with its results, failed (with the
 * failure type and problem), cancelled, terminated or timed out. Throws only when Temporal cannot
 * be asked (a connection error, an unknown workflow).
 */
export async function waitForComputeJob<W extends Workflow>(
  handle: WorkflowHandle<W>,
): Promise<ComputeJobOutcome> {
  const { workflowId } = handle;
  try {
    const result = (await handle.result()) as ComputeJobResult;
    return { workflowId, status: 'COMPLETED', result };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof CancelledFailure)
      return { workflowId, status: 'CANCELLED', failure: failureOf(cause) };
    if (cause instanceof TerminatedFailure)
      return { workflowId, status: 'TERMINATED', failure: failureOf(cause) };
    if (cause instanceof TimeoutFailure)
      return { workflowId, status: 'TIMED_OUT', failure: failureOf(cause) };
    return { workflowId, status: 'FAILED', failure: failureOf(cause ?? err) };
  }
}

export interface CancelComputeJobOptions {
  /** Wait for the workflow to close (after it has cancelled the remote job) and return its outcome. */
  wait?: boolean;
}

/**
 * Asks the workflow to cancel. The workflow then cancels the remote job (one DELETE, unless the job
 * has already ended), waits for it to reach `cancelled`, and ends as cancelled. With
 * `{ wait: true }`, resolves with the outcome once the workflow has closed: usually `CANCELLED`,
 * but `COMPLETED` or `FAILED` when the job ended before the cancel reached it. A workflow that has
 * already closed is not an error: there is nothing to cancel, and its outcome is returned.
 */
export function cancelComputeJob<W extends Workflow>(
  handle: WorkflowHandle<W>,
  options?: { wait?: false },
): Promise<undefined>;
export function cancelComputeJob<W extends Workflow>(
  handle: WorkflowHandle<W>,
  options: { wait: true },
): Promise<ComputeJobOutcome>;
export function cancelComputeJob<W extends Workflow>(
  handle: WorkflowHandle<W>,
  options?: CancelComputeJobOptions,
): Promise<ComputeJobOutcome | undefined>;
export async function cancelComputeJob<W extends Workflow>(
  handle: WorkflowHandle<W>,
  options: CancelComputeJobOptions = {},
): Promise<ComputeJobOutcome | undefined> {
  try {
    await handle.cancel();
  } catch (err) {
    // A workflow that has already closed cannot be cancelled; its outcome is still the answer.
    // `describe` throws for a workflow that does not exist at all.
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    if ((await handle.describe()).status.name === 'RUNNING') throw err;
  }
  return options.wait ? waitForComputeJob(handle) : undefined;
}
