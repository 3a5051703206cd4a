import type { ComputeApiClient } from '../api/compute-api-client';
import { ComputeApiError } from '../api/errors';
import { ComputeFailureType } from '../common/failures';
import type { JobRef, JobResults } from '../common/types';
import { checkTaskResult, formatFieldProblem } from '../tasks/validate';
import { checkResultsSize } from './results-size';

/**
 * A job's results as an activity may return them: downloaded once, refused when over the payload
 * limit (`ResultsTooLarge`), and checked against the task's result model.
 */
export async function fetchCheckedResults(
  client: ComputeApiClient,
  job: JobRef,
  signal: AbortSignal,
): Promise<JobResults> {
  return checkedResults(job, checkResultsSize(job, await client.getResults(job, { signal })));
}

/**
 * A catalogue task's results, checked against its result model (required fields and their types;
 * extra fields are allowed). A mismatch is `UnknownResponse` naming the fields: the job succeeded,
 * but its results are not what the task promises, and retrying will not change them.
 */
export async function checkedResults(job: JobRef, results: JobResults): Promise<JobResults> {
  const fields = await checkTaskResult(job.topic, job.task, results);
  if (fields.length === 0) return results;
  throw new ComputeApiError(
    ComputeFailureType.UnknownResponse,
    `results of ${job.topic}/${job.task} job ${job.jobId} do not match the task's result model: ${fields.map(formatFieldProblem).join('; ')}`,
    { status: 200, body: JSON.stringify(fields) },
  );
}
