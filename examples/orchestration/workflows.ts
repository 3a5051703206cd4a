/**
 * A user's orchestration workflow: kriging first, then a second job whose parameters are the
 * kriging estimates. Both jobs run as `runComputeJob` children on the compute worker's task queue;
 * this workflow runs on your own worker and needs no activities.
 *
 * In your project, import from `evo-compute-temporal/workflows` (workflow-safe: the workflows and
 * `computeJobChildOptions`) and types from `evo-compute-temporal`, instead of `../../src/...`.
 */
import { ApplicationFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import type { DurationInput, JobRef, JobResults } from '../../src';
import { computeJobChildOptions, runComputeJob } from '../../src/workflows';

export interface KrigeThenSummariseInput {
  orgId: string;
  /** Blocks to krige. Default 8. */
  blocks?: number;
  /** Emulator only: time per kriging block, in ms. Default 250. */
  blockMs?: number;
  /** Grade cutoff handed to the second job along with the estimates. Default 100. */
  cutoff?: number;
  /** Default `'1 second'`. */
  pollInterval?: DurationInput;
  /** Where the compute worker polls. Default `evo-compute`. */
  computeTaskQueue?: string;
}

export interface KrigeThenSummariseResult {
  kriging: JobRef;
  estimates: number[];
  summary: JobRef;
  /** The second job's results (the emulator's `emulator/job` echoes its parameters). */
  summaryResults: JobResults;
}

export async function krigeThenSummarise(input: KrigeThenSummariseInput): Promise<KrigeThenSummariseResult> {
  const { orgId, blocks = 8, blockMs = 250, cutoff = 100, pollInterval = '1 second' } = input;
  const { workflowId } = workflowInfo();
  const childOptions = (key: string) => ({ key: `${workflowId}/${key}`, taskQueue: input.computeTaskQueue });

  // 1. Kriging. The child's ID is `evo-compute/geostatistics/kriging/<this workflow's ID>/kriging`.
  const kriging = await executeChild(
    runComputeJob,
    computeJobChildOptions(
      { orgId, topic: 'geostatistics', task: 'kriging', parameters: { blocks, blockMs }, pollInterval },
      childOptions('kriging'),
    ),
  );
  const estimates = kriging.results.estimates;
  if (!Array.isArray(estimates) || !estimates.every((value) => typeof value === 'number')) {
    throw ApplicationFailure.nonRetryable('kriging returned no estimates', 'UnexpectedResults', kriging.job);
  }

  // 2. A job that takes the first one's results as parameters. On the emulator, `emulator/job`
  //    echoes them; against Evo this would be your post-processing task.
  const summary = await executeChild(
    runComputeJob,
    computeJobChildOptions(
      {
        orgId,
        topic: 'emulator',
        task: 'job',
        parameters: { estimates, cutoff, source: kriging.job.jobId, durationMs: 500, steps: 2 },
        pollInterval,
      },
      childOptions('summary'),
    ),
  );
  return { kriging: kriging.job, estimates, summary: summary.job, summaryResults: summary.results };
}
