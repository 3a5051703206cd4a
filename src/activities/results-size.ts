import { formatBytes } from '../common/bytes';
import { ComputeFailureType, computeFailure, RESULTS_LIMIT_BYTES } from '../common/failures';
import type { JobRef, JobResults } from '../common/types';

/**
 * Results too large for a Temporal payload would fail the activity's completion at every attempt,
 * downloading them again each time. They fail here instead, once, with `ResultsTooLarge`.
 */
export function checkResultsSize(
  job: JobRef,
  results: JobResults,
  limitBytes = RESULTS_LIMIT_BYTES,
): JobResults {
  const sizeBytes = Buffer.byteLength(JSON.stringify(results));
  if (sizeBytes <= limitBytes) return results;
  throw computeFailure(
    ComputeFailureType.ResultsTooLarge,
    `the results of job ${job.jobId} are ${formatBytes(sizeBytes)}, over the ${formatBytes(limitBytes)} ` +
      'a Temporal payload may carry; read them from the service directly (GET the job URL in the details, ' +
      'as the Python client does) or have the task write large outputs to storage and return a reference',
    { job, sizeBytes, limitBytes },
  );
}
