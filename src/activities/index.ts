/**
 * The four Evo compute activities, made by a factory that receives their HTTP client, as in
 * Temporal's samples. Register the returned object with a worker:
 * `Worker.create({ activities: createComputeActivities({ baseUrl, accessToken }), … })`.
 */
import { ComputeApiClient, type ComputeApiClientOptions } from '../api/compute-api-client';
import type { JobProgress, JobRef, JobResults, SubmitJobInput } from '../common/types';
import { toActivityFailure } from './failure';
import { withHeartbeats } from './heartbeat';
import { submitJob } from './submit-job';
import { type WaitForJobInput, type WaitForJobState, waitForJob } from './wait-for-job';

export type ComputeActivitiesOptions = ComputeApiClientOptions | { client: ComputeApiClient };

export interface ComputeActivities {
  submitJob(input: SubmitJobInput): Promise<JobRef>;
  getJobStatus(job: JobRef): Promise<JobProgress>;
  getJobResults(job: JobRef): Promise<JobResults>;
  cancelJob(job: JobRef): Promise<void>;
  waitForJob(input: WaitForJobInput): Promise<Required<WaitForJobState>>;
}

export function createComputeActivities(options: ComputeActivitiesOptions): ComputeActivities {
  const client = 'client' in options ? options.client : new ComputeApiClient(options);

  /** Runs one client call as an activity body: heartbeats, cancellation, typed failures. */
  async function call<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await withHeartbeats(operation);
    } catch (err) {
      throw toActivityFailure(err);
    }
  }

  return {
    /** Not idempotent; see submit-job.ts for how a retry is kept from creating a second job. */
    submitJob: (input) => submitJob(client, input),
    getJobStatus: (job) => call((signal) => client.getStatus(job, { signal })),
    getJobResults: (job) => call((signal) => client.getResults(job, { signal })),
    cancelJob: (job) => call((signal) => client.cancel(job, { signal })),
    waitForJob: async (input) => {
      try {
        return await waitForJob(client, input);
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

export { ComputeApiClient, type ComputeApiClientOptions } from '../api/compute-api-client';
export { ComputeApiError } from '../api/errors';
export type { WaitForJobInput, WaitForJobState } from './wait-for-job';
