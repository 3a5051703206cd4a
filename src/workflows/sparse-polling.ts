/**
 * `sparse` polling from the workflow's side: one `evoComputeWatchJob` call per reading worth
 * recording, scheduled with the heartbeat timeout its first interval allows (max(30 s, 2 ×
 * interval)). The timeout is fixed per scheduled activity, so it travels with each call.
 */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { ComputeActivities } from '../activities';
import type { JobReading } from '../activities/job-reading';
import type { WatchJobInput } from '../activities/watch-job';
import { DEFAULT_WAIT_MAX_DURATION_MS, sparseHeartbeatTimeoutMs } from '../common/poll-schedule';
import { READ_RETRY } from './compute-activities';

/**
 * No attempt limit: a retried attempt (a dead worker, an outage of the service) resumes from its
 * last heartbeat; `timeout` and cancellation end the wait. The first retry goes at once (the
 * heartbeat timeout already waited), then backs off as every read does.
 */
const watchActivities = proxyActivities<Pick<ComputeActivities, 'evoComputeWatchJob'>>({
  startToCloseTimeout: DEFAULT_WAIT_MAX_DURATION_MS + 15 * 60 * 1000,
  retry: { ...READ_RETRY, initialInterval: '100 milliseconds' },
  // A cancel reaches an activity only with its next heartbeat, here up to a minute away: the
  // workflow does not wait for it, and cancels the remote job at once. The attempt stops at its next
  // heartbeat, which is refused once the workflow has closed.
  cancellationType: ActivityCancellationType.TRY_CANCEL,
});

export function watchJob(input: WatchJobInput, summary: string): Promise<JobReading> {
  return watchActivities.evoComputeWatchJob.executeWithOptions(
    { summary, heartbeatTimeout: sparseHeartbeatTimeoutMs(input.intervalMs) },
    [input],
  );
}
