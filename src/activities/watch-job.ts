/**
 * `evoComputeWatchJob`: `sparse` polling. Polls a job's status inside one long activity attempt,
 * like `evoComputeWaitForJob`, but heartbeats only as often as its heartbeat timeout needs, and that
 * timeout grows with the interval (max(30 s, 2 × interval), `sparseHeartbeatTimeoutMs`): about one
 * heartbeat per two polls at 30 s and one per dozen at 2 s, where `heartbeat` mode sends one every
 * 4 s whatever the interval. A dead worker is noticed within the heartbeat timeout, and the retried
 * attempt resumes from the last heartbeat.
 *
 * It hands back to the workflow at the readings every mode hands back (the first one, a new status
 * or 10 % step, the end of the job) and once the interval has outgrown its heartbeat timeout
 * (`sparseOutgrows`), so that the next call is scheduled with the longer timeout. The poll that
 * sees `succeeded` fetches the results in the same attempt, as `heartbeat` and `retry` do: the
 * workflow then closes without a results activity (one action and one workflow task fewer per job,
 * and one hop less between the job's end and the workflow's). A worker that dies mid-download is
 * noticed within the same heartbeat timeout as one that dies mid-wait.
 */
import { Context } from '@temporalio/activity';
import type { ComputeApiClient } from '../api/compute-api-client';
import { sparseHeartbeatEveryMs, sparseHeartbeatTimeoutMs, sparseOutgrows } from '../common/poll-schedule';
import type { JobReading } from './job-reading';
import {
  attemptState,
  pollUntilWorthRecording,
  type WaitForJobInput,
  type WaitForJobState,
} from './wait-for-job';

/** The input of `evoComputeWatchJob`: the same as `evoComputeWaitForJob`'s. */
export type WatchJobInput = WaitForJobInput;

/** The heartbeat details (the same as `evoComputeWaitForJob`'s): what a retried attempt resumes from, and what the UI shows. */
export type WatchJobState = WaitForJobState;

export async function watchJob(client: ComputeApiClient, input: WatchJobInput): Promise<JobReading> {
  const context = Context.current();
  const state = attemptState(input);
  const heartbeatTimeoutMs = context.info.heartbeatTimeoutMs || sparseHeartbeatTimeoutMs(input.intervalMs);
  // The heartbeat timeout counts from the attempt's start: the first beat is due one period after it.
  const beats = setInterval(() => context.heartbeat(state), sparseHeartbeatEveryMs(heartbeatTimeoutMs));
  try {
    return await pollUntilWorthRecording(client, input, state, context.cancellationSignal, (intervalMs) =>
      sparseOutgrows(input.schedule, intervalMs, heartbeatTimeoutMs),
    );
  } finally {
    clearInterval(beats);
  }
}
