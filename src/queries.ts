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
