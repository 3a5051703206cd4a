/**
 * A user's orchestration workflow: kriging first (the real task shape, typed by the catalogue),
 * then a second job that takes the kriged attribute as its input. Both jobs run as
 * `runComputeJob` children on the compute worker's task queue; this workflow runs on your own
 * worker and needs no activities.
 *
 * In your project, import from `evo-compute-temporal/workflows` (workflow-safe: the workflows,
 * `executeComputeJob`, `computeJobChildOptions`) and `evo-compute-temporal` (the catalogue
 * `tasks` and the types), instead of `../../src/...`.
 */
import { workflowInfo } from '@temporalio/workflow';
import { type DurationInput, type JobRef, type JobResults, type TaskParameters, tasks } from '../../src';
import { executeComputeJob } from '../../src/workflows';

export interface KrigeThenSummariseInput {
  orgId: string;
  /** The kriging task's parameters (`KrigingParameters`, checked when the job is submitted). */
  kriging: TaskParameters<typeof tasks.geostatistics.kriging>;
  /** Grade cutoff handed to the second job along with the kriged attribute. Default 100. */
  cutoff?: number;
  /** Default `'1 second'`. */
  pollInterval?: DurationInput;
  /** Where the compute worker polls. Default: this workflow's own queue. */
  computeTaskQueue?: string;
}

export interface KrigeThenSummariseResult {
  kriging: JobRef;
  /** The object and attribute the kriging wrote. */
  estimate: { object: string; attribute: string };
  summary: JobRef;
  /** The second job's results (the emulator's `emulator/job` echoes its parameters). */
  summaryResults: JobResults;
}

export async function krigeThenSummarise(input: KrigeThenSummariseInput): Promise<KrigeThenSummariseResult> {
  const { orgId, cutoff = 100, pollInterval = '1 second' } = input;
  const { workflowId } = workflowInfo();
  const childOptions = (key: string) => ({ key: `${workflowId}/${key}`, taskQueue: input.computeTaskQueue });

  // 1. Kriging. The child's ID is `evo-compute/geostatistics/kriging/<this workflow's ID>/kriging`.
  //    `results` is the task's `KrigingResult`: typed, and checked against the result model.
  const kriging = await executeComputeJob(
    tasks.geostatistics.kriging({ orgId, parameters: input.kriging, pollInterval }),
    childOptions('kriging'),
  );
  const estimate = {
    object: kriging.results.target.reference,
    attribute: kriging.results.target.attribute.name,
  };

  // 2. A job that takes the first one's output as parameters. On the emulator, `emulator/job`
  //    echoes them; against Evo this would be your post-processing task.
  const summary = await executeComputeJob(
    {
      orgId,
      topic: 'emulator',
      task: 'job',
      parameters: { ...estimate, cutoff, source: kriging.job.jobId, durationMs: 500, steps: 2 },
      pollInterval,
    },
    childOptions('summary'),
  );
  return { kriging: kriging.job, estimate, summary: summary.job, summaryResults: summary.results };
}
