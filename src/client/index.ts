/**
 * Client-side helpers for compute jobs: start, follow, cancel. No worker code; safe to import
 * wherever a Temporal `Client` is.
 */

export { computeJobDetails, computeJobSummary } from '../common/job-summary';
export { COMPUTE_JOB_WORKFLOW_ID_PREFIX, computeJobWorkflowId } from '../common/workflow-id';
export {
  type CancelComputeJobOptions,
  type ComputeJobFailure,
  type ComputeJobHandle,
  type ComputeJobOutcome,
  cancelComputeJob,
  type GetComputeJobProgressOptions,
  getComputeJobProgress,
  RUN_COMPUTE_JOB_WORKFLOW_TYPE,
  type RunComputeJobWorkflow,
  type StartComputeJobOptions,
  startComputeJob,
  waitForComputeJob,
} from './compute-job';
export { ensureNexusEndpoint, type NexusEndpointTarget } from './nexus-endpoint';
export { type WatchComputeJobOptions, watchComputeJob } from './watch';
