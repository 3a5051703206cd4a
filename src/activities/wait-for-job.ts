/**
 * `waitForJob`: the Temporal form of the Python `wait_for_results`. Polls a job's status inside one
 * activity and heartbeats each reading, so that the Temporal UI shows live progress on the pending
 * activity while the workflow's history stays still. A retried attempt (after a worker died)
 * resumes from the last heartbeat: the poll count and the schedule go on where they were.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { ComputeApiClient } from '../api/compute-api-client';
import {
  DEFAULT_WAIT_MAX_DURATION_MS,
  nextInterval,
  pollsInActivity,
  type ResolvedPollSchedule,
} from '../common/poll-schedule';
import { isTerminalStatus, type JobProgress, type JobRef } from '../common/types';
import { withHeartbeats } from './heartbeat';

export interface WaitForJobInput {
  job: JobRef;
  schedule: ResolvedPollSchedule;
  /** The wait after the first poll of this call. */
  intervalMs: number;
  /** Polls made before this call (the workflow's count). */
  polls: number;
  /** Return after about this long even if the job goes on, so one attempt never runs for days. Default 1 hour. */
  maxDurationMs?: number;
}

/** The activity's result, and its heartbeat details. */
export interface WaitForJobState {
  /** The last status reading (absent only before the first poll of a first attempt). */
  progress?: JobProgress;
  polls: number;
  /** The next wait. */
  intervalMs: number;
}

/**
 * Polls until the job ends, the next interval belongs on a durable timer (auto mode), or
 * `maxDurationMs` has passed; returns the last reading.
 */
export async function waitForJob(
  client: ComputeApiClient,
  input: WaitForJobInput,
): Promise<Required<WaitForJobState>> {
  const context = Context.current();
  const resumed =
    context.info.attempt > 1 ? (context.info.heartbeatDetails as WaitForJobState | undefined) : undefined;
  const state: WaitForJobState = resumed ?? { polls: input.polls, intervalMs: input.intervalMs };
  const giveBackAt = Date.now() + (input.maxDurationMs ?? DEFAULT_WAIT_MAX_DURATION_MS);

  return withHeartbeats(
    async (signal) => {
      for (;;) {
        const progress = await client.getStatus(input.job, { signal });
        state.progress = progress;
        state.polls++;
        context.heartbeat(state);
        const done =
          isTerminalStatus(progress.status) ||
          !pollsInActivity(input.schedule, state.intervalMs) ||
          Date.now() + state.intervalMs > giveBackAt;
        if (done) return { progress, polls: state.polls, intervalMs: state.intervalMs };
        try {
          await sleep(state.intervalMs, undefined, { signal });
        } catch (err) {
          throw signal.aborted ? (signal.reason ?? err) : err;
        }
        state.intervalMs = nextInterval(input.schedule, state.intervalMs);
      }
    },
    () => state,
  );
}
