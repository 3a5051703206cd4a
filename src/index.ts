/**
 * `evo-compute-temporal`: the types, constants and pure helpers that orchestration code and
 * Temporal clients use. Workflow-safe: nothing here pulls in the worker, the client, undici or
 * Node-only modules, so a user's workflow code can import it. Client helpers live in
 * `evo-compute-temporal/client`.
 */

export {
  type ComputeJobChildOptions,
  type ComputeJobChildOptionsOverrides,
  computeJobChildOptions,
} from './child-options';
export { COMPUTE_JOB_WORKFLOW_ID_PREFIX, computeJobWorkflowId } from './client/workflow-id';
export { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from './defaults';
export { ComputeFailureType, NON_RETRYABLE_FAILURE_TYPES, RETRYABLE_FAILURE_TYPES } from './failures';
export { InvalidInputError, isUuid, jobRefFromUrl } from './job-url';
export { formatProblem, formatProgressLine } from './progress-line';
export {
  type ComputeJobsEntryState,
  type ComputeJobsEntryView,
  progressQuery,
  type RunComputeJobsProgressView,
  runComputeJobsProgressQuery,
} from './queries';
export * from './types';
export { PACKAGE_VERSION } from './version';
export type {
  RunComputeJobsInput,
  RunComputeJobsResult,
  SettledComputeJob,
} from './workflows/run-compute-jobs';
