/**
 * Test-only workflows: the package's workflows plus small parents that run them as children, and the
 * orchestration example, in one bundle for the tests' worker.
 */
import { executeChild } from '@temporalio/workflow';
import { computeJobChildOptions } from '../../src/common/child-options';
import type { ComputeJobResult, RunComputeJobInput } from '../../src/common/types';
import { runComputeJob } from '../../src/workflows';

export { krigeThenSummarise } from '../../examples/orchestration/workflows';
export { runComputeJob, runComputeJobs } from '../../src/workflows';

/**
 * A parent that runs one job as a child with the default child options: no key (`<parent ID>/1`)
 * and no task queue (the child runs on the parent's).
 */
export async function parentOfOneJob(input: RunComputeJobInput): Promise<ComputeJobResult> {
  return executeChild(runComputeJob, computeJobChildOptions(input));
}
