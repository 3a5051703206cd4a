import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  log,
  sleep,
  TemporalFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobReading } from '../activities/job-reading';
import { formatDuration } from '../common/duration';
import { ComputeFailureType, computeFailure, jobFailedMessage, readComputeFailure } from '../common/failures';
import { jitteredInterval, nextInterval } from '../common/poll-schedule';
import { formatProgressLine } from '../common/progress-line';
import {
  type AnyJobResults,
  type ComputeJobResult,
  isTerminalStatus,
  type JobProgress,
  type JobRef,
  type JobResults,
  type RunComputeJobInput,
  type RunComputeJobResume,
} from '../common/types';
import { isInvalidInputError, type ValidComputeJob, validateComputeJobInput } from '../common/validate-input';
import {
  cancelActivities,
  checkActivities,
  localReadActivities,
  readActivities,
  submitActivities,
  waitActivities,
} from './compute-activities';
import { JobTracker } from './job-tracker';
import { watchJob } from './sparse-polling';

/** A run continues as new past this many history events, or sooner when Temporal suggests it. */
export const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

/**
 * Runs one Evo compute job to its end: submit (or attach), wait for it on the poll schedule, check
 * how it ended, fetch its results. Cancelling the workflow cancels the remote job; so does
 * `timeout` (then the workflow fails with `JobTimedOut`), and so does any other failure while the
 * job may still run. Long jobs continue as new, keeping the workflow id, the job and the progress;
 * `resume` is that hand-over (internal, set by the workflow itself).
 */
export async function runComputeJob<R extends AnyJobResults = JobResults>(
  input: RunComputeJobInput<object, R>,
  resume?: RunComputeJobResume,
): Promise<ComputeJobResult<R>> {
  // The results are the task's result model: the results activity checked them against it.
  return (await runUntypedComputeJob(input, resume)) as ComputeJobResult<R>;
}

async function runUntypedComputeJob(input: unknown, resume: unknown): Promise<ComputeJobResult> {
  const run = validated(input, resume);
  const tracker = await JobTracker.start(run);
  try {
    return await withinDeadline(run, async () => {
      const job = await submitOrAttach(run, tracker);
      const final = await waitForEnd(job, run, tracker);
      checkOutcome(job, final.progress);
      return { job, results: final.results ?? (await fetchResults(job, final.progress, tracker)) };
    });
  } catch (err) {
    throw await failed(err, run, tracker);
  }
}

/** The one validation step: any bad input ends the workflow here, as `InvalidInput` naming the field. */
function validated(input: unknown, resume: unknown): ValidComputeJob {
  try {
    return validateComputeJobInput(input, resume);
  } catch (err) {
    // Anything thrown here is about the input; nothing may fail the workflow task instead.
    const message = isInvalidInputError(err) ? err.message : `the input could not be read: ${err}`;
    throw computeFailure(ComputeFailureType.InvalidInput, `runComputeJob: ${message}`);
  }
}

/**
 * Runs the job's steps in a scope that `timeout` cancels: a cancelled scope lands in `failed`,
 * which cancels the remote job. The deadline is counted from the first run's start.
 */
function withinDeadline<T>(run: ValidComputeJob, steps: () => Promise<T>): Promise<T> {
  const deadline = deadlineOf(run);
  if (deadline === undefined) return steps();
  return CancellationScope.withTimeout(Math.max(1, deadline - Date.now()), steps);
}

function deadlineOf(run: ValidComputeJob): number | undefined {
  if (run.resume) return run.resume.deadline;
  return run.timeoutMs === undefined ? undefined : workflowInfo().startTime.getTime() + run.timeoutMs;
}

/**
 * The job: the one given, or a new one. The submit is non-cancellable: a cancel (or the deadline)
 * that arrives mid-submit must not abandon a POST that may still create a job. The submit
 * finishes, the job is known, and the cancellation then cancels it.
 */
