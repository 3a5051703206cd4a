/**
 * Following a compute job from a client: its progress while it runs, then its outcome.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { ComputeJobProgressView } from '../common/types';
import { type ComputeJobOutcome, getComputeJobProgress, waitForComputeJob } from './compute-job';

export interface WatchComputeJobOptions {
  /** Called with each progress view that differs from the previous one (the poll count aside). */
  onProgress: (view: ComputeJobProgressView) => void;
  /** How often to ask the `progress` query. Default 1000 ms. */
  intervalMs?: number;
  /** How long one query may take before it is given up (no worker answering, say). Default 10 s. */
  queryTimeoutMs?: number;
  /**
   * Ask once more after the workflow has closed, so that the last `onProgress` shows the job's final
   * status (`succeeded`, `failed`, `cancelled`). Default true.
   */
  finalQuery?: boolean;
}

/**
 * Waits for a compute job's workflow to close like `waitForComputeJob`, calling `onProgress` as
 * its progress changes. A query that fails (the worker is restarting, say) is skipped; the next
 * one is asked on schedule. No `onProgress` call happens after the returned promise settles.
 */
export async function watchComputeJob<W extends Workflow>(
  handle: WorkflowHandle<W>,
  options: WatchComputeJobOptions,
): Promise<ComputeJobOutcome> {
  const intervalMs = options.intervalMs ?? 1000;
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  let last: string | undefined;
  // Views come from the workflow's query and from the polling activity's heartbeats, which lag
  // each other: the count shown never goes back.
  let polls = 0;
  const deliver = (answer: ComputeJobProgressView) => {
    polls = Math.max(polls, answer.polls);
    const view = { ...answer, polls };
    const key = JSON.stringify([view.phase, view.job?.jobId, view.status]);
    if (key === last) return;
    last = key;
    options.onProgress(view);
  };
  const ask = () =>
    handle.client.withDeadline(Date.now() + queryTimeoutMs, () => getComputeJobProgress(handle));

  let closed = false;
  let wake: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    while (!closed) {
      try {
        const view = await ask();
        if (!closed) deliver(view);
      } catch {
        // Not answerable right now; ask again on the next round.
      }
      if (closed) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
    }
  };
  void poll();
  let outcome: ComputeJobOutcome;
  try {
    outcome = await waitForComputeJob(handle);
  } finally {
    closed = true;
    clearTimeout(timer);
    wake?.();
  }
  if (options.finalQuery ?? true) {
    const view = await ask().catch(() => undefined);
    if (view) deliver(view);
  }
  return outcome;
}
