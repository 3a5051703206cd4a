import { executeChild, proxyActivities } from '@temporalio/workflow';
import { computeJobChildOptions, runComputeJob } from 'evo-compute-temporal/workflows';
import type * as activities from './activities';

// The package's workflows, registered on your worker next to your own.
export { runComputeJob, runComputeJobs } from 'evo-compute-temporal/workflows';

const { notifyTeam } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function myPipeline(orgId: string, batch: string): Promise<string> {
  // Two compute jobs as children. No taskQueue: they run on this workflow's queue, on this worker.
  const jobs = await Promise.all(
    [1, 2].map((step) =>
      executeChild(
        runComputeJob,
        computeJobChildOptions({ orgId, topic: 'emulator', task: 'job', parameters: { batch, step } }),
      ),
    ),
  );
  return notifyTeam(`batch ${batch}: jobs ${jobs.map(({ job }) => job.jobId).join(', ')} done`);
}
