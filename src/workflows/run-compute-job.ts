import { msToNumber } from '@temporalio/common/lib/time';
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import { ComputeFailureType } from '../failures';
import { formatProgressLine } from '../progress-line';
import { progressQuery } from '../queries';
import {
  type ComputeJobPhase,
  type ComputeJobProgressView,
  type ComputeJobResult,
  type DurationInput,
  isTerminalStatus,
  type JobProgress,
  type JobRef,
  type RunComputeJobInput,
} from '../types';
import { cancelActivities, readActivities, submitActivities } from './compute-activities';

export const DEFAULT_POLL_INTERVAL: DurationInput = '2 seconds';
export const DEFAULT_CANCEL_WAIT: DurationInput = '1 minute';

/**
 * Runs one Evo compute job to its end: submit (or attach), poll its status on a durable timer,
 * fetch its results. Cancelling the workflow cancels the remote job; `timeout` does the same and
 * fails with `JobTimedOut`.
 */
export async function runComputeJob(input: RunComputeJobInput): Promise<ComputeJobResult> {
  const pollInterval = input.pollInterval ?? DEFAULT_POLL_INTERVAL;
  const view: ComputeJobProgressView = { phase: 'submitting', polls: 0 };
  setHandler(progressQuery, () => view);
  const enter = (phase: ComputeJobPhase, details: string) => {
    view.phase = phase;
    setCurrentDetails(details);
  };
  const record = (progress: JobProgress) => {
    // Like the Python client's feedback: keep the last known percentage and message when a poll omits them.
    view.status = {
      ...progress,
      progress: progress.progress ?? view.status?.progress,
      message: progress.message ?? view.status?.message,
    };
    setCurrentDetails(formatProgressLine(view.status));
  };

  // Everything the job does runs in `work`, so that the timeout can cancel it without cancelling
  // the workflow, and so that a cancelled workflow lands in one place that cancels the remote job.
  const work = new CancellationScope();
  let timedOut = false;
  if (input.timeout !== undefined) {
    sleep(input.timeout).then(
      () => {
        timedOut = true;
        work.cancel();
      },
      () => undefined, // the workflow itself was cancelled first
    );
  }
  let jobEnded = false;

  try {
    return await work.run(async () => {
      let job: JobRef;
      if ('job' in input) {
        job = input.job;
      } else {
        enter('submitting', `Submitting ${input.topic}/${input.task}`);
        // Non-cancellable: a cancel that arrives mid-submit must not abandon a POST that may still
        // create a job. The submit finishes, we learn the job, and the catch below cancels it.
        job = await CancellationScope.nonCancellable(() =>
          submitActivities.submitJob({
            orgId: input.orgId,
            topic: input.topic,
            task: input.task,
            parameters: input.parameters,
            preview: input.preview,
          }),
        );
      }
      view.job = job;
      enter('running', `[requested] > ${job.topic}/${job.task} ${job.jobId}`);

      for (;;) {
        const progress = await readActivities.getJobStatus(job);
        view.polls++;
        record(progress);
        if (progress.status === 'succeeded') break;
        if (progress.status === 'failed') {
          jobEnded = true;
          throw ApplicationFailure.create({
            type: ComputeFailureType.JobFailed,
            message: `job ${job.jobId} failed: ${progress.error?.title ?? progress.message ?? 'no reason given'}`,
            nonRetryable: true,
            details: [{ job, problem: progress.error }],
          });
        }
        if (progress.status === 'cancelled') {
          jobEnded = true;
          throw ApplicationFailure.create({
            type: ComputeFailureType.JobCancelled,
            message: `job ${job.jobId} was cancelled outside this workflow`,
            nonRetryable: true,
            details: [{ job }],
          });
        }
        await sleep(pollInterval);
      }
      jobEnded = true;
      enter(
        'fetching-results',
        `${formatProgressLine(view.status ?? { status: 'succeeded' })} (fetching results)`,
      );
      const results = await readActivities.getJobResults(job);
      enter('done', `[succeeded] > ${job.topic}/${job.task} ${job.jobId}`);
      return { job, results };
    });
  } catch (err) {
    if (isCancellation(err)) {
      if (view.job && !jobEnded)
        await cancelRemoteJob(view.job, input.cancelWait ?? DEFAULT_CANCEL_WAIT, pollInterval);
      view.phase = 'done';
      if (timedOut && !CancellationScope.current().consideredCancelled) {
        throw ApplicationFailure.create({
          type: ComputeFailureType.JobTimedOut,
          message: `job did not finish within ${input.timeout}; it was cancelled`,
          nonRetryable: true,
          details: [{ job: view.job, status: view.status }],
        });
      }
      throw err;
    }
    view.phase = 'done';
    throw surfaceActivityFailure(err);
  }

  /**
   * Sends the one DELETE for this job, unless a status check shows it has already ended, then waits,
   * bounded by `cancelWait`, for the service to confirm `cancelled`. Runs non-cancellable: the
   * workflow is already being cancelled.
   */
  async function cancelRemoteJob(
    job: JobRef,
    cancelWait: DurationInput,
    interval: DurationInput,
  ): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      enter('cancelling', `[cancelling] > cancelling ${job.topic}/${job.task} ${job.jobId}`);
      const giveUpAt = Date.now() + msToNumber(cancelWait);
      let deleteSent = false;
      for (;;) {
        let progress: JobProgress;
        try {
          progress = await cancelActivities.getJobStatus(job);
        } catch (err) {
          log.warn('could not read the job status while cancelling', {
            jobId: job.jobId,
            error: String(err),
          });
          if (deleteSent) return;
          progress = view.status ?? { status: 'requested' };
        }
        view.polls++;
        record(progress);
        if (isTerminalStatus(progress.status)) return;
        if (!deleteSent) {
          deleteSent = true;
          try {
            await cancelActivities.cancelJob(job);
          } catch (err) {
            log.warn('cancelJob failed', { jobId: job.jobId, error: String(err) });
          }
          continue;
        }
        const left = giveUpAt - Date.now();
        if (left <= 0) {
          log.warn('the job has not reached cancelled within cancelWait', {
            jobId: job.jobId,
            status: progress.status,
          });
          return;
        }
        await sleep(Math.min(left, msToNumber(interval)));
      }
    });
  }
}

/**
 * An activity's typed failure becomes the workflow's own failure of the same type, so callers
 * (and parents of a child workflow) match on `failure.cause.type` one level up, not three.
 */
function surfaceActivityFailure(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const cause = err.cause;
    return ApplicationFailure.create({
      type: cause.type ?? undefined,
      message: cause.message,
      nonRetryable: true,
      details: cause.details ? [...cause.details] : undefined,
      cause: err,
    });
  }
  return err;
}
