import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  log,
  patched,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { durationMs, formatDuration } from '../common/duration';
import { ComputeFailureType } from '../common/failures';
import {
  InvalidPollScheduleError,
  nextInterval,
  pollsInActivity,
  type ResolvedPollSchedule,
  resolvePollSchedule,
} from '../common/poll-schedule';
import { formatProgressLine } from '../common/progress-line';
import {
  type AnyJobResults,
  type ComputeJobResult,
  type DurationInput,
  isTerminalStatus,
  type JobProgress,
  type JobRef,
  type JobResults,
  type RunComputeJobInput,
  type RunComputeJobResume,
} from '../common/types';
import {
  cancelActivities,
  localReadActivities,
  readActivities,
  setupActivities,
  submitActivities,
  waitActivities,
} from './compute-activities';
import { JobTracker } from './job-tracker';

/** Before this version the workflow polled with an activity and a timer at a fixed interval. */
const ADAPTIVE_POLLING_PATCH = 'evo-compute-adaptive-polling';

/** A run continues as new past this many history events, or sooner when Temporal suggests it. */
export const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

export const DEFAULT_CANCEL_WAIT: DurationInput = '1 minute';
/** The first version's fixed poll interval, still used when replaying its histories. */
const V1_POLL_INTERVAL: DurationInput = '2 seconds';

/**
 * Runs one Evo compute job to its end: submit (or attach), wait for it on the poll schedule, fetch
 * its results. Cancelling the workflow cancels the remote job; `timeout` does the same and fails
 * with `JobTimedOut`. Long jobs continue as new, keeping the workflow id, the job and the progress.
 */
export async function runComputeJob<R extends AnyJobResults = JobResults>(
  input: RunComputeJobInput<object, R>,
): Promise<ComputeJobResult<R>> {
  // The results are the task's result model: the evoComputeGetJobResults activity checked them against it.
  return (await runUntypedComputeJob(input as RunComputeJobInput)) as ComputeJobResult<R>;
}

async function runUntypedComputeJob(input: RunComputeJobInput): Promise<ComputeJobResult> {
  const adaptive = patched(ADAPTIVE_POLLING_PATCH);
  const resume = 'job' in input ? input.resume : undefined;
  const schedule = adaptive ? scheduleOf(input) : undefined;
  // The tracker registers the `progress` query: first, so that no query finds the workflow without it.
  const tracker = new JobTracker(
    { job: 'job' in input ? input.job : undefined, status: resume?.status, polls: resume?.polls ?? 0 },
    { searchAttributes: false, notifyParent: adaptive && input.notifyParent === true },
  );
  const searchAttributes = adaptive
    ? (resume?.searchAttributes ?? (await setupActivities.evoComputeSearchAttributesRegistered()))
    : false;
  tracker.options.searchAttributes = searchAttributes;
  const deadline =
    resume?.deadline ??
    (input.timeout === undefined ? undefined : Date.now() + durationMs(input.timeout, 'timeout'));
  const cancelInterval = schedule?.initialIntervalMs ?? input.pollInterval ?? V1_POLL_INTERVAL;

  // Everything the job does runs in `work`, so that the timeout can cancel it without cancelling
  // the workflow, and so that a cancelled workflow lands in one place that cancels the remote job.
  const work = new CancellationScope();
  let timedOut = false;
  if (deadline !== undefined) {
    sleep(Math.max(1, deadline - Date.now()), { summary: `timeout ${input.timeout}` }).then(
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
      const job = 'job' in input ? input.job : await submit(input, tracker);
      tracker.jobKnown(job);
      if (!resume) tracker.enter('running', `[requested] > ${job.topic}/${job.task} ${job.jobId}`);

      const final = schedule
        ? await waitOnSchedule(job, schedule, tracker, {
            job,
            poll: input.poll,
            pollInterval: input.pollInterval,
            timeout: input.timeout,
            cancelWait: input.cancelWait,
            notifyParent: input.notifyParent,
            resume,
            deadline,
            searchAttributes,
          })
        : await waitAtFixedInterval(job, tracker, input.pollInterval ?? V1_POLL_INTERVAL);
      jobEnded = true;
      if (final.status === 'failed') {
        throw ApplicationFailure.create({
          type: ComputeFailureType.JobFailed,
          message: `job ${job.jobId} failed: ${final.error?.title ?? final.message ?? 'no reason given'}`,
          nonRetryable: true,
          details: [{ job, problem: final.error }],
        });
      }
      if (final.status === 'cancelled') {
        throw ApplicationFailure.create({
          type: ComputeFailureType.JobCancelled,
          message: `job ${job.jobId} was cancelled outside this workflow`,
          nonRetryable: true,
          details: [{ job }],
        });
      }
      tracker.enter('fetching-results', `${formatProgressLine(final)} (fetching results)`);
      const results = await readActivities.evoComputeGetJobResults.executeWithOptions(
        { summary: `results of ${job.jobId}` },
        [job],
      );
      tracker.enter('done', `[succeeded] > ${job.topic}/${job.task} ${job.jobId}`);
      return { job, results };
    });
  } catch (err) {
    if (isCancellation(err)) {
      const job = tracker.view.job;
      if (job && !jobEnded)
        await cancelRemoteJob(job, tracker, input.cancelWait ?? DEFAULT_CANCEL_WAIT, cancelInterval);
      tracker.view.phase = 'done';
      if (timedOut && !CancellationScope.current().consideredCancelled) {
        throw ApplicationFailure.create({
          type: ComputeFailureType.JobTimedOut,
          message: `job did not finish within ${input.timeout}; it was cancelled`,
          nonRetryable: true,
          details: [{ job, status: tracker.view.status }],
        });
      }
      throw err;
    }
    tracker.view.phase = 'done';
    throw surfaceActivityFailure(err);
  }
}

