/**
 * What a `runComputeJob` knows about its job, and everything that shows it: the `progress` query,
 * the current-details line in the Temporal UI, the `EvoCompute*` search attributes and, for a
 * child of `runComputeJobs`, progress signals to the parent. Search attributes and signals write
 * history, so they go out only when the status changes or the progress crosses a 10 % step.
 */
import {
  getExternalWorkflowHandle,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { formatProgressLine } from '../common/progress-line';
import { progressStep as step } from '../common/progress-step';
import { childJobProgressSignal, progressQuery } from '../common/queries';
import {
  EvoComputeJobId,
  EvoComputeProgress,
  EvoComputeStatus,
  EvoComputeTask,
  EvoComputeTopic,
} from '../common/search-attributes';
import type { ComputeJobPhase, ComputeJobProgressView, JobProgress, JobRef } from '../common/types';
import type { ValidComputeJob } from '../common/validate-input';
import { setupActivities } from './compute-activities';

export interface JobTrackerOptions {
  /** Upsert the `EvoCompute*` search attributes (only when the namespace has them). Settable once known. */
  searchAttributes: boolean;
  /** Signal the parent workflow on progress steps. */
  notifyParent: boolean;
}

export class JobTracker {
  readonly view: ComputeJobProgressView;
  private lastStep?: string;

  constructor(
    initial: Pick<ComputeJobProgressView, 'job' | 'status' | 'polls'>,
    readonly options: JobTrackerOptions,
  ) {
    this.view = { phase: initial.job ? 'running' : 'submitting', ...initial };
    setHandler(progressQuery, () => this.view);
    if (initial.status) this.lastStep = step(initial.status);
  }

  /**
   * The tracker of a run: registers the `progress` query at once (so that no query finds the
   * workflow without it), then learns whether the namespace has the search attributes (asked once
   * per workflow, then carried across continue-as-new).
   */
  static async start(run: ValidComputeJob): Promise<JobTracker> {
    const { resume } = run;
    const tracker = new JobTracker(
      {
        job: 'job' in run.start ? run.start.job : undefined,
        status: resume?.status,
        polls: resume?.polls ?? 0,
      },
      { searchAttributes: false, notifyParent: run.notifyParent },
    );
    tracker.options.searchAttributes =
      resume?.searchAttributes ?? (await setupActivities.evoComputeSearchAttributesRegistered());
    return tracker;
  }

  /** Enters a phase; `details` is the UI's current-details line until the next status reading. */
  enter(phase: ComputeJobPhase, details: string): void {
    this.view.phase = phase;
    setCurrentDetails(details);
  }

  /**
   * The job is known (submitted or attached). `status` is what is known of it without a poll (a
   * job just submitted is `requested`): recorded at once, in the same upsert as the job's identity.
   */
  jobKnown(job: JobRef, status?: JobProgress): void {
    this.view.job = job;
    if (status) {
      this.view.status = status;
      this.lastStep = step(status);
    }
    if (this.options.searchAttributes) {
      upsertSearchAttributes([
        { key: EvoComputeTopic, value: job.topic },
        { key: EvoComputeTask, value: job.task },
        { key: EvoComputeJobId, value: job.jobId },
        ...(status
          ? [
              { key: EvoComputeStatus, value: status.status },
              { key: EvoComputeProgress, value: status.progress ?? 0 },
            ]
          : []),
      ]);
    }
  }

  /** A status reading. Like the Python client's feedback, a reading without a percentage or message keeps the last ones. */
  record(progress: JobProgress, polls = 1): void {
    this.view.polls += polls;
    const merged: JobProgress = {
      ...progress,
      progress: progress.progress ?? this.view.status?.progress,
      message: progress.message ?? this.view.status?.message,
    };
    if (merged.progress === undefined) delete merged.progress;
    if (merged.message === undefined) delete merged.message;
    this.view.status = merged;
    setCurrentDetails(formatProgressLine(merged));
    const current = step(merged);
    if (current === this.lastStep) return;
    this.lastStep = current;
    if (this.options.searchAttributes) {
      upsertSearchAttributes([
        { key: EvoComputeStatus, value: merged.status },
        { key: EvoComputeProgress, value: merged.progress ?? 0 },
      ]);
    }
    const parent = workflowInfo().parent;
    if (this.options.notifyParent && parent) {
      getExternalWorkflowHandle(parent.workflowId, parent.runId)
        .signal(childJobProgressSignal, {
          workflowId: workflowInfo().workflowId,
          status: merged.status,
          progress: merged.progress,
        })
        .catch((err) => log.warn('could not signal the parent workflow', { error: String(err) }));
    }
  }
}