async function submitOrAttach(run: ValidComputeJob, tracker: JobTracker): Promise<JobRef> {
  let job: JobRef;
  if ('job' in run.start) {
    job = run.start.job;
  } else {
    const { submit } = run.start;
    tracker.enter('submitting', `Submitting ${submit.topic}/${submit.task}`);
    job = await CancellationScope.nonCancellable(() =>
      submitActivities.evoComputeSubmitJob.executeWithOptions(
        { summary: `submit ${submit.topic}/${submit.task}` },
        [submit],
      ),
    );
  }
  // A job just submitted is `requested`: recorded at once, with the job's search attributes.
  tracker.jobKnown(job, 'submit' in run.start ? { status: 'requested' } : undefined);
  if (!run.resume) tracker.enter('running', `[requested] > ${job.topic}/${job.task} ${job.jobId}`);
  return job;
}

/**
 * Polls on the schedule until the job ends. Each step returns when a reading is worth recording
 * (the first, a new status or 10 % step, the end): in `retry` mode one `evoComputeCheckJobStatus`
 * whose waits are server-side retry timers, in `heartbeat` mode one `evoComputeWaitForJob` that polls
 * inside its attempt, in `sparse` mode one `evoComputeWatchJob` that does so heartbeating rarely, in
 * `timer` mode a durable timer and a local-activity status check per poll.
 * Continues as new before the history grows large.
 */
async function waitForEnd(job: JobRef, run: ValidComputeJob, tracker: JobTracker): Promise<JobReading> {
  let intervalMs = run.resume?.intervalMs ?? run.schedule.initialIntervalMs;
  // A new run polls at once; a continued run waits first (its predecessor has just polled).
  let waitFirst = run.resume !== undefined;
  for (;;) {
    const reading = await pollStep(job, run, tracker, intervalMs, waitFirst);
    tracker.record(reading.progress, reading.polls - tracker.view.polls);
    if (isTerminalStatus(reading.progress.status)) return reading;
    intervalMs = reading.intervalMs;
    waitFirst = true;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength >= CONTINUE_AS_NEW_AFTER_EVENTS) {
      await continueAsNew<typeof runComputeJob>(
        { ...run.options, job },
        {
          polls: tracker.view.polls,
          status: tracker.view.status,
          intervalMs,
          deadline: deadlineOf(run),
          searchAttributes: tracker.options.searchAttributes,
          runs: (run.resume?.runs ?? 0) + 1,
        },
      );
    }
  }
}

/** One step of the wait, in the schedule's mode: polls until a reading is worth recording. */
async function pollStep(
  job: JobRef,
  run: ValidComputeJob,
  tracker: JobTracker,
  intervalMs: number,
  waitFirst: boolean,
): Promise<JobReading> {
  const { schedule } = run;
  const input = {
    job,
    schedule,
    intervalMs,
    polls: tracker.view.polls,
    last: tracker.view.status,
    waitFirst,
  };
  const summary = `wait for ${job.topic}/${job.task} ${job.jobId}`;
  switch (schedule.mode) {
    case 'retry':
      return checkActivities.evoComputeCheckJobStatus.executeWithOptions({ summary }, [input]);
    case 'heartbeat':
      return waitActivities.evoComputeWaitForJob.executeWithOptions({ summary }, [input]);
    case 'sparse':
      return watchJob(input, summary);
    case 'timer': {
      let next = intervalMs;
      if (waitFirst) {
        // The workflow's Math.random is seeded by Temporal and replays identically.
        const wait = jitteredInterval(intervalMs, Math.random);
        await sleep(wait, { summary: `next status poll in ${formatDuration(wait)}` });
        next = nextInterval(schedule, intervalMs);
      }
      const progress = await localReadActivities.evoComputeGetJobStatus.executeWithOptions(
        { summary: `status of ${job.jobId}` },
        [job],
      );
      return { progress, polls: tracker.view.polls + 1, intervalMs: next };
    }
  }
}

/** A job that failed or was cancelled elsewhere fails the workflow with its own type. */
function checkOutcome(job: JobRef, final: JobProgress): void {
  if (final.status === 'failed') {
    throw computeFailure(ComputeFailureType.JobFailed, jobFailedMessage(job.jobId, final.error), {
      job,
      problem: final.error,
    });
  }
  if (final.status === 'cancelled') {
    throw computeFailure(
      ComputeFailureType.JobCancelled,
      `job ${job.jobId} was cancelled outside this workflow`,
      {
        job,
      },
    );
  }
}

