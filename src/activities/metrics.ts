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

const CREATE: { [K in keyof Instruments]: (meter: MetricMeter) => Instruments[K] } = {
  apiRequests: (meter) => meter.createCounter(COMPUTE_METRICS.apiRequests, '1', 'Evo Compute API requests'),
  apiRequestLatency: (meter) =>
    meter.createHistogram(COMPUTE_METRICS.apiRequestLatency, 'int', 'ms', 'Evo Compute API request latency'),
  jobsSubmitted: (meter) =>
    meter.createCounter(COMPUTE_METRICS.jobsSubmitted, '1', 'Evo compute jobs submitted'),
  jobsEnded: (meter) => meter.createCounter(COMPUTE_METRICS.jobsEnded, '1', 'Evo compute jobs seen ending'),
  tokenRefreshes: (meter) =>
    meter.createCounter(COMPUTE_METRICS.tokenRefreshes, '1', 'Evo access tokens obtained'),
};

/**
 * Instruments by meter, each made on first use: the SDK gives every activity attempt a meter of its
 * own (it carries the attempt's tags), and making an instrument is a call into the native runtime,
 * so a status poll makes only the two it records.
 */
const byMeter = new WeakMap<MetricMeter, Partial<Instruments>>();

function instrument<K extends keyof Instruments>(name: K): Instruments[K] | undefined {
  let meter: MetricMeter;
  try {
    meter = Context.current().metricMeter;
  } catch {
    return undefined; // not in an activity
  }
  let made = byMeter.get(meter);
  if (!made) {
    made = {};
    byMeter.set(meter, made);
  }
  let found = made[name];
  if (!found) {
    found = CREATE[name](meter);
    made[name] = found;
  }
  return found;
}

/** The HTTP client's observer that records requests and token refreshes in the current activity. */
export const activityMetrics: ComputeApiObserver = {
  requestEnded({ operation, status, durationMs }) {
    instrument('apiRequests')?.add(1, { operation, status });
    instrument('apiRequestLatency')?.record(Math.round(durationMs), { operation });
  },
  tokenRefreshed(reason) {
    instrument('tokenRefreshes')?.add(1, { reason });
  },
};

export function recordSubmitted(topic: string, task: string): void {
  instrument('jobsSubmitted')?.add(1, { topic, task });
}

/** Counts a status reading that ends the job's wait. */
export function recordIfEnded(progress: JobProgress): void {
  if (isTerminalStatus(progress.status)) instrument('jobsEnded')?.add(1, { status: progress.status });
}
