/**
 * How often `runComputeJob` asks for a job's status. Pure and deterministic: the workflow and the
 * polling activities compute the same intervals from it (only the jitter is random).
 */
import type { Duration } from '@temporalio/common';
import { durationMs } from './duration';

type DurationInput = Duration;

/**
 * How the waits between polls are kept:
 * - `retry`: each poll is an attempt of the `evoComputeCheckJobStatus` activity; while nothing worth
 *   recording happened, the attempt fails with a BENIGN `ApplicationFailure` whose `nextRetryDelay`
 *   is the next interval, and the server keeps that wait as its retry timer (no history, no worker
 *   slot, no workflow task between polls).
 * - `heartbeat`: the `evoComputeWaitForJob` activity polls inside one attempt, heartbeating.
 * - `sparse`: the `evoComputeWatchJob` activity polls inside one long attempt whose heartbeat
 *   timeout grows with the interval (`sparseHeartbeatTimeoutMs`), heartbeating only as often as
 *   that timeout needs: about one heartbeat per two polls at 30 s, one per dozen at 2 s.
 * - `timer`: a durable timer in the workflow, then a status check as a local activity.
 * In every mode the workflow hears of a reading that changes the status or the 10 % progress step.
 */
export type PollMode = 'retry' | 'heartbeat' | 'sparse' | 'timer';

export const POLL_MODES: readonly PollMode[] = ['retry', 'heartbeat', 'sparse', 'timer'];

/** The modes as a refusal names them: `retry, heartbeat, sparse or timer`. */
export const POLL_MODES_TEXT = `${POLL_MODES.slice(0, -1).join(', ')} or ${POLL_MODES.at(-1)}`;

export interface PollSchedule {
  /** First interval. Default 1 s: a job of a few seconds is noticed within about a second. */
  initialInterval?: DurationInput;
  /** Each interval is the previous one times this. Default 1.5. */
  backoffCoefficient?: number;
  /** Intervals stop growing here. Default 30 s: a finished long job waits at most 30 s to be noticed. */
  maximumInterval?: DurationInput;
  /** Default `sparse`. */
  mode?: PollMode;
}

/** A schedule with every field filled in, in milliseconds: what travels to the activity and across continue-as-new. */
export interface ResolvedPollSchedule {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  mode: PollMode;
}

export const DEFAULT_POLL_SCHEDULE: Readonly<ResolvedPollSchedule> = {
  initialIntervalMs: 1_000,
  backoffCoefficient: 1.5,
  maximumIntervalMs: 30_000,
  mode: 'sparse',
};

/**
 * Each wait is shortened by a random share of up to this fraction, so that jobs started together
 * drift apart instead of polling in lock-step. Only ever shorter: a finished job is never noticed
 * later than the schedule promises.
 */
export const POLL_JITTER = 0.2;

/** How long one `waitForJob` attempt polls before handing back to the workflow (which calls it again). */
export const DEFAULT_WAIT_MAX_DURATION_MS = 60 * 60 * 1000;

/** A dead worker is noticed within max(30 s, 2 × the interval in force) in `sparse` mode. */
export const SPARSE_NOTICE_MIN_MS = 30_000;

/**
 * What the server needs from a heartbeat timeout to the retried attempt's first poll on a live
 * worker (about 1 s on the dev server: the timeout's timer, then the retry's), with room to spare:
 * taken off the timeout, so that the bound holds for the next poll, not only for the timeout.
 */
const SPARSE_RETRY_ALLOWANCE_MS = 3_000;

/**
 * The heartbeat timeout of a `sparse` attempt whose first interval is `intervalMs`: max(30 s,
 * 2 × interval) less 3 s for the retry, so a dead worker's job is polled again by another
 * within two intervals (or 30 s), and the attempt needs a heartbeat only about every two polls.
 * The timeout is fixed when the activity is scheduled, so the attempt hands back to the workflow
 * once the interval has grown enough for a longer one (`sparseOutgrows`).
 */
export function sparseHeartbeatTimeoutMs(intervalMs: number): number {
  return Math.max(SPARSE_NOTICE_MIN_MS, 2 * intervalMs) - SPARSE_RETRY_ALLOWANCE_MS;
}

