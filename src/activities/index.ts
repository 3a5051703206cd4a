/**
 * Every activity the package's workflows call, made by a factory that receives their HTTP client,
 * as in Temporal's samples. Registering the returned object alone runs `runComputeJob` and
 * `runComputeJobs`:
 * `Worker.create({ activities: { ...myActivities, ...createComputeActivities({ baseUrl, accessToken }) }, … })`
 * (or `evoComputePlugin` from `evo-compute-temporal/plugin`). Their type names carry the
 * `evoCompute` prefix so that they cannot collide with the worker's other activities.
 */
import { ComputeApiClient, type ComputeApiClientOptions } from '../api/compute-api-client';
import type { JobProgress, JobRef, JobResults, SubmitJobInput } from '../common/types';
import { type CheckJobStatusInput, checkJobStatus } from './check-job-status';
import { toActivityFailure } from './failure';
import { withHeartbeats } from './heartbeat';
import type { JobReading } from './job-reading';
import { activityMetrics, recordIfEnded, recordSubmitted } from './metrics';
import { fetchCheckedResults } from './results';
import { createSearchAttributeCheck } from './search-attributes';
import { submitJob } from './submit-job';
import { type WaitForJobInput, waitForJob } from './wait-for-job';
import { type WatchJobInput, watchJob } from './watch-job';

export type ComputeActivitiesOptions = ComputeApiClientOptions | { client: ComputeApiClient };

/** The activities by their type names (what a workflow's stubs and the worker's registry use). */
export interface ComputeActivities {
  evoComputeSubmitJob(input: SubmitJobInput<object>): Promise<JobRef>;
  evoComputeGetJobStatus(job: JobRef): Promise<JobProgress>;
  evoComputeGetJobResults(job: JobRef): Promise<JobResults>;
  evoComputeCancelJob(job: JobRef): Promise<void>;
  /** `retry` polling: one status request per attempt; the waits are the server's retry timers. */
  evoComputeCheckJobStatus(input: CheckJobStatusInput): Promise<JobReading>;
  /** `heartbeat` polling: polls inside one attempt until a reading is worth recording. */
  evoComputeWaitForJob(input: WaitForJobInput): Promise<JobReading>;
  /** `sparse` polling: polls inside one long attempt, heartbeating as rarely as its growing timeout allows. */
  evoComputeWatchJob(input: WatchJobInput): Promise<JobReading>;
  /** Whether the namespace has the `EvoCompute*` search attributes (asked once per run, as a local activity). */
  evoComputeSearchAttributesRegistered(): Promise<boolean>;
}

export function createComputeActivities(options: ComputeActivitiesOptions): ComputeActivities {
  const client = 'client' in options ? options.client : new ComputeApiClient(options);
  // Requests and token refreshes are counted in the activity that makes them (see metrics.ts).
  client.observe(activityMetrics);

  /** Runs one client call as an activity body: heartbeats, cancellation, typed failures. */
  async function call<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await withHeartbeats(operation);
    } catch (err) {
      throw toActivityFailure(err);
    }
  }

  /** Runs a polling activity (any mode): typed failures, and the job's end counted. */
  async function poll<I>(wait: (client: ComputeApiClient, input: I) => Promise<JobReading>, input: I) {
    try {
      const reading = await wait(client, input);
      recordIfEnded(reading.progress);
      return reading;
    } catch (err) {
      throw toActivityFailure(err);
    }
  }

  return {
    /** Not idempotent; see submit-job.ts for how a retry is kept from creating a second job. */
    evoComputeSubmitJob: async (input) => {
      const job = await submitJob(client, input);
      recordSubmitted(job.topic, job.task);
      return job;
    },
    evoComputeGetJobStatus: async (job) => {
      const progress = await call((signal) => client.getStatus(job, { signal }));
      recordIfEnded(progress);
      return progress;
    },
    evoComputeGetJobResults: (job) => call((signal) => fetchCheckedResults(client, job, signal)),
    evoComputeCancelJob: (job) => call((signal) => client.cancel(job, { signal })),
    evoComputeCheckJobStatus: (input) => poll(checkJobStatus, input),
    evoComputeWaitForJob: (input) => poll(waitForJob, input),
    evoComputeWatchJob: (input) => poll(watchJob, input),
    evoComputeSearchAttributesRegistered: createSearchAttributeCheck(),
  };
}

export type { AccessTokenGrant, AccessTokenProvider } from '../api/access-token';
export {
  ComputeApiClient,
  type ComputeApiClientOptions,
  type ComputeApiObserver,
  type ComputeApiOperation,
} from '../api/compute-api-client';
export { ComputeApiError } from '../api/errors';
export {
  type ClientCredentialsOptions,
  clientCredentials,
  DEFAULT_OAUTH_ISSUER,
  DEFAULT_OAUTH_SCOPE,
  TokenRequestRefused,
} from '../auth/client-credentials';
export type { CheckJobStatusInput } from './check-job-status';
export type { JobReading } from './job-reading';
export { COMPUTE_METRICS } from './metrics';
export type { WaitForJobInput, WaitForJobState } from './wait-for-job';
export type { WatchJobInput, WatchJobState } from './watch-job';
