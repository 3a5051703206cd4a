import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ComputeJobProgressView, JobStatus } from './types';

/** `handle.query(progressQuery)`: where a `runComputeJob` is and what the job last reported. */
export const progressQuery = defineQuery<ComputeJobProgressView>('progress');

/** What a child `runComputeJob` tells a parent that asked for it (`notifyParent: true`). */
export interface ChildJobProgress {
  workflowId: string;
  status: JobStatus;
  progress?: number;
}

/**
 * Sent by `runComputeJob` to its parent when `notifyParent` is set, each time the job's status
 * changes or its progress crosses a 10 % step (so at most about a dozen signals per job).
 */
export const childJobProgressSignal = defineSignal<[ChildJobProgress]>('evoComputeChildProgress');

/** Where one job of a `runComputeJobs` stands. */
export type ComputeJobsEntryState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One job of a `runComputeJobs`, in input order. */
export interface ComputeJobsEntryView {
  /** The child workflow's ID (known before it starts). */
  workflowId: string;
  state: ComputeJobsEntryState;
  /** The remote job's last status, as the child reported it (`notifyParent`) or as it ended. */
  status?: JobStatus;
  /** 0..100, the remote job's last reported progress. */
  progress?: number;
}

/** The answer of `runComputeJobs`' `progress` query. */
export interface RunComputeJobsProgressView {
  total: number;
  /** Jobs that succeeded. */
  done: number;
  running: number;
  failed: number;
  /** Cancelled jobs, and jobs never started because the run was cancelled or failed fast. */
  cancelled: number;
  pending: number;
  /** Average progress of all jobs, ended ones counting 100, pending ones 0; an integer 0..100. */
  percent: number;
  jobs: ComputeJobsEntryView[];
}

/** `handle.query(runComputeJobsProgressQuery)` on a `runComputeJobs` workflow (the query is named `progress` too). */
export const runComputeJobsProgressQuery = defineQuery<RunComputeJobsProgressView>('progress');