/**
 * How often a `sparse` attempt with `heartbeatTimeoutMs` heartbeats: 3 s before the timeout (27 s
 * → every 24 s, 57 s → every 54 s). Each beat is sent at once: the SDK holds back a heartbeat that
 * follows the last one sent within 80 % of the timeout (21.6 s of 27, 45.6 s of 57), and these are
 * further apart.
 */
export function sparseHeartbeatEveryMs(heartbeatTimeoutMs: number): number {
  return Math.max(1_000, heartbeatTimeoutMs - 3_000);
}

/**
 * Whether a `sparse` attempt scheduled with `heartbeatTimeoutMs` should hand back so that the next
 * one gets the longer timeout `intervalMs` allows: once that timeout is twice as long, or once the
 * interval has reached the schedule's maximum (where a long job spends its life). Growing 1 s × 1.5
 * to 30 s, that is one hand-back per job, when the interval reaches 30 s (timeout 30 → 60 s).
 */
export function sparseOutgrows(
  schedule: ResolvedPollSchedule,
  intervalMs: number,
  heartbeatTimeoutMs: number,
): boolean {
  const wanted = sparseHeartbeatTimeoutMs(intervalMs);
  return (
    wanted >= 2 * heartbeatTimeoutMs ||
    (intervalMs >= schedule.maximumIntervalMs && wanted > heartbeatTimeoutMs)
  );
}

/** Thrown for a schedule that makes no sense; the workflow reports it as `InvalidInput`. */
export class InvalidPollScheduleError extends Error {
  override name = 'InvalidPollScheduleError';
}

/**
 * Fills in the defaults. `pollInterval` (the first version's single setting) means a fixed interval
 * on durable timers, as it did then.
 */
export function resolvePollSchedule(poll?: PollSchedule, pollInterval?: DurationInput): ResolvedPollSchedule {
  const legacy: Partial<ResolvedPollSchedule> =
    pollInterval === undefined
      ? {}
      : {
          initialIntervalMs: durationMs(pollInterval, 'pollInterval'),
          maximumIntervalMs: durationMs(pollInterval, 'pollInterval'),
          backoffCoefficient: 1,
          mode: 'timer',
        };
  const schedule: ResolvedPollSchedule = {
    ...DEFAULT_POLL_SCHEDULE,
    ...legacy,
    ...(poll?.initialInterval !== undefined && {
      initialIntervalMs: durationMs(poll.initialInterval, 'poll.initialInterval'),
    }),
    ...(poll?.backoffCoefficient !== undefined && { backoffCoefficient: poll.backoffCoefficient }),
    ...(poll?.maximumInterval !== undefined && {
      maximumIntervalMs: durationMs(poll.maximumInterval, 'poll.maximumInterval'),
    }),
    ...(poll?.mode !== undefined && { mode: poll.mode }),
  };
  if (
    poll?.initialInterval !== undefined &&
    poll.maximumInterval === undefined &&
    pollInterval === undefined
  ) {
    schedule.maximumIntervalMs = Math.max(schedule.maximumIntervalMs, schedule.initialIntervalMs);
  }
  if (!(schedule.initialIntervalMs > 0))
    throw new InvalidPollScheduleError('poll.initialInterval must be > 0');
  if (!(schedule.backoffCoefficient >= 1))
    throw new InvalidPollScheduleError('poll.backoffCoefficient must be >= 1');
  if (!(schedule.maximumIntervalMs >= schedule.initialIntervalMs)) {
    throw new InvalidPollScheduleError('poll.maximumInterval must be >= poll.initialInterval');
  }
  if (!POLL_MODES.includes(schedule.mode)) {
    throw new InvalidPollScheduleError(
      `poll.mode must be ${POLL_MODES_TEXT}, got ${JSON.stringify(schedule.mode)}`,
    );
  }
  return schedule;
}

/** The interval after `intervalMs`. */
export function nextInterval(schedule: ResolvedPollSchedule, intervalMs: number): number {
  return Math.min(schedule.maximumIntervalMs, Math.round(intervalMs * schedule.backoffCoefficient));
}

/**
 * The wait actually made for `intervalMs`: shortened by up to `POLL_JITTER`. `random` is
 * `Math.random` in an activity and the workflow's (replay-safe, seeded) `Math.random` in a workflow.
 */
export function jitteredInterval(intervalMs: number, random: () => number): number {
  return Math.max(1, Math.round(intervalMs * (1 - POLL_JITTER * random())));
}
