/**
 * The handler of the `evo-compute` Nexus service (its contract: `evo-compute-temporal/nexus`). It
 * runs on the compute worker, in the worker's namespace, and starts the package's workflows on the
 * worker's own task queue, so a caller in any namespace and any language reaches the same fleet
 * through a Nexus endpoint.
 *
 * - A start is checked before anything runs: a bad input (or catalogue parameters off the task's
 *   schema) is a non-retryable `BAD_REQUEST` whose cause is `InvalidInput` naming the field, so the
 *   caller fails at once instead of retrying until its schedule-to-close timeout.
 * - A retried start never submits twice: the workflow id comes from the operation's request id (or
 *   the job id when attaching), and a start that finds that workflow running attaches to it.
 * - A cancelled operation cancels the workflow, which cancels the remote job (one DELETE).
 */
import type { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { getClient, startWorkflow, WorkflowRunOperationHandler } from '@temporalio/nexus';
import * as nexus from 'nexus-rpc';
import { getComputeJobProgress } from '../client/compute-job';
import { durationMs } from '../common/duration';
import { ComputeFailureType, computeFailure } from '../common/failures';
import { computeJobDetails, computeJobSummary } from '../common/job-summary';
import type { AnyRunComputeJobInput } from '../common/types';
import {
  isInvalidInputError,
  validateComputeJobInput,
  validateComputeJobsInput,
} from '../common/validate-input';
import { computeJobWorkflowId } from '../common/workflow-id';
import { type ComputeJobProgressRequest, evoComputeService } from '../nexus';
import { checkTaskParameters, formatFieldProblem } from '../tasks/validate';
import type { runComputeJob } from '../workflows/run-compute-job';
import type { runComputeJobs } from '../workflows/run-compute-jobs';

/** A start that finds its workflow running (a retried request, or a second attach) joins it. */
const USE_EXISTING: WorkflowIdConflictPolicy = 'USE_EXISTING';

/**
 * An id made from a request id names that one request's job: it never starts a second run, even
 * after the first has closed (the server answers a repeated request id with the run it started).
 */
const ONE_RUN: WorkflowIdReusePolicy = 'REJECT_DUPLICATE';

/** The `evo-compute` service handler, for a worker's `nexusServices` (the plugin adds it by default). */
export function evoComputeNexusHandler(): nexus.ServiceHandler {
  return nexus.serviceHandler(evoComputeService, {
    runComputeJob: new WorkflowRunOperationHandler(async (ctx, input) => {
      await checkJobInput(input, 'runComputeJob');
      const key = 'job' in input ? input.job.jobId : `nexus-${ctx.requestId}`;
      const { topic, task } = 'job' in input ? input.job : input;
      return startWorkflow<typeof runComputeJob>(ctx, 'runComputeJob', {
        workflowId: computeJobWorkflowId(topic, task, key),
        args: [withinOperationTimeout(input, ctx.headers)],
        workflowIdConflictPolicy: USE_EXISTING,
        // Attaching to a job that an earlier, closed run watched is a new run; a submit never is.
        ...(!('job' in input) && { workflowIdReusePolicy: ONE_RUN }),
        staticSummary: computeJobSummary(input),
        staticDetails: computeJobDetails(input),
      });
    }),
    runComputeJobs: new WorkflowRunOperationHandler(async (ctx, input) => {
      const valid = rejectInvalid(() => validateComputeJobsInput(input), 'runComputeJobs');
      await Promise.all(valid.jobs.map((job, index) => checkJobInput(job, `runComputeJobs: jobs[${index}]`)));
      return startWorkflow<typeof runComputeJobs>(ctx, 'runComputeJobs', {
        workflowId: `evo-compute/jobs/${input.key ?? `nexus-${ctx.requestId}`}`,
        args: [input],
        workflowIdConflictPolicy: USE_EXISTING,
        workflowIdReusePolicy: ONE_RUN,
        staticSummary: `Evo compute: ${valid.jobs.length} jobs`,
      });
    }),
    getComputeJobProgress: async (_ctx, request) => {
      const workflowId = progressWorkflowId(request);
      try {
        return await getComputeJobProgress(getClient().workflow.getHandle(workflowId));
      } catch (err) {
        if (err instanceof Error && err.name === 'WorkflowNotFoundError') {
          throw new nexus.HandlerError('NOT_FOUND', `no compute job workflow ${workflowId}`, { cause: err });
        }
        throw err;
      }
    },
  });
}

/**
 * The job's `timeout`, bounded by the operation's: the server sends what is left of the caller's
 * schedule-to-close timeout as `Operation-Timeout`. A caller that times out abandons its operation
 * and sends no cancel, so the handler's workflow ends the job itself at the same moment (and
 * cancels the remote job, `JobTimedOut`) instead of running on for nobody.
 */
function withinOperationTimeout(
  input: AnyRunComputeJobInput,
  headers: Record<string, string>,
): AnyRunComputeJobInput {
  const operationMs = parseGoDuration(headers['operation-timeout']);
  if (operationMs === undefined) return input;
  const ownMs = input.timeout === undefined ? undefined : durationMs(input.timeout, 'timeout');
  return ownMs !== undefined && ownMs <= operationMs
    ? input
    : { ...input, timeout: Math.max(1, Math.floor(operationMs)) };
}

const GO_DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
const GO_DURATION_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** A duration as Nexus headers carry it (Go's form: `8.998s`, `1m30s`, `250ms`), in ms. */
function parseGoDuration(value: string | undefined): number | undefined {
  if (!value) return undefined;
  GO_DURATION_PART.lastIndex = 0;
  let total = 0;
  let read = 0;
  for (let match = GO_DURATION_PART.exec(value); match; match = GO_DURATION_PART.exec(value)) {
    total += Number(match[1]) * (GO_DURATION_UNIT_MS[match[2] ?? ''] ?? Number.NaN);
    read = GO_DURATION_PART.lastIndex;
  }
  return read === value.length && Number.isFinite(total) ? total : undefined;
}

/** The checks `runComputeJob` itself makes first, and the catalogue's parameter schema. */
async function checkJobInput(input: AnyRunComputeJobInput, field: string): Promise<void> {
  rejectInvalid(() => validateComputeJobInput(input), field);
  if ('job' in input) return;
  const problems = await checkTaskParameters(input.topic, input.task, input.parameters);
  if (problems.length > 0) {
    throw badRequest(
      `${field}: parameters of ${input.topic}/${input.task} do not match the task's schema: ${problems.map(formatFieldProblem).join('; ')}`,
      { fields: problems },
    );
  }
}

function rejectInvalid<T>(validate: () => T, field: string): T {
  try {
    return validate();
  } catch (err) {
    if (isInvalidInputError(err)) throw badRequest(`${field}: ${err.message}`);
    throw badRequest(`${field}: the input could not be read: ${err}`);
  }
}

/** Non-retryable for Nexus (`BAD_REQUEST`), and `InvalidInput` for `readComputeFailure`. */
function badRequest(message: string, details: Record<string, unknown> = {}): nexus.HandlerError {
  return new nexus.HandlerError('BAD_REQUEST', message, {
    cause: computeFailure(ComputeFailureType.InvalidInput, message, details),
  });
}

/**
 * The workflow a progress request names. An operation token of a workflow-run operation is
 * Temporal's: base64url JSON `{ "t": 1, "ns": <namespace>, "wid": <workflow id> }`.
 */
function progressWorkflowId(request: ComputeJobProgressRequest): string {
  if (request !== null && typeof request === 'object') {
    if ('workflowId' in request && typeof request.workflowId === 'string' && request.workflowId !== '') {
      return request.workflowId;
    }
    if ('operationToken' in request && typeof request.operationToken === 'string') {
      const wid = workflowIdOfToken(request.operationToken);
      if (wid) return wid;
      throw badRequest('getComputeJobProgress: operationToken is not a runComputeJob operation token');
    }
  }
  throw badRequest('getComputeJobProgress: give { operationToken } or { workflowId }');
}

function workflowIdOfToken(token: string): string | undefined {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (decoded === null || typeof decoded !== 'object') return undefined;
    const { t, wid } = decoded as { t?: unknown; wid?: unknown };
    return t === 1 && typeof wid === 'string' && wid !== '' ? wid : undefined;
  } catch {
    return undefined;
  }
}
