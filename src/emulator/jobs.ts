/**
 * The job state machine. A job's state is a pure function of its plan, its submit time, an
 * optional cancel request and the clock: nothing runs between requests, so thousands of jobs cost
 * only their memory.
 *
 *   requested (queuedMs) → in progress (durationMs) → succeeded | failed
 *   requested | in progress → (DELETE) → cancelling (cancelDelayMs) → cancelled
 */
import type { JobResults, JobStatus, Problem } from '../common/types';
import type { EmulatedJobSnapshot } from './types';

/** How a job ends when nobody cancels it. */
export type JobOutcome = { status: 'succeeded'; results: JobResults } | { status: 'failed'; error: Problem };

/** What a task makes of its parameters: the job's timing, messages and outcome. */
export interface JobPlan {
  queuedMs: number;
  durationMs: number;
  cancelDelayMs: number;
  /** The `in progress` message, given the fraction of `durationMs` elapsed (0 ≤ fraction < 1). */
  progressMessage(fraction: number): string;
  outcome: JobOutcome;
}

export interface EmulatedJob {
  readonly jobId: string;
  readonly orgId: string;
  readonly topic: string;
  readonly task: string;
  readonly parameters: Record<string, unknown>;
  readonly preview: boolean;
  readonly submittedAt: number;
  readonly plan: JobPlan;
  /** Set by the first cancel request that found the job ongoing. */
  cancel?: { at: number; progress: number };
  cancelRequests: number;
  statusRequests: number;
  resultsRequests: number;
}

/** The job as the API reports it at one instant (canonical status spelling). */
export interface JobState {
  status: JobStatus;
  progress: number;
  message: string;
  error: Problem | null;
  results: JobResults | null;
}

export const JOB_MESSAGES = {
  requested: 'Job requested',
  succeeded: 'Job succeeded',
  failed: 'Job failed due to error',
  cancelling: 'Job cancelling',
  cancelled: 'Job cancelled',
} as const;

export function isOngoing(status: JobStatus): boolean {
  return status === 'requested' || status === 'in progress' || status === 'cancelling';
}

function stateWithoutCancel(job: EmulatedJob, now: number): JobState {
  const { queuedMs, durationMs, outcome } = job.plan;
  const elapsed = now - job.submittedAt;
  if (elapsed < queuedMs) {
    return { status: 'requested', progress: 0, message: JOB_MESSAGES.requested, error: null, results: null };
  }
  const running = elapsed - queuedMs;
  if (running < durationMs) {
    const fraction = running / durationMs;
    const progress = Math.min(99, Math.max(0, Math.floor(100 * fraction)));
    return {
      status: 'in progress',
      progress,
      message: job.plan.progressMessage(fraction),
      error: null,
      results: null,
    };
  }
  if (outcome.status === 'failed') {
    return {
      status: 'failed',
      progress: 100,
      message: JOB_MESSAGES.failed,
      error: outcome.error,
      results: null,
    };
  }
  return {
    status: 'succeeded',
    progress: 100,
    message: JOB_MESSAGES.succeeded,
    error: null,
    results: outcome.results,
  };
}

/** The job's state at clock time `now`. */
export function jobStateAt(job: EmulatedJob, now: number): JobState {
  const { cancel } = job;
  if (cancel) {
    const status = now - cancel.at < job.plan.cancelDelayMs ? 'cancelling' : 'cancelled';
    return { status, progress: cancel.progress, message: JOB_MESSAGES[status], error: null, results: null };
  }
  return stateWithoutCancel(job, now);
}

/**
 * Records a cancel request at clock time `now`. A job still `requested` or `in progress` starts
 * cancelling (its progress freezes); a job already cancelling or ended is left as it is.
 */
export function requestCancel(job: EmulatedJob, now: number): void {
  job.cancelRequests += 1;
  if (job.cancel) return;
  const state = stateWithoutCancel(job, now);
  if (state.status === 'requested' || state.status === 'in progress') {
    job.cancel = { at: now, progress: state.progress };
  }
}

export function snapshotJob(job: EmulatedJob, now: number): EmulatedJobSnapshot {
  const state = jobStateAt(job, now);
  return {
    jobId: job.jobId,
    orgId: job.orgId,
    topic: job.topic,
    task: job.task,
    parameters: structuredClone(job.parameters),
    preview: job.preview,
    status: state.status,
    progress: state.progress,
    message: state.message,
    submittedAt: job.submittedAt,
    cancelRequests: job.cancelRequests,
    statusRequests: job.statusRequests,
    resultsRequests: job.resultsRequests,
  };
}

/** All jobs of one emulator, by lower-case job ID, in submission order. */
export class JobStore {
  readonly #jobs = new Map<string, EmulatedJob>();

  add(job: Omit<EmulatedJob, 'cancelRequests' | 'statusRequests' | 'resultsRequests'>): EmulatedJob {
    const stored: EmulatedJob = { ...job, cancelRequests: 0, statusRequests: 0, resultsRequests: 0 };
    this.#jobs.set(job.jobId.toLowerCase(), stored);
    return stored;
  }

  get(jobId: string): EmulatedJob | undefined {
    return this.#jobs.get(jobId.toLowerCase());
  }

  all(): EmulatedJob[] {
    return [...this.#jobs.values()];
  }
}
