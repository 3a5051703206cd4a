/**
 * Typed shorthands for running the compute workflows as children. Temporal's `executeChild` takes
 * its result type from the workflow function, not from the arguments, so
 * `executeChild(runComputeJob, computeJobChildOptions(kriging(…)))` returns untyped results; these
 * return the catalogue task's result model.
 */
import { type ChildWorkflowOptions, executeChild } from '@temporalio/workflow';
import { type ComputeJobChildOptionsOverrides, computeJobChildOptions } from '../common/child-options';
import type { AnyJobResults, ComputeJobResult, JobResults, RunComputeJobInput } from '../common/types';
import { runComputeJob } from './run-compute-job';
import { type RunComputeJobsInput, type RunComputeJobsResult, runComputeJobs } from './run-compute-jobs';

/**
 * `executeChild(runComputeJob, computeJobChildOptions(input, overrides))`, with the results typed:
 * `const { results } = await executeComputeJob(tasks.geostatistics.kriging({ orgId, parameters }))`.
 */
export function executeComputeJob<R extends AnyJobResults = JobResults>(
  input: RunComputeJobInput<object, R>,
  overrides?: ComputeJobChildOptionsOverrides,
): Promise<ComputeJobResult<R>> {
  return executeChild(runComputeJob, computeJobChildOptions(input, overrides)) as Promise<
    ComputeJobResult<R>
  >;
}

/**
 * `executeChild(runComputeJobs, { ...options, args: [input] })`, with the result typed by the jobs'
 * task and by `failFast`. `options.workflowId` is required: it names the batch.
 */
export function executeComputeJobs<R extends AnyJobResults = JobResults, F extends boolean = true>(
  input: RunComputeJobsInput<R, F>,
  options: Omit<ChildWorkflowOptions, 'args' | 'typeInfo'> & { workflowId: string },
): Promise<RunComputeJobsResult<R, F>> {
  return executeChild(runComputeJobs, { ...options, args: [input as RunComputeJobsInput] }) as Promise<
    RunComputeJobsResult<R, F>
  >;
}
