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
} from './common/child-options';
export { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, DEFAULT_TEMPORAL_ADDRESS } from './common/defaults';
export {
  type ComputeFailure,
  type ComputeFailureDetails,
  ComputeFailureType,
  computeFailure,
  NON_RETRYABLE_FAILURE_TYPES,
  RESULTS_LIMIT_BYTES,
  RETRYABLE_FAILURE_TYPES,
  readComputeFailure,
} from './common/failures';
export { InvalidInputError, isUuid, jobRefFromUrl } from './common/job-url';
export { formatProblem, formatProgressLine } from './common/progress-line';
export {
  type ComputeJobsEntryState,
  type ComputeJobsEntryView,
  progressQuery,
  type RunComputeJobsProgressView,
  runComputeJobsProgressQuery,
} from './common/queries';
export {
  CATALOGUE_SDK_VERSION,
  CATALOGUE_TASKS,
  type ComputeTask,
  type ComputeTaskInput,
  findCatalogueTask,
  type TaskCatalogue,
  type TaskParameters,
  type TaskResult,
  tasks,
} from './common/tasks/catalogue';
export type * from './common/tasks/generated/types';
export * from './common/types';
export { PACKAGE_VERSION } from './common/version';
export { COMPUTE_JOB_WORKFLOW_ID_PREFIX, computeJobWorkflowId } from './common/workflow-id';
export type {
  RunComputeJobsInput,
  RunComputeJobsResult,
  SettledComputeJob,
} from './workflows/run-compute-jobs';
