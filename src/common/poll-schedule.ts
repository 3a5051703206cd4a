/**
 * How often `runComputeJob` asks for a job's status. Pure and deterministic: the workflow and the
 * `waitForJob` activity compute the same intervals from it.
 */
import type { Duration } from '@temporalio/common';
import { durationMs } from './duration';

type DurationInput = Duration;

/**
 * `auto`: poll inside the `waitForJob` activity (heartbeating each reading) while the interval is
 * shorter than `timerThreshold`, then on durable timers. `heartbeat` or `timer` force one of them.
 */
export type PollMode = 'auto' | 'heartbeat' | 'timer';

export interface PollSchedule {
  /** First interval. Default 1 s: a job of a few seconds is noticed within about a second. */
  initialInterval?: DurationInput;
  /** Each interval is the previous one times this. Default 1.5. */
  backoffCoefficient?: number;
  /** Intervals stop growing here. Default 30 s: a finished long job waits at most 30 s to be noticed. */
  maximumInterval?: DurationInput;
  /** Default `auto`. */
  mode?: PollMode;
  /**
   * In `auto` mode, intervals at or above this are waited on durable timers. Default 10 s: below it
   * a timer poll would cost more history than it saves worker time.
   */
  timerThreshold?: DurationInput;
}

/** A schedule with every field filled in, in milliseconds: what travels to the activity and across continue-as-new. */
export interface ResolvedPollSchedule {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  mode: PollMode;
  timerThresholdMs: number;
}

export const DEFAULT_POLL_SCHEDULE: Readonly<ResolvedPollSchedule> = {
  initialIntervalMs: 1_000,
  backoffCoefficient: 1.5,
  maximumIntervalMs: 30_000,
  mode: 'auto',
  timerThresholdMs: 10_000,
};

/** How long one `waitForJob` attempt polls before handing back to the workflow (which calls it again). */
export const DEFAULT_WAIT_MAX_DURATION_MS = 60 * 60 * 1000;

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
    ...(poll?.timerThreshold !== undefined && {
      timerThresholdMs: durationMs(poll.timerThreshold, 'poll.timerThreshold'),
    }),
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
  if (!['auto', 'heartbeat', 'timer'].includes(schedule.mode)) {
    throw new InvalidPollScheduleError(
      `poll.mode must be auto, heartbeat or timer, got ${JSON.stringify(schedule.mode)}`,
    );
  }
  return schedule;
}

/** The interval after `intervalMs`. */
export function nextInterval(schedule: ResolvedPollSchedule, intervalMs: number): number {
  return Math.min(schedule.maximumIntervalMs, Math.round(intervalMs * schedule.backoffCoefficient));
}

/** Whether an interval is waited inside `waitForJob` (true) or on a durable timer (false). */
export function pollsInActivity(schedule: ResolvedPollSchedule, intervalMs: number): boolean {
  if (schedule.mode === 'heartbeat') return true;
  if (schedule.mode === 'timer') return false;
  return intervalMs < schedule.timerThresholdMs;
}