async function fetchResults(job: JobRef, final: JobProgress, tracker: JobTracker) {
  tracker.enter('fetching-results', `${formatProgressLine(final)} (fetching results)`);
  const results = await readActivities.evoComputeGetJobResults.executeWithOptions(
    { summary: `results of ${job.jobId}` },
    [job],
  );
  tracker.enter('done', `[succeeded] > ${job.topic}/${job.task} ${job.jobId}`);
  return results;
}

/**
 * How the workflow ends when a step throws. First, a remote job that may still be running is
 * cancelled, so that nothing runs on unattended. Then: a cancelled workflow ends as cancelled; a
 * scope cancelled by the deadline fails with `JobTimedOut`; a typed failure (from an activity or
 * from `checkOutcome`) fails the workflow with the same type, one level up from the activity's.
 */
async function failed(err: unknown, run: ValidComputeJob, tracker: JobTracker): Promise<unknown> {
  // Continuing as new, or a bug in this code (which fails the workflow task and is retried): not an end.
  if (err instanceof ContinueAsNew || !(err instanceof TemporalFailure)) return err;
  const job = tracker.view.job;
  const status = tracker.view.status;
  const mayStillRun = job !== undefined && !(status && isTerminalStatus(status.status));
  const remoteJobCancelled = mayStillRun && (await cancelRemoteJob(job, tracker, run));
  tracker.view.phase = 'done';
  if (isCancellation(err)) {
    if (CancellationScope.current().consideredCancelled) return err;
    return computeFailure(
      ComputeFailureType.JobTimedOut,
      `job did not finish within ${formatDuration(run.timeoutMs ?? 0)}; it was cancelled`,
      { job, status: tracker.view.status },
    );
  }
  const failure = readComputeFailure(err);
  if (!failure) return err;
  const cause = err instanceof ActivityFailure ? err : undefined;
  if (!cause && !remoteJobCancelled && err instanceof ApplicationFailure) return err;
  return computeFailure(
    failure.type,
    remoteJobCancelled ? `${failure.message} (the remote job was cancelled)` : failure.message,
    { job, ...failure.details, ...(remoteJobCancelled && { remoteJobCancelled }) },
    { nonRetryable: true, cause },
  );
}

/**
 * Sends the one DELETE for this job, unless a status check shows it has already ended, then waits,
 * bounded by `cancelWait`, for the service to confirm `cancelled`. Runs non-cancellable: the
 * workflow is already on its way out. Resolves with whether the DELETE was sent.
 */
async function cancelRemoteJob(job: JobRef, tracker: JobTracker, run: ValidComputeJob): Promise<boolean> {
  return CancellationScope.nonCancellable(async () => {
    tracker.enter('cancelling', `[cancelling] > cancelling ${job.topic}/${job.task} ${job.jobId}`);
    const giveUpAt = Date.now() + run.cancelWaitMs;
    let deleteSent = false;
    for (;;) {
      let progress: JobProgress | undefined;
      try {
        progress = await cancelActivities.evoComputeGetJobStatus(job);
        tracker.record(progress);
      } catch (err) {
        log.warn('could not read the job status while cancelling', { jobId: job.jobId, error: String(err) });
        if (deleteSent) return deleteSent;
      }
      if (progress && isTerminalStatus(progress.status)) return deleteSent;
      if (!deleteSent) {
        deleteSent = true;
        try {
          await cancelActivities.evoComputeCancelJob.executeWithOptions({ summary: `cancel ${job.jobId}` }, [
            job,
          ]);
        } catch (err) {
          log.warn('cancelJob failed', { jobId: job.jobId, error: String(err) });
        }
        continue;
      }
      const left = giveUpAt - Date.now();
      if (left <= 0) {
        log.warn('the job has not reached cancelled within cancelWait', {
          jobId: job.jobId,
          status: progress?.status,
        });
        return deleteSent;
      }
      const waitMs = Math.min(left, run.schedule.initialIntervalMs);
      await sleep(waitMs, { summary: `check for cancelled in ${formatDuration(waitMs)}` });
    }
  });
}
