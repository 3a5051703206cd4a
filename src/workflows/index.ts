/**
 * The workflows of this package. Usable as a worker's `workflowsPath`, and importable from a
 * user's own workflow code for `executeChild(runComputeJob, …)` or the typed `executeComputeJob`.
 */
export { executeComputeJob, executeComputeJobs } from './execute-compute-job';
export {
  type ComputeNexusOptions,
  executeComputeJobOperation,
  executeComputeJobsOperation,
  getComputeJobOperationProgress,
  startComputeJobOperation,
} from './nexus-operations';
export { runComputeJob } from './run-compute-job';
export {
  type ComputeJobChildOptions,
  type ComputeJobChildOptionsOverrides,
  computeJobChildOptions,
  type RunComputeJobsInput,
  type RunComputeJobsResult,
  runComputeJobs,
  type SettledComputeJob,
} from './run-compute-jobs';
