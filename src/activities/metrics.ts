/**
 * The package's own metrics, recorded through the running activity's metric meter, so that they
 * land wherever the worker's Runtime sends Temporal's own metrics (Prometheus, OpenTelemetry), tagged
 * with the namespace, task queue and activity type. Outside an activity nothing is recorded.
 */
import { Context } from '@temporalio/activity';
import type { MetricCounter, MetricHistogram, MetricMeter } from '@temporalio/common';
import type { ComputeApiObserver } from '../api/compute-api-client';
import { isTerminalStatus, type JobProgress } from '../common/types';

/** The metric names, as a Prometheus scrape shows them (counters may get a `_total` suffix). */
export const COMPUTE_METRICS = {
  /** Counter; tags `operation` (submit, status, results, cancel) and `status` (HTTP status, `network-error`, `aborted`). */
  apiRequests: 'evo_compute_api_requests',
  /** Histogram of HTTP exchange durations in milliseconds; tag `operation`. */
  apiRequestLatency: 'evo_compute_api_request_latency',
  /** Counter of jobs submitted (the service answered with a job); tags `topic`, `task`. */
  jobsSubmitted: 'evo_compute_jobs_submitted',
  /** Counter of jobs seen reaching a final status; tag `status` (succeeded, failed, cancelled). */
  jobsEnded: 'evo_compute_jobs_ended',
  /** Counter of access tokens obtained; tag `reason` (initial, expiring, unauthorized). */
  tokenRefreshes: 'evo_compute_token_refreshes',
} as const;

interface Instruments {
  apiRequests: MetricCounter;
  apiRequestLatency: MetricHistogram;
  jobsSubmitted: MetricCounter;
  jobsEnded: MetricCounter;
  tokenRefreshes: MetricCounter;
}

const byMeter = new WeakMap<MetricMeter, Instruments>();

function instruments(): Instruments | undefined {
  let meter: MetricMeter;
  try {
    meter = Context.current().metricMeter;
  } catch {
    return undefined; // not in an activity
  }
  let found = byMeter.get(meter);
  if (!found) {
    found = {
      apiRequests: meter.createCounter(COMPUTE_METRICS.apiRequests, '1', 'Evo Compute API requests'),
      apiRequestLatency: meter.createHistogram(
        COMPUTE_METRICS.apiRequestLatency,
        'int',
        'ms',
        'Evo Compute API request latency',
      ),
      jobsSubmitted: meter.createCounter(COMPUTE_METRICS.jobsSubmitted, '1', 'Evo compute jobs submitted'),
      jobsEnded: meter.createCounter(COMPUTE_METRICS.jobsEnded, '1', 'Evo compute jobs seen ending'),
      tokenRefreshes: meter.createCounter(COMPUTE_METRICS.tokenRefreshes, '1', 'Evo access tokens obtained'),
    };
    byMeter.set(meter, found);
  }
  return found;
}

/** The HTTP client's observer that records requests and token refreshes in the current activity. */
export const activityMetrics: ComputeApiObserver = {
  requestEnded({ operation, status, durationMs }) {
    const metrics = instruments();
    metrics?.apiRequests.add(1, { operation, status });
    metrics?.apiRequestLatency.record(Math.round(durationMs), { operation });
  },
  tokenRefreshed(reason) {
    instruments()?.tokenRefreshes.add(1, { reason });
  },
};

export function recordSubmitted(topic: string, task: string): void {
  instruments()?.jobsSubmitted.add(1, { topic, task });
}

/** Counts a status reading that ends the job's wait. */
export function recordIfEnded(progress: JobProgress): void {
  if (isTerminalStatus(progress.status)) instruments()?.jobsEnded.add(1, { status: progress.status });
}
