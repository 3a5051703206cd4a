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
 * (`sparseOutgrows`), so that the next call is scheduled with the longer timeout. It does not fetch
 * a succeeded job's results: the workflow's results activity does, under its short heartbeat
 * timeout, so a worker that dies mid-download is noticed as quickly as in the other modes.
 */
import { Context } from '@temporalio/activity';
import type { ComputeApiClient } from '../api/compute-api-client';
import {
  DEFAULT_WAIT_MAX_DURATION_MS,
  jitteredInterval,
  nextInterval,
  sparseHeartbeatTimeoutMs,
  sparseOutgrows,
} from '../common/poll-schedule';
import { movesProgress } from '../common/progress-step';
import { isTerminalStatus } from '../common/types';
import type { JobReading } from './job-reading';
import { abortableSleep, type WaitForJobInput, type WaitForJobState } from './wait-for-job';

/**
 * How long before the heartbeat timeout each heartbeat goes out (27 s → every 24 s, 57 s → every
 * 54 s). Each one is sent at once: the SDK holds back a heartbeat that follows the last one sent
 * within 80 % of the timeout (21.6 s of 27, 45.6 s of 57), and these are further apart.
 */
const HEARTBEAT_MARGIN_MS = 3_000;

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
  const beatEveryMs = Math.max(1_000, heartbeatTimeoutMs - HEARTBEAT_MARGIN_MS);
  // The heartbeat timeout counts from the attempt's start: the first beat is due one period after it.
  const beat = () => context.heartbeat(state);
  const beats = setInterval(beat, beatEveryMs);
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
      if (handBack) return { progress, polls: state.polls, intervalMs: state.intervalMs };
    }
  } finally {
    clearInterval(beats);
  }
}
