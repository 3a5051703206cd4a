import { defineQuery } from '@temporalio/workflow';
import type { ComputeJobProgressView } from './types';

/** `handle.query(progressQuery)`: where a `runComputeJob` is and what the job last reported. */
export const progressQuery = defineQuery<ComputeJobProgressView>('progress');
