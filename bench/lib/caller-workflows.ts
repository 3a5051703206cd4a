/**
 * The bench's own workflows (workflow code: bundled for the caller workers of the `nexus` phase):
 * callers that run one `runComputeJob` each, as a child in their own namespace or as a Nexus
 * operation from another namespace. Both hand back only the job id, so that neither path carries a
 * bigger result than the other.
 */
import type { RunComputeJobInput } from '../../src/common/types';
import { executeComputeJob, executeComputeJobOperation } from '../../src/workflows';

/** The job as a child `runComputeJob` (`computeJobChildOptions`), sent to the compute worker's queue. */
export async function benchChildCaller(input: RunComputeJobInput, computeTaskQueue: string): Promise<string> {
  const { job } = await executeComputeJob(input, { taskQueue: computeTaskQueue });
  return job.jobId;
}

/** The job through the `evo-compute` Nexus service, by `endpoint`. */
export async function benchNexusCaller(endpoint: string, input: RunComputeJobInput): Promise<string> {
  const { job } = await executeComputeJobOperation({ endpoint }, input);
  return job.jobId;
}
