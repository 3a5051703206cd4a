/**
 * What the polling activities (`evoComputeCheckJobStatus`, `evoComputeWaitForJob`) hand back to the
 * workflow, and the step they share at the end of a job: the poll that sees `succeeded` fetches the
 * results at once, so that the workflow needs no further round trip through the server.
 */
import type { ComputeApiClient } from '../api/compute-api-client';
import type { JobProgress, JobRef, JobResults } from '../common/types';
import { fetchCheckedResults } from './results';

export interface JobReading {
  progress: JobProgress;
  /** Polls made so far: the workflow's count plus this activity's. */
  polls: number;
  /** The interval before the next poll (before jitter). */
  intervalMs: number;
  /**
   * A succeeded job's results, fetched by the poll that saw it succeed. Results over the payload
   * limit fail as `ResultsTooLarge`, exactly as the results activity would.
   */
  results?: JobResults;
}

/** The reading, with the results added when the job has succeeded. */
export async function withResultsIfSucceeded(
  client: ComputeApiClient,
  job: JobRef,
  reading: JobReading,
  signal: AbortSignal,
): Promise<JobReading> {
  if (reading.progress.status !== 'succeeded') return reading;
  return { ...reading, results: await fetchCheckedResults(client, job, signal) };
}
