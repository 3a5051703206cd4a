import { executeChild, proxyActivities } from '@temporalio/workflow';
import { computeJobChildOptions, runComputeJob } from 'evo-compute-temporal/workflows';
import type * as activities from './activities';

// The package's workflows, registered on your worker next to your own.
export { runComputeJob, runComputeJobs } from 'evo-compute-temporal/workflows';

const { notifyTeam } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function myPipeline(orgId: string): Promise<string> {
  // No taskQueue: the children run on this workflow's queue, on this same worker.
  const [grades, check] = await Promise.all([
    executeChild(
      runComputeJob,
      computeJobChildOptions({ orgId, topic: 'geostatistics', task: 'kriging', parameters: { blocks: 4 } }),
    ),
    executeChild(
      runComputeJob,
      computeJobChildOptions({ orgId, topic: 'emulator', task: 'job', parameters: { durationMs: 500 } }),
    ),
  ]);
  const estimates = grades.results.estimates as number[];
  return notifyTeam(`${estimates.length} estimates, check job ${check.job.jobId}`);
}
