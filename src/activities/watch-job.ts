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
import {
  DEFAULT_WAIT_MAX_DURATION_MS,
  jitteredInterval,
  nextInterval,
  sparseHeartbeatEveryMs,
  sparseHeartbeatTimeoutMs,
  sparseOutgrows,
} from '../common/poll-schedule';
import { movesProgress } from '../common/progress-step';
import { isTerminalStatus } from '../common/types';
import { type JobReading, withResultsIfSucceeded } from './job-reading';
import { abortableSleep, type WaitForJobInput, type WaitForJobState } from './wait-for-job';

/** The input of `evoComputeWatchJob`: the same as `evoComputeWaitForJob`'s. */
export type WatchJobInput = WaitForJobInput;

/** The heartbeat details (the same as `evoComputeWaitForJob`'s): what a retried attempt resumes from, and what the UI shows. */
export type WatchJobState = WaitForJobState;

export async function watchJob(client: ComputeApiClient, input: WatchJobInput): Promise<JobReading> {
  const context = Context.current();
  const signal = context.cancellationSignal;
  const resumed =
    context.info.attempt > 1 ? (context.info.heartbeatDetails as WatchJobState | undefined) : undefined;
  // A resumed attempt polls at once: it cannot know how long the previous one has been gone.
  const state: WatchJobState = resumed
    ? { ...resumed, waitFirst: false }
    : { polls: input.polls, intervalMs: input.intervalMs, waitFirst: input.waitFirst ?? false };
  const giveBackAt = Date.now() + (input.maxDurationMs ?? DEFAULT_WAIT_MAX_DURATION_MS);
  const heartbeatTimeoutMs = context.info.heartbeatTimeoutMs || sparseHeartbeatTimeoutMs(input.intervalMs);
  // The heartbeat timeout counts from the attempt's start: the first beat is due one period after it.
  const beat = () => context.heartbeat(state);
  const beats = setInterval(beat, sparseHeartbeatEveryMs(heartbeatTimeoutMs));
  try {
    for (;;) {
      if (state.waitFirst) {
        await abortableSleep(jitteredInterval(state.intervalMs, Math.random), signal);
        state.intervalMs = nextInterval(input.schedule, state.intervalMs);
      }
      const progress = await client.getStatus(input.job, { signal });
      state.progress = progress;
      state.polls++;
      state.waitFirst = true;
      const handBack =
        isTerminalStatus(progress.status) ||
        movesProgress(input.last, progress) ||
        sparseOutgrows(input.schedule, state.intervalMs, heartbeatTimeoutMs) ||
        Date.now() + state.intervalMs > giveBackAt;
      if (handBack) {
        const reading = { progress, polls: state.polls, intervalMs: state.intervalMs };
        return withResultsIfSucceeded(client, input.job, reading, signal);
      }
    }
  } finally {
    clearInterval(beats);
  }
}