function scheduleOf(input: RunComputeJobInput): ResolvedPollSchedule {
  try {
    return resolvePollSchedule(input.poll, input.pollInterval);
  } catch (err) {
    if (!(err instanceof InvalidPollScheduleError)) throw err;
    throw ApplicationFailure.create({
      type: ComputeFailureType.InvalidInput,
      message: err.message,
      nonRetryable: true,
    });
  }
}

/**
 * Non-cancellable: a cancel that arrives mid-submit must not abandon a POST that may still create
 * a job. The submit finishes, the job is known, and the cancellation then cancels it.
 */
async function submit(
  input: Exclude<RunComputeJobInput, { job: JobRef }>,
  tracker: JobTracker,
): Promise<JobRef> {
  tracker.enter('submitting', `Submitting ${input.topic}/${input.task}`);
  return CancellationScope.nonCancellable(() =>
    submitActivities.evoComputeSubmitJob.executeWithOptions(
      { summary: `submit ${input.topic}/${input.task}` },
      [
        {
          orgId: input.orgId,
          topic: input.topic,
          task: input.task,
          parameters: input.parameters,
          preview: input.preview,
        },
      ],
    ),
  );
}

/**
 * Polls on the schedule until the job ends: inside `waitForJob` while the interval is short (one
 * activity, progress in its heartbeats), then on durable timers with a local-activity status check
 * (six history events a poll). Continues as new before the history grows large.
 */
async function waitOnSchedule(
  job: JobRef,
  schedule: ResolvedPollSchedule,
  tracker: JobTracker,
  carry: Omit<Extract<RunComputeJobInput, { job: JobRef }>, 'resume'> & {
    resume?: RunComputeJobResume;
    deadline?: number;
    searchAttributes: boolean;
  },
): Promise<JobProgress> {
  let intervalMs = carry.resume?.intervalMs ?? schedule.initialIntervalMs;
  // A new run polls at once; a continued run waits first (its predecessor has just polled).
  let pollNow = carry.resume === undefined;
  for (;;) {
    if (pollNow && pollsInActivity(schedule, intervalMs)) {
      const waited = await waitActivities.evoComputeWaitForJob.executeWithOptions(
        { summary: `wait for ${job.topic}/${job.task} ${job.jobId}` },
        [{ job, schedule, intervalMs, polls: tracker.view.polls }],
      );
      tracker.record(waited.progress, waited.polls - tracker.view.polls);
      if (isTerminalStatus(waited.progress.status)) return waited.progress;
      intervalMs = waited.intervalMs;
      // Back from the activity: either the interval has grown into timer range, or the activity
      // handed back after its maximum duration (heartbeat mode) and is called again at once.
      pollNow = pollsInActivity(schedule, intervalMs);
      continue;
    }
    if (!pollNow) {
      await sleep(intervalMs, { summary: `next status poll in ${formatDuration(intervalMs)}` });
      intervalMs = nextInterval(schedule, intervalMs);
    }
    pollNow = false;
    const progress = await localReadActivities.evoComputeGetJobStatus.executeWithOptions(
      { summary: `status of ${job.jobId}` },
      [job],
    );
    tracker.record(progress);
    if (isTerminalStatus(progress.status)) return progress;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength >= CONTINUE_AS_NEW_AFTER_EVENTS) {
      const { resume: previous, deadline, searchAttributes, ...options } = carry;
      await continueAsNew<typeof runComputeJob>({
        ...options,
        resume: {
          polls: tracker.view.polls,
          status: tracker.view.status,
          intervalMs,
          deadline,
          searchAttributes,
          runs: (previous?.runs ?? 0) + 1,
        },
      });
    }
  }
}

/** The first version's loop, kept so that its workflows in flight replay: status activity, fixed timer. */
async function waitAtFixedInterval(
  job: JobRef,
  tracker: JobTracker,
  interval: DurationInput,
): Promise<JobProgress> {
  for (;;) {
    const progress = await readActivities.evoComputeGetJobStatus(job);
    tracker.record(progress);
    if (isTerminalStatus(progress.status)) return progress;
    await sleep(interval);
  }
}

/**
 * Sends the one DELETE for this job, unless a status check shows it has already ended, then waits,
 * bounded by `cancelWait`, for the service to confirm `cancelled`. Runs non-cancellable: the
 * workflow is already being cancelled.
 */
async function cancelRemoteJob(
  job: JobRef,
  tracker: JobTracker,
  cancelWait: DurationInput,
  interval: DurationInput,
): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    tracker.enter('cancelling', `[cancelling] > cancelling ${job.topic}/${job.task} ${job.jobId}`);
    const giveUpAt = Date.now() + durationMs(cancelWait, 'cancelWait');
    let deleteSent = false;
    for (;;) {
      let progress: JobProgress | undefined;
      try {
        progress = await cancelActivities.evoComputeGetJobStatus(job);
        tracker.record(progress);
      } catch (err) {
        log.warn('could not read the job status while cancelling', { jobId: job.jobId, error: String(err) });
        if (deleteSent) return;
      }
      if (progress && isTerminalStatus(progress.status)) return;
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
        return;
      }
      await sleep(Math.min(left, durationMs(interval, 'pollInterval')));
    }
  });
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
