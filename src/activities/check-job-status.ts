/**
 * `evoComputeCheckJobStatus`: `retry` polling, Temporal's pattern for infrequent polling. Each
 * attempt makes one status request. When the reading is worth recording (the first one, a new
 * status or 10 % step, the end of the job) the activity returns it; otherwise the attempt fails with
 * a BENIGN `JobStillRunning` whose `nextRetryDelay` is the schedule's next interval, jittered. The
 * server keeps that wait as the activity's retry timer: nothing is written to the workflow's
 * history, no worker slot is held and no workflow task runs between polls.
 *
 * The attempt number is the schedule's clock: attempt `a` is followed by the interval grown `a - 1`
 * times, so no state has to be heartbeated (a heartbeat would be one more billable action per poll).
 * The latest reading travels in the failure's details instead (its message says only status,
 * percent and poll count): the pending activity's last failure, which the Temporal UI shows and
 * `getComputeJobProgress` reads.
 *
 * A failed request is retried on the same clock: its failure carries the schedule's next interval
 * as `nextRetryDelay` (or `Retry-After` when that is longer), so the retry policy's own backoff,
 * which grows with the attempt number and so would reach its maximum on a job polled for a few
 * minutes, only ever applies to what the attempt cannot report itself: its worker died, or it hung.
 * Then the retry must come soon (see `checkActivities`).
 *
 * The requests run under `withHeartbeats`: a request that is still going after a third of the
 * heartbeat timeout heartbeats, so that a worker that dies mid-request (a results download, a slow
 * status answer) is noticed within the heartbeat timeout; a quick poll, nearly all of them, ends
 * before the first beat and sends none.
 */

import { Context } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import type { ComputeApiClient } from '../api/compute-api-client';
import { formatDuration } from '../common/duration';
import { ComputeFailureType, computeFailure } from '../common/failures';
import { jitteredInterval, nextInterval, type ResolvedPollSchedule } from '../common/poll-schedule';
import { formatStatusAndPercent } from '../common/progress-line';
import { movesProgress } from '../common/progress-step';
import { isTerminalStatus, type JobProgress, type JobRef } from '../common/types';
import { toActivityFailure } from './failure';
import { withHeartbeats } from './heartbeat';
import { type JobReading, withResultsIfSucceeded } from './job-reading';

export interface CheckJobStatusInput {
  job: JobRef;
  schedule: ResolvedPollSchedule;
  /** The interval in force: after the first poll (or before it, with `waitFirst`). */
  intervalMs: number;
  /** Polls made before this call (the workflow's count). */
  polls: number;
  /** The reading the workflow last recorded: readings that do not move it are not handed back. */
  last?: JobProgress;
  /** Wait one interval before the first poll (the workflow has just recorded a reading). */
  waitFirst: boolean;
}

export async function checkJobStatus(
  client: ComputeApiClient,
  input: CheckJobStatusInput,
): Promise<JobReading> {
  const context = Context.current();
  const { attempt } = context.info;
  const waits = input.waitFirst ? 1 : 0;
  // Attempt `a` is followed by the interval grown `a - 1` times (failed requests count too: a
  // struggling service is asked less and less often, up to the schedule's maximum).
  let intervalMs = input.intervalMs;
  // Once at the maximum it stays there: a job polled for days does not replay every growth step.
  for (let grown = 1; grown < attempt && intervalMs < input.schedule.maximumIntervalMs; grown++) {
    intervalMs = nextInterval(input.schedule, intervalMs);
  }
  const retryIn = () => jitteredInterval(intervalMs, Math.random);
  if (attempt <= waits) {
    const delay = retryIn();
    throw stillRunning(input, input.last, input.polls, delay);
  }
  const polls = input.polls + attempt - waits;
  try {
    // One heartbeat span for the status request and, when the job has succeeded, the results.
    return await withHeartbeats(async (signal) => {
      const progress = await client.getStatus(input.job, { signal });
      if (isTerminalStatus(progress.status) || movesProgress(input.last, progress)) {
        return withResultsIfSucceeded(client, input.job, { progress, polls, intervalMs }, signal);
      }
      throw stillRunning(input, progress, polls, retryIn());
    });
  } catch (err) {
    // `JobStillRunning` passes as it is; a failed request is retried on the schedule too.
    throw toActivityFailure(err, retryIn());
  }
}

function stillRunning(
  input: CheckJobStatusInput,
  reading: JobProgress | undefined,
  polls: number,
  delayMs: number,
) {
  // Status and percent only: a failure's message is plain text in history under any codec (unless
  // encodeCommonAttributes), and the service's message may quote parameters. It is in the details.
  const line = reading ? formatStatusAndPercent(reading) : '[waiting]';
  return withoutStackTrace(() =>
    computeFailure(
      ComputeFailureType.JobStillRunning,
      `${line} (poll ${polls}; next in ${formatDuration(delayMs)})`,
      { job: input.job, status: reading, polls },
      { nextRetryDelay: delayMs, category: ApplicationFailureCategory.BENIGN },
    ),
  );
}

/**
 * Builds the still-running signal without a stack trace. It is no error: its stack would only ever
 * show this file, yet capturing it, formatting it (the SDK reads `stack` of whatever an activity
 * throws) and trimming it for the failure sent to the server was a tenth of a millisecond of worker
 * CPU on every quiet poll. The limit is restored before anything else runs, so every other error
 * keeps its stack.
 */
function withoutStackTrace<E extends Error>(build: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const err = build();
    err.stack = '';
    return err;
  } finally {
    Error.stackTraceLimit = limit;
  }
}
