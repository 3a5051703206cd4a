/**
 * The search attributes `runComputeJob` keeps up to date, so that jobs can be found and filtered in
 * the Temporal UI and with visibility queries such as `EvoComputeStatus = "in progress"`.
 * A namespace must have them registered; on one without them jobs still run (the worker logs a
 * warning and the workflow skips the upserts).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const EvoComputeTopic = defineSearchAttributeKey('EvoComputeTopic', SearchAttributeType.KEYWORD);
export const EvoComputeTask = defineSearchAttributeKey('EvoComputeTask', SearchAttributeType.KEYWORD);
export const EvoComputeJobId = defineSearchAttributeKey('EvoComputeJobId', SearchAttributeType.KEYWORD);
export const EvoComputeStatus = defineSearchAttributeKey('EvoComputeStatus', SearchAttributeType.KEYWORD);
export const EvoComputeProgress = defineSearchAttributeKey('EvoComputeProgress', SearchAttributeType.INT);

export const COMPUTE_SEARCH_ATTRIBUTES = [
  EvoComputeTopic,
  EvoComputeTask,
  EvoComputeJobId,
  EvoComputeStatus,
  EvoComputeProgress,
] as const;
